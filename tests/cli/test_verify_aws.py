"""`verify` on `target: aws`, in process: Route 53 and Cognito are moto's with the stand-ins of
tests/flows/test_dns_answer_proof.py (Route 53's DNS-answer test) and tests/flows/test_user_placement_proof.py
(the pre-sign-up trigger), /health answers ok; what is proven here is the command's table, JSON and exit code."""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

import pytest
from moto import mock_aws

from residency.cli.main import main
from residency.flows import country_subnets, user_placement_proof, verification
from tests.flows.test_dns_answer_proof import ADDRESSES, AnsweringRoute53
from tests.flows.test_routing_proof import CONFIG, Deployed
from tests.flows.test_user_placement_proof import Cognito


@pytest.fixture
def aws(tmp_path, monkeypatch) -> Any:  # type: ignore[no-untyped-def]
    (tmp_path / "regions.yaml").write_text(CONFIG.replace("domain:", "target: aws\ndomain:"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        route53 = AnsweringRoute53(Deployed().route53)
        cognito = Cognito(["eu-central-1", "eu-west-1", "us-east-1"])
        monkeypatch.setattr(verification, "route53_client", lambda config, paths: (route53, False))
        monkeypatch.setattr(verification, "health_of", lambda region, url: {
            "region": region, "ok": True, "checked": True, "detail": f"200 from {url}"})
        monkeypatch.setattr(user_placement_proof, "read_pools", lambda *args, **kwargs: cognito.pools)
        monkeypatch.setattr(verification, "regional_clients", lambda service: {
            "cognito-idp": cognito.client_for, "lambda": cognito.lambda_for}[service])
        yield tmp_path, route53, cognito


def verify(project, capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The exit code and stdout (stderr stays for capsys to read)."""
    code = main(["--config", str(project / "regions.yaml"), "verify", *args])
    captured = capsys.readouterr()
    print(captured.err, file=sys.stderr, end="")
    return code, captured.out


def test_route53s_own_answer_is_shown_beside_the_evaluation(aws, capsys):
    code, out = verify(aws[0], capsys)
    assert code == 0, out
    assert "ROUTE 53" in out and any(line.split()[:5] == ["IE", "eu-west-1", "eu-west-1", "EU", "eu-west-1"]
                                     for line in out.splitlines())


def test_route53_answering_abroad_where_the_records_do_not_is_exit_3(aws, capsys):
    aws[1].answers[country_subnets.SUBNETS["IE"]] = ADDRESSES["us-east-1"]
    code, out = verify(aws[0], capsys, "--json")
    ireland = next(row for row in json.loads(out)["routing"] if row["country"] == "IE")
    assert code == 3 and (ireland["answered"], ireland["route53"], ireland["ok"]) == ("eu-west-1", "us-east-1", False)


def test_users_join_the_table_and_json_and_a_violation_is_exit_3(aws, capsys):
    code, out = verify(aws[0], capsys, "--users")
    assert code == 0, out
    assert "REGION" in out and "SIGN-UP" in out and "released: the pending claims of 3 throwaway address(es)" in out
    assert "left to expire" not in out
    aws[2].may_not_invoke.add("us-east-1")
    code, out = verify(aws[0], capsys, "--users")
    assert code == 0 and "left to expire: pending claim of residency-verify-" in out and "AccessDenied" in out
    aws[2].no_trigger.add("eu-west-1")
    code, out = verify(aws[0], capsys, "--users", "--json")
    document = json.loads(out)
    assert code == 3 and document["exit_code"] == 3
    # eu-west-1 runs no trigger, so it claimed nothing, and us-east-1 took its address
    assert [user["violation"] for user in document["users"]] == [False, True, False]
    assert document["not_deleted"] == [] and all(users == [] for users in aws[2].users().values())


def test_a_user_left_behind_is_exit_1_and_named(aws, capsys):
    aws[2].refuse_deletion.add("us-east-1")
    code, out = verify(aws[0], capsys, "--users")
    assert code == 1 and "not deleted: user residency-verify-" in out and "admin-delete-user --region us-east-1" in out


def test_an_interrupted_users_run_names_what_it_could_not_delete(aws, capsys):
    aws[2].refuse_deletion.add("eu-central-1")
    aws[2].interrupt_on = "us-east-1"
    aws[2].interrupt = lambda: os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the terminal sends it
    code, _out = verify(aws[0], capsys, "--users")
    err = capsys.readouterr().err
    assert code == 1 and "interrupted" in err
    assert "not deleted: user residency-verify-" in err and "(eu-central-1)" in err
