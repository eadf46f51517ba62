"""One Ctrl-C while the AWS provider waits for a new KMS key's policy to propagate: the key exists
but Terraform records it as tainted, and a plain next apply would have to replace a store that may
never be replaced. residency keeps it, and the next apply converges."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.projects import eu_and_us, local_project
from tests.e2e.test_local_target import check
from tests.e2e.test_parallel_runs import Background

pytestmark = pytest.mark.terraform


def tainted(state_file: Path) -> list[str]:
    state = json.loads(state_file.read_text())
    return [f"{r['type']}.{r['name']}" for r in state["resources"]
            if any(instance.get("status") == "tainted" for instance in r["instances"])]


def test_a_key_interrupted_while_its_policy_propagates_is_kept_and_the_next_apply_converges(
        tmp_path, terraform_binary, provider_mirror):
    # No domain: nothing here is about routing, and eu-central-1 alone is applied.
    project = local_project(tmp_path, "acme-par", eu_and_us())
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    state_file = project / ".residency" / "state" / "eu-central-1" / "terraform.tfstate"
    try:
        first = Background(["apply", "eu-central-1", "--no-progress"], project, env)
        # The key takes about 14 s here, nearly all of it the provider's propagation waits (five
        # identical reads each of its description, policy, rotation and tags): interrupt inside them.
        first.wait_for(r"eu-central-1: aws_kms_key\.[^:]*: Still creating\.\.\. \[10s elapsed\]")
        first.process.send_signal(signal.SIGINT)
        code, _, stderr = first.finish()
        assert code == 1 and "interrupted (SIGINT)" in stderr, stderr
        (key,) = [address for address in tainted(state_file) if address.startswith("aws_kms_key.")]

        again = run_cli(["apply", "eu-central-1", "--json"], project, env)
        check(again, 0)
        assert f"Note: {key} was being created when an earlier run stopped" in again.stderr
        assert "it exists, so it is kept (untainted)" in again.stderr
        assert tainted(state_file) == []
        (outcome,) = json.loads(again.stdout)["workspaces"]
        assert outcome["status"] == "applied" and outcome["changes"]["destroy"] == 0, outcome
        check(run_cli(["plan", "eu-central-1", "--detailed-exitcode"], project, env), 0)
    finally:
        run_cli(["local", "down"], project)
