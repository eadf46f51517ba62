"""An apply stopped while AWS was making a resource, and the next apply (real Terraform, the real
provider, the emulator over HTTP).

Seen in CI: Ctrl-C landed while Lambda's CreateFunction was on its way back; the function existed,
the state did not know it, and the next apply failed "Function already exist" after five minutes of
provider retries. A proxy holds the answer to the first CreateFunction until Terraform gives up on it,
so the stop lands there every time.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from residency.paths import ProjectPaths
from residency.terraform.cli_config import write_cli_config
from residency.terraform.creation_adoption import read_record, record_path
from residency.terraform.manifest import Workspace
from residency.terraform.operations import Operation, OperationRunner, Outcome, Status
from residency.terraform.runner import Terraform, TerraformSettings
from tests.local.test_emulator_concurrency import TRUST, client, emulator, function_code
from tests.local.test_emulator_lost_answers import LosingProxy

__all__ = ["emulator"]

pytestmark = pytest.mark.terraform


class Quiet:
    def started(self, name: str, operation: Operation) -> None:
        pass

    def finished(self, outcome: Outcome, operation: Operation) -> None:
        pass


def workspace(tmp_path: Path, endpoint: str, resources: dict[str, object]) -> Workspace:
    directory = tmp_path / "stacks" / "w"
    directory.mkdir(parents=True, exist_ok=True)
    endpoints = {service: endpoint for service in ("iam", "lambda", "sts", "logs")}
    (directory / "cdk.tf.json").write_text(json.dumps({
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
        "provider": {"aws": [{"region": "eu-central-1", "access_key": "test", "secret_key": "test",
                              "skip_credentials_validation": True, "skip_requesting_account_id": True,
                              "skip_metadata_api_check": "true", "endpoints": [endpoints]}]},
        "resource": resources,
    }))
    return Workspace("w", directory, ())


def runner(tmp_path: Path, terraform_binary: Path, provider_mirror: str, ws: Workspace,
           lines: list[str]) -> OperationRunner:
    paths = ProjectPaths(tmp_path)
    rc = write_cli_config(tmp_path / "terraformrc", Path(provider_mirror), tmp_path / "plugin-cache")
    terraform = Terraform(TerraformSettings(terraform_binary, paths, rc),
                          on_line=lambda name, text: lines.append(text))
    return OperationRunner(terraform, {"w": ws}, Quiet())


@pytest.fixture
def mirror(provider_mirror: str | None) -> str:
    if provider_mirror is None:
        pytest.skip("needs RESIDENCY_PROVIDER_MIRROR")
    return provider_mirror


def test_a_creation_stopped_on_its_way_back_is_adopted_by_the_next_apply(emulator, tmp_path, terraform_binary,
                                                                         mirror):
    url, _ = emulator
    proxy = LosingProxy(url, b"POST /2015-03-31/functions", hold=True)
    code = tmp_path / "function.zip"
    code.write_bytes(function_code())
    ws = workspace(tmp_path, proxy.url, {
        "aws_iam_role": {"role": {"name": "unfinished", "assume_role_policy": TRUST}},
        "aws_lambda_function": {"function": {
            "function_name": "unfinished", "role": "${aws_iam_role.role.arn}", "runtime": "python3.12",
            "handler": "handler.handler", "filename": str(code)}}})
    lines: list[str] = []
    first = runner(tmp_path, terraform_binary, mirror, ws, lines)
    outcomes: list[Outcome] = []
    applying = threading.Thread(target=lambda: outcomes.extend(first.run(Operation.APPLY, ["w"])))
    applying.start()
    try:
        assert proxy.lost.wait(timeout=240), "the function was never created: the test proved nothing"
        first.terraform.interrupt()  # Ctrl-C while the answer is on its way back
    finally:
        applying.join(timeout=240)
    (stopped,) = outcomes
    assert stopped.status is Status.INTERRUPTED, stopped
    functions = client(url, "lambda", "eu-central-1")
    assert [f["FunctionName"] for f in functions.list_functions()["Functions"]] == ["unfinished"]
    assert [(c.address, c.import_id) for c in read_record(tmp_path / ".residency", "w")] == [
        ("aws_lambda_function.function", "unfinished")]
    assert any("the apply stopped while creating aws_lambda_function.function" in line for line in lines)

    lines.clear()
    second = runner(tmp_path, terraform_binary, mirror, ws, lines)
    (applied,) = second.run(Operation.APPLY, ["w"])
    assert applied.status is Status.APPLIED, (applied, "\n".join(lines[-30:]))
    assert any("aws_lambda_function.function was being created when an earlier apply stopped, and AWS had "
               "made it: adopted" in line for line in lines), "\n".join(lines)
    assert not record_path(tmp_path / ".residency", "w").exists()
    assert [f["FunctionName"] for f in functions.list_functions()["Functions"]] == ["unfinished"]
    (planned,) = second.run(Operation.PLAN, ["w"])
    assert planned.status is Status.NO_CHANGES, planned
    proxy.close()


def test_a_name_taken_before_the_apply_is_never_adopted(emulator, tmp_path, terraform_binary, mirror):
    """AWS refused the create (the name was taken): residency did not make it and must not take it over."""
    url, _ = emulator
    client(url, "logs", "eu-central-1").create_log_group(logGroupName="someone-elses")
    ws = workspace(tmp_path, url, {"aws_cloudwatch_log_group": {"logs": {"name": "someone-elses"}}})
    for _ in range(2):
        lines: list[str] = []
        (outcome,) = runner(tmp_path, terraform_binary, mirror, ws, lines).run(Operation.APPLY, ["w"])
        assert outcome.status is Status.FAILED, outcome
        assert "already exists" in (outcome.error or "").lower(), outcome.error
        assert not record_path(tmp_path / ".residency", "w").exists()
        assert not any("adopted" in line for line in lines)
