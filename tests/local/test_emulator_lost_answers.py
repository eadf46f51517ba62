"""An answer lost on the way back: the AWS SDK sends the request again, and the create must not fail.

Seen in CI on a loaded machine: Lambda's CreateFunction was answered 201, the answer never reached
the provider, the SDK's retry was answered 409 "Function already exist", and the provider retried that
for 5 minutes and failed the apply. A proxy between the client and the emulator reproduces it: it
passes every byte, except that it resets the client's connection instead of passing the first answer
to the request it is told to lose.
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import subprocess
import threading
from pathlib import Path

import pytest

from residency.terraform.cli_config import write_cli_config
from tests.local.test_emulator_concurrency import TRUST, client, emulator, function_code

__all__ = ["emulator"]  # the fixture, shared with the concurrency tests


class LosingProxy:
    """A TCP proxy to the emulator that loses the answer to the first request starting with `doomed`:
    it resets the client's connection, or with `hold` keeps the answer until the client gives up."""

    def __init__(self, upstream_url: str, doomed: bytes, *, hold: bool = False) -> None:
        self.upstream_port = int(upstream_url.rsplit(":", 1)[1])
        self.doomed = doomed
        self.hold = hold
        self.lost = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, downstream: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        doomed_here = False
        holding = False
        try:
            while True:  # one thread per connection, so that closing resets it at once
                readable, _, _ = select.select([downstream] if holding else [downstream, upstream], [], [])
                if downstream in readable:
                    data = downstream.recv(65536)
                    if not data:
                        return
                    doomed_here = doomed_here or (not self.lost.is_set() and data.startswith(self.doomed))
                    upstream.sendall(data)
                if upstream in readable:
                    data = upstream.recv(65536)
                    if not data:
                        return
                    if doomed_here and not self.lost.is_set() and self.hold:
                        self.lost.set()  # the emulator has answered: the client waits for it in vain
                        holding = True
                        continue
                    if doomed_here and not self.lost.is_set():
                        self.lost.set()  # the emulator has answered: the client never hears it
                        downstream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    downstream.sendall(data)
        except OSError:
            pass
        finally:
            downstream.close()
            upstream.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def losing_create_function(emulator):  # type: ignore[no-untyped-def]
    url, log = emulator
    proxy = LosingProxy(url, b"POST /2015-03-31/functions")
    yield url, proxy, log
    proxy.close()


def test_a_retried_create_whose_first_answer_was_lost_gets_that_answer(losing_create_function):
    url, proxy, log = losing_create_function
    role = client(url, "iam").create_role(RoleName="functions", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    created = client(proxy.url, "lambda").create_function(
        FunctionName="lost-once", Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": function_code()})

    assert proxy.lost.is_set(), "the proxy never lost an answer: the test proved nothing"
    assert created["FunctionName"] == "lost-once"
    assert [f["FunctionName"] for f in client(url, "lambda").list_functions()["Functions"]] == ["lost-once"]
    assert "(a retry: the first answer again)" in log.read_text(errors="replace")


def test_a_new_call_of_a_create_is_still_answered_already_exists(emulator):
    url, _ = emulator
    role = client(url, "iam").create_role(RoleName="functions", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    functions = client(url, "lambda")
    spec = {"FunctionName": "made-twice", "Runtime": "python3.12", "Role": role, "Handler": "handler.handler",
            "Code": {"ZipFile": function_code()}}
    functions.create_function(**spec)
    with pytest.raises(functions.exceptions.ResourceConflictException):
        functions.create_function(**spec)  # a new invocation id: not a retry


@pytest.mark.terraform
def test_terraform_applies_through_a_lost_create_answer(losing_create_function, tmp_path, terraform_binary,
                                                        provider_mirror):
    if provider_mirror is None:
        pytest.skip("needs RESIDENCY_PROVIDER_MIRROR")
    url, proxy, _ = losing_create_function
    code = tmp_path / "function.zip"
    code.write_bytes(function_code())
    endpoints = {service: proxy.url for service in ("iam", "lambda", "sts")}
    workspace = {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
        "provider": {"aws": {"region": "eu-central-1", "access_key": "test", "secret_key": "test",
                             "skip_credentials_validation": True, "skip_requesting_account_id": True,
                             "skip_metadata_api_check": "true", "endpoints": [endpoints]}},
        "resource": {
            "aws_iam_role": {"role": {"name": "lost-answer", "assume_role_policy": TRUST}},
            "aws_lambda_function": {"function": {
                "function_name": "lost-answer", "role": "${aws_iam_role.role.arn}", "runtime": "python3.12",
                "handler": "handler.handler", "filename": str(code)}}},
    }
    directory = tmp_path / "workspace"
    directory.mkdir()
    (directory / "main.tf.json").write_text(json.dumps(workspace))
    rc = write_cli_config(tmp_path / "terraformrc", Path(provider_mirror), tmp_path / "plugin-cache")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(terraform_binary), *args, "-input=false", "-no-color"], cwd=directory,
                              env=env, capture_output=True, text=True, timeout=300)

    assert run("init").returncode == 0
    applied = run("apply", "-auto-approve")
    assert proxy.lost.is_set(), "the proxy never lost an answer: the test proved nothing"
    assert applied.returncode == 0, applied.stderr[-2000:]
    assert "lost-answer" in [f["FunctionName"] for f in client(url, "lambda", "eu-central-1").list_functions()
                             ["Functions"]]
