"""`verify` and `drill` refuse what they cannot do with one clear message (the live proofs are in
tests/e2e/test_domain_routing.py and tests/flows/test_routing_proof.py)."""

from tests.conftest import run_cli

DOMAIN = "domain: example.org\n"


def test_verify_says_when_nothing_is_deployed(project):
    (project / "regions.yaml").write_text((project / "regions.yaml").read_text() + DOMAIN)
    result = run_cli(["verify"], project)
    assert result.returncode == 1 and "the local target's emulator is not running" in result.stderr
    assert "hint: residency apply --all" in result.stderr and "Traceback" not in result.stderr


def test_verify_refuses_latency_routing(project):
    text = (project / "regions.yaml").read_text().replace("routing: geolocation", "routing: latency") + DOMAIN
    (project / "regions.yaml").write_text(text)
    result = run_cli(["verify"], project)
    assert result.returncode == 64 and "verify evaluates geolocation routing" in result.stderr


def test_drill_refuses_without_a_domain_a_failover_or_a_known_region(project):
    no_domain = run_cli(["drill", "eu-central-1"], project)
    assert no_domain.returncode == 64 and "regions.yaml sets no `domain`" in no_domain.stderr
    (project / "regions.yaml").write_text((project / "regions.yaml").read_text() + DOMAIN)
    no_failover = run_cli(["drill", "eu-central-1"], project)
    assert no_failover.returncode == 64 and "eu-central-1 has no `failover`" in no_failover.stderr
    assert "hint: set `failover: eu-west-1` for eu-central-1" in no_failover.stderr
    unknown = run_cli(["drill", "ap-south-1"], project)
    assert unknown.returncode == 64 and "ap-south-1 is not a region of regions.yaml" in unknown.stderr
    assert not (project / ".residency" / "drills").exists()


def test_verify_users_refuses_the_local_target_before_anything_else(project):
    result = run_cli(["verify", "--users"], project)
    assert result.returncode == 64 and "Traceback" not in result.stderr
    assert "--users proves nothing on the local target: the emulator's Cognito does not run the pre-sign-up " \
           "trigger" in result.stderr
    assert "emulator is not running" not in result.stderr  # refused first, not after looking for a deployment
