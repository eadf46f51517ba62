"""The embedded emulator for real: a moto server process on 127.0.0.1, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request

import pytest

from residency.local.emulator import Emulator
from residency.paths import ProjectPaths
from tests.conftest import run_cli


@pytest.fixture
def emulator(tmp_path):
    emulator = Emulator(ProjectPaths(tmp_path))
    yield emulator
    emulator.stop()


def test_start_reuse_and_stop(emulator, tmp_path):
    notices: list[str] = []
    record, started = emulator.ensure_running(notices.append)
    assert started and record.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{record.url}/moto-api/", timeout=5) as response:
        assert response.status == 200
    assert json.loads((tmp_path / ".residency" / "emulator.json").read_text())["port"] == record.port

    again, started_again = emulator.ensure_running(notices.append)
    assert (again, started_again) == (record, False)  # reused, not restarted
    assert notices == [f"local AWS emulator started at {record.url} (pid {record.pid})"]

    assert emulator.stop() is True
    assert emulator.status().running is False and emulator.status().lost is False
    assert emulator.stop() is False


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_a_web_page_of_another_origin_gets_no_cors_permission(emulator, method):
    """A page on any site could otherwise script calls to the emulator (it listens on 127.0.0.1 for everyone)."""
    record, _ = emulator.ensure_running(lambda text: None)
    request = urllib.request.Request(f"{record.url}/moto-api/", method=method, headers={
        "Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            headers = response.headers
    except urllib.error.HTTPError as error:
        headers = error.headers
    assert headers.get("Access-Control-Allow-Origin") is None
    assert headers.get("Access-Control-Allow-Methods") is None


def test_a_dead_emulator_is_reported_and_replaced(emulator):
    record, _ = emulator.ensure_running(lambda message: None)
    os.kill(record.pid, signal.SIGKILL)
    os.waitpid(record.pid, 0)
    status = emulator.status()
    assert status.lost and not status.running
    notices: list[str] = []
    replacement, started = emulator.ensure_running(notices.append)
    assert started and replacement.pid != record.pid
    assert "is gone" in notices[0]


def test_local_commands(project):
    try:
        up = run_cli(["local", "up"], project)
        assert up.returncode == 0 and "local AWS emulator: http://127.0.0.1:" in up.stdout
        status = json.loads(run_cli(["local", "status", "--json"], project).stdout)
        assert status["running"] is True and status["url"].startswith("http://127.0.0.1:")
        (project / ".residency" / "state" / "global").mkdir(parents=True)
        (project / ".residency" / "state" / "global" / "terraform.tfstate").write_text("{}")
        reset = run_cli(["local", "reset"], project)
        assert reset.returncode == 0
        assert not (project / ".residency" / "state").exists()
        status = run_cli(["local", "status"], project).stdout.splitlines()
        assert status[0] == "not running"
        assert status[1] == "what the local target leaves out or changes for this regions.yaml:"
        assert any("does not enforce IAM" in line for line in status[2:])
    finally:
        run_cli(["local", "down"], project)


def test_a_port_taken_between_probe_and_bind_is_given_up_for_another(emulator, monkeypatch):
    import socket

    from residency.local import emulator as emulator_module

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        offered = iter([busy])
        real_free_port = emulator_module._free_port
        monkeypatch.setattr(emulator_module, "_free_port", lambda: next(offered, None) or real_free_port())
        record, started = emulator.ensure_running(lambda message: None)
    assert started and record.port != busy
    with urllib.request.urlopen(f"{record.url}/moto-api/", timeout=5) as response:
        assert response.status == 200


def test_updating_a_user_pool_keeps_what_aws_fixes_at_creation(emulator):
    """Adding a trigger to an existing pool must not make the provider see a new username attribute
    (which forces a replacement that prevent_destroy refuses)."""
    import boto3

    record, _ = emulator.ensure_running(lambda message: None)
    cognito = boto3.client("cognito-idp", region_name="eu-central-1", endpoint_url=record.url,
                           aws_access_key_id="test", aws_secret_access_key="test")
    pool = cognito.create_user_pool(PoolName="users", UsernameAttributes=["email"],
                                    UsernameConfiguration={"CaseSensitive": False},
                                    MfaConfiguration="OFF", UserPoolTags={"project": "acme"})["UserPool"]
    trigger = "arn:aws:lambda:eu-central-1:123456789012:function:post-auth"
    cognito.update_user_pool(UserPoolId=pool["Id"], LambdaConfig={"PostAuthentication": trigger},
                             AutoVerifiedAttributes=["email"])
    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert updated["UsernameAttributes"] == ["email"]
    assert updated["UsernameConfiguration"] == {"CaseSensitive": False}
    assert updated["UserPoolTags"] == {"project": "acme"}
    assert updated["LambdaConfig"]["PostAuthentication"] == trigger  # the update itself took effect
    assert updated["AutoVerifiedAttributes"] == ["email"]
    cognito.update_user_pool(UserPoolId=pool["Id"], UserPoolTags={"project": "acme", "team": "id"})
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {
        "project": "acme", "team": "id"}  # tags an update gives are taken


def test_an_emulator_started_by_another_residency_is_called_out(emulator, tmp_path):
    record, _ = emulator.ensure_running(lambda message: None)
    record_file = tmp_path / ".residency" / "emulator.json"
    assert json.loads(record_file.read_text())["code"] == record.code != ""
    notices: list[str] = []
    emulator.ensure_running(notices.append)
    assert notices == []  # the same code: nothing to say
    # A record from an earlier residency (no fingerprint, or another one).
    older = {key: value for key, value in json.loads(record_file.read_text()).items() if key != "code"}
    record_file.write_text(json.dumps(older))
    again, started = emulator.ensure_running(notices.append)
    assert started is False and again.pid == record.pid  # still reused: restarting would lose its resources
    assert len(notices) == 1 and "started by another version of residency" in notices[0]
    assert "`residency local reset`" in notices[0]
