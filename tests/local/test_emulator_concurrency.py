"""Parallel writers against one emulator: what `apply --all` does on the local target by default.

moto's models are not thread-safe; before the emulator answered one request at a time, the
first test saw 17 to 34 HTTP 500s ("dictionary changed size during iteration") per run, which
the AWS SDK retries, so a create already stored once is answered "already exists".
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.config
import pytest

from residency.local.emulator import Emulator
from residency.paths import ProjectPaths
from residency.terraform.cli_config import write_cli_config

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def emulator(tmp_path: Path):  # type: ignore[no-untyped-def]
    emulator = Emulator(ProjectPaths(tmp_path))
    record, _ = emulator.ensure_running(lambda message: None)
    yield record.url, ProjectPaths(tmp_path).emulator_log
    emulator.stop()


def client(url: str, service: str, region: str = "us-east-1"):  # type: ignore[no-untyped-def]
    # Retries on, as the AWS SDK in the provider has them: a 500 is retried and can turn into
    # "already exists"; the log keeps every 500 the emulator answered either way.
    config = botocore.config.Config(retries={"total_max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client(service, region_name=region, endpoint_url=url, config=config,
                                          aws_access_key_id="test", aws_secret_access_key="test")


def function_code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_parallel_creates_get_no_server_errors_and_one_winner(emulator):
    url, log = emulator
    iam = client(url, "iam")
    # Many roles make every role lookup (each IAM request and Lambda's CreateFunction make one)
    # long enough for another thread's CreateRole to land in the middle of it.
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: iam.create_role(RoleName=f"existing-{i}", AssumeRolePolicyDocument=TRUST),
                      range(3000)))
    role_arn = iam.create_role(RoleName="functions", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    failures: Counter[str] = Counter()
    code = function_code()

    def create_roles(worker: int) -> None:
        own = client(url, "iam")
        for index in range(250):
            try:
                own.create_role(RoleName=f"role-{worker}-{index}", AssumeRolePolicyDocument=TRUST)
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                failures[f"CreateRole: {error}"[:200]] += 1

    def create_functions(worker: int) -> None:
        own = client(url, "lambda", ("us-east-1", "eu-central-1")[worker % 2])
        for index in range(60):
            try:
                own.create_function(FunctionName=f"function-{worker}-{index}", Runtime="python3.12",
                                    Role=role_arn, Handler="handler.handler", Code={"ZipFile": code})
            except Exception as error:  # noqa: BLE001
                failures[f"CreateFunction: {error}"[:200]] += 1

    threads = [threading.Thread(target=create_roles, args=(worker,)) for worker in range(4)]
    threads += [threading.Thread(target=create_functions, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)

    # Eight clients create the same role at the same moment: exactly one may win.
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def contest(_: int) -> None:
        own = client(url, "iam")
        start.wait()
        try:
            own.create_role(RoleName="contested", AssumeRolePolicyDocument=TRUST)
            outcomes.append("created")
        except own.exceptions.EntityAlreadyExistsException:
            outcomes.append("exists")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(contest, range(8)))

    answered_500 = [line for line in log.read_text(errors="replace").splitlines() if '" 500 ' in line]
    assert not failures, failures
    assert not answered_500, f"{len(answered_500)} requests answered 500, e.g. {answered_500[0]}"
    assert sorted(outcomes) == ["created"] + ["exists"] * 7
    roles = [role["RoleName"] for page in iam.get_paginator("list_roles").paginate() for role in page["Roles"]]
    assert roles.count("contested") == 1 and len(roles) == 3000 + 1 + 4 * 250 + 1
    functions = sum(len(page["Functions"]) for region in ("us-east-1", "eu-central-1")
                    for page in client(url, "lambda", region).get_paginator("list_functions").paginate())
    assert functions == 4 * 60


def test_sqs_long_polling_waits_without_holding_up_other_requests(emulator):
    url, _ = emulator
    sqs = client(url, "sqs")
    queue = sqs.create_queue(QueueName="waiting")["QueueUrl"]
    received: list[dict[str, object]] = []
    poller = threading.Thread(target=lambda: received.append(
        client(url, "sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=20)))
    poller.start()
    # While the poll waits, other requests are answered, and a message sent ends the wait.
    assert client(url, "dynamodb").list_tables()["TableNames"] == []
    sqs.send_message(QueueUrl=queue, MessageBody="hello")
    poller.join(timeout=15)
    assert not poller.is_alive(), "the long poll held the emulator"
    assert [message["Body"] for message in received[0]["Messages"]] == ["hello"]  # type: ignore[index]


REGIONS = ("eu-central-1", "us-east-1", "ap-southeast-2")


def workspace(url: str, region: str, code: Path) -> dict[str, object]:
    """One region's worth of what residency's stacks create: keys, tables, roles, functions."""
    services = ("dynamodb", "iam", "kms", "lambda", "sts")
    resources: dict[str, dict[str, object]] = {"aws_kms_key": {}, "aws_dynamodb_table": {},
                                               "aws_iam_role": {}, "aws_lambda_function": {}}
    resources["aws_kms_key"]["key"] = {"description": f"race-{region}", "deletion_window_in_days": 7}
    for index in range(3):
        name = f"race-{region}-{index}"
        resources["aws_dynamodb_table"][f"table{index}"] = {
            "name": name, "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk",
            "attribute": [{"name": "pk", "type": "S"}],
            "server_side_encryption": {"enabled": True, "kms_key_arn": "${aws_kms_key.key.arn}"},
            "point_in_time_recovery": {"enabled": True}}
        resources["aws_iam_role"][f"role{index}"] = {"name": name, "assume_role_policy": TRUST}
    # One function: the provider waits a fixed 5 s after each create, one function after another.
    resources["aws_lambda_function"]["function"] = {
        "function_name": f"race-{region}", "role": "${aws_iam_role.role0.arn}", "runtime": "python3.12",
        "handler": "handler.handler", "filename": str(code)}
    return {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
        "provider": {"aws": {"region": region, "access_key": "test", "secret_key": "test",
                             "skip_credentials_validation": True, "skip_requesting_account_id": True,
                             "skip_metadata_api_check": "true",
                             "endpoints": [{service: url for service in services}]}},
        "resource": resources,
    }


@pytest.mark.terraform
def test_a_loop_of_parallel_applies_against_one_emulator(emulator, tmp_path, terraform_binary, provider_mirror):
    """Three Terraform workspaces apply and destroy at once, twice, against one emulator."""
    if provider_mirror is None:
        pytest.skip("needs RESIDENCY_PROVIDER_MIRROR")
    url, log = emulator
    code = tmp_path / "function.zip"
    code.write_bytes(function_code())
    rc = write_cli_config(tmp_path / "terraformrc", Path(provider_mirror), tmp_path / "plugin-cache")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    directories = []
    for region in REGIONS:
        directory = tmp_path / region
        directory.mkdir()
        (directory / "main.tf.json").write_text(json.dumps(workspace(url, region, code)))
        directories.append(directory)
    terraform = str(terraform_binary)

    def run(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([terraform, *args, "-input=false", "-no-color"], cwd=directory, env=env,
                              capture_output=True, text=True, timeout=600)

    for directory in directories:  # init one at a time: they share the plugin cache
        assert run(directory, "init").returncode == 0
    for round_ in range(2):
        for command in ("apply", "destroy"):
            with ThreadPoolExecutor(len(directories)) as pool:
                results = list(pool.map(run, directories, [command] * len(directories),
                                        ["-auto-approve"] * len(directories)))
            failed = {d.name: r.stderr[-2000:] for d, r in zip(directories, results, strict=True)
                      if r.returncode != 0}
            assert not failed, f"round {round_ + 1}, {command}: {failed}"
    answered_500 = [line for line in log.read_text(errors="replace").splitlines() if '" 500 ' in line]
    assert not answered_500, answered_500[:3]
    shutil.rmtree(tmp_path / "plugin-cache", ignore_errors=True)


def test_two_regions_claiming_one_address_at_once_have_exactly_one_winner(emulator, monkeypatch):
    """The claim protocol's conditional writes, from eight trigger invocations at once over HTTP."""
    from handlers import directory, runtime

    url, _ = emulator
    for name, value in {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "DIRECTORY_TABLE": "claims", "DIRECTORY_WRITE_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    # What is tested is the conditional writes, not the triggers' 2-second read timeout: on a loaded
    # machine (the whole suite on two CPUs) an answer can take longer (seen in a full run).
    monkeypatch.setattr(runtime, "CLIENT_CONFIG", runtime.CLIENT_CONFIG.merge(
        botocore.config.Config(connect_timeout=10, read_timeout=60)))
    runtime.clear_clients()
    dynamodb = client(url, "dynamodb")
    dynamodb.create_table(TableName="claims", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "user_key", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "user_key", "KeyType": "HASH"}])
    regions = ["eu-central-1", "ap-southeast-2"] * 4
    try:
        for round_ in range(5):
            keys = [directory.UserKey("1", f"{round_:064x}")]
            barrier = threading.Barrier(len(regions))

            def claim(region: str, keys: list[directory.UserKey] = keys, barrier: threading.Barrier = barrier) -> bool:
                barrier.wait()
                return directory.claim_pending(keys, region, pending_seconds=3600)

            with ThreadPoolExecutor(max_workers=len(regions)) as pool:
                results = list(pool.map(claim, regions))
            item = dynamodb.get_item(TableName="claims", Key={"user_key": {"S": keys[0].value}}, ConsistentRead=True)
            winner = item["Item"]["home_region"]["S"]
            assert all(won == (region == winner) for region, won in zip(regions, results, strict=True))
    finally:
        runtime.clear_clients()
