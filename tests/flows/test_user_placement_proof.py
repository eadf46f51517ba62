"""`verify --users` against moto's Cognito, in process.

moto's Cognito keeps a pool's Lambda triggers as settings and never runs them, so the residency pre-sign-up
trigger is stood in for by a botocore event hook on the SignUp calls: the first region to sign an address up
claims it, and a SignUp of that address in any other region gets UserLambdaValidationException with the
trigger's message, as Cognito answers when a pre-sign-up trigger raises. The trigger's own rules are tested
in tests/handlers; this proves what verify does with the answers, and that it deletes what it created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from residency.config import load_config
from residency.flows.user_placement_proof import (
    ACCEPTED,
    FAILED,
    REJECTED,
    Pool,
    UsersReport,
    other_region,
    prove_users,
    release_through_reconciler,
)

CONFIG = """project: acme-users
target: aws
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE, EU]}
  eu-west-1: {jurisdiction: EU, countries: [IE]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
"""
HELD_ELSEWHERE = "PreSignUp failed with error This account cannot be registered here.."
UNAVAILABLE = "PreSignUp failed with error Sign-up is temporarily unavailable. Please try again.."


def config_of(tmp_path, text: str = CONFIG):  # type: ignore[no-untyped-def]
    (tmp_path / "regions.yaml").write_text(text)
    return load_config(tmp_path / "regions.yaml")


class Cognito:
    """Every region's pool in moto, and a stand-in for residency's pre-sign-up trigger (see the docstring)."""

    def __init__(self, regions: list[str]) -> None:
        self.session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        self.claims: dict[str, str] = {}  # address -> the region that claimed it
        self.no_trigger: set[str] = set()  # regions whose pool runs no trigger: they accept anything
        self.failing: set[str] = set()  # regions whose trigger fails on every sign-up
        self.unreachable_claims: set[str] = set()  # regions whose trigger cannot read another region's claim
        self.refuse_all_as_claimed: set[str] = set()  # regions whose trigger says "claimed elsewhere" to everyone
        self.refuse_deletion: set[str] = set()
        self.may_not_invoke: set[str] = set()  # regions whose claim reconciler the caller may not invoke
        self.interrupt_on: str | None = None  # a region whose SignUp is interrupted (Ctrl-C)
        self.pools: dict[str, Pool] = {}
        for region in regions:
            client = self.session.client("cognito-idp", region_name=region)
            pool = client.create_user_pool(PoolName=f"acme-{region}", UsernameAttributes=["email"], Schema=[
                {"Name": "region", "AttributeDataType": "String", "Mutable": False}])["UserPool"]["Id"]
            app = client.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
            self.pools[region] = Pool(region, pool, app)
        self.session.events.register("before-call.cognito-identity-provider.SignUp", self.pre_sign_up)
        self.session.events.register("before-call.cognito-identity-provider.AdminDeleteUser", self.deleting)
        self.clients: dict[str, Any] = {}

    def client_for(self, region: str) -> Any:
        if region not in self.clients:
            self.clients[region] = self.session.client("cognito-idp", region_name=region)
        return self.clients[region]

    def pre_sign_up(self, params: dict[str, Any], **kwargs: Any) -> Any:
        body = json.loads(params["body"])
        region = next(r for r, pool in self.pools.items() if pool.client_id == body["ClientId"])
        if region == self.interrupt_on:
            self.interrupt()
        if region in self.no_trigger:
            return None
        if region in self.failing:
            return self.rejection(UNAVAILABLE)
        if region in self.unreachable_claims and body["Username"] in self.claims:
            return self.rejection(UNAVAILABLE)  # a directory read failing just then: the claim was never checked
        if region in self.refuse_all_as_claimed or self.claims.setdefault(body["Username"], region) != region:
            return self.rejection(HELD_ELSEWHERE)
        return None

    @staticmethod
    def interrupt() -> None:
        raise KeyboardInterrupt

    def deleting(self, params: dict[str, Any], **kwargs: Any) -> Any:
        pool = json.loads(params["body"])["UserPoolId"]
        if any(self.pools[region].pool_id == pool for region in self.refuse_deletion):
            return self.error("InternalErrorException", "try again")
        return None

    def rejection(self, message: str) -> Any:
        return self.error("UserLambdaValidationException", message)

    @staticmethod
    def error(code: str, message: str) -> Any:
        return AWSResponse("https://cognito-idp", 400, {}, None), {"Error": {"Code": code, "Message": message}}

    def lambda_for(self, region: str) -> Any:
        return _Reconciler(self, region)

    def users(self) -> dict[str, list[str]]:
        found = {}
        for region, pool in self.pools.items():
            listed = self.client_for(region).list_users(UserPoolId=pool.pool_id)["Users"]
            found[region] = [next(a["Value"] for a in user["Attributes"] if a["Name"] == "email") for user in listed]
        return found


class _Reconciler:
    """A region's claim reconciler as verify invokes it: it releases the pending claims of throwaway addresses
    held by its region (the real function's rules: tests/handlers/test_claim_reconciler.py)."""

    def __init__(self, cognito: Cognito, region: str) -> None:
        self.cognito, self.region = cognito, region

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:  # noqa: N803 - boto3's names
        import io

        from botocore.exceptions import ClientError

        from handlers.claim_reconciler import THROWAWAY

        if self.region in self.cognito.may_not_invoke:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "explicit deny in an SCP"}},
                              "Invoke")
        if not FunctionName.endswith(f"-{self.region}-reconcile"):
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": FunctionName}}, "Invoke")
        addresses = json.loads(Payload)["release_throwaway_addresses"]
        released = [a for a in addresses if THROWAWAY.fullmatch(a) and self.cognito.claims.get(a) == self.region]
        for address in released:
            del self.cognito.claims[address]
        refused = sum(not THROWAWAY.fullmatch(a) for a in addresses)
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps({"released": len(released),
                                                                     "refused": refused}).encode())}


@pytest.fixture
def cognito() -> Iterator[Cognito]:
    with mock_aws():
        yield Cognito(["eu-central-1", "eu-west-1", "us-east-1"])


def proven(config, cognito: Cognito) -> UsersReport:  # type: ignore[no-untyped-def]
    return prove_users(config, cognito.pools, cognito.client_for, progress=lambda text: None, report=UsersReport(),
                       release_claims=release_through_reconciler(config.project, cognito.lambda_for))


def nobody_left(cognito: Cognito) -> bool:
    return all(users == [] for users in cognito.users().values())


def test_each_region_accepts_its_own_address_and_another_jurisdiction_refuses_it(tmp_path, cognito):
    report = proven(config_of(tmp_path), cognito)
    assert [(p.home, p.signup.outcome, p.elsewhere and p.elsewhere.region, p.elsewhere and p.elsewhere.outcome,
             p.problem) for p in report.proofs] == [
        ("eu-central-1", ACCEPTED, "us-east-1", REJECTED, None), ("eu-west-1", ACCEPTED, "us-east-1", REJECTED, None),
        ("us-east-1", ACCEPTED, "eu-central-1", REJECTED, None)]
    assert not report.failed and report.violations == [] and report.left_behind() == []
    assert nobody_left(cognito)
    assert all(p.address.endswith("@verify.invalid") for p in report.proofs)
    assert len({p.address for p in report.proofs}) == 3
    assert report.proofs[0].claim is None and report.proofs[0].claim_released  # released, not left to expire
    assert "This account cannot be registered here" in report.proofs[0].as_json()["elsewhere"]["detail"]  # type: ignore[index]


def test_another_jurisdiction_accepting_a_claimed_address_is_a_violation(tmp_path, cognito):
    cognito.no_trigger.add("us-east-1")  # which also claims nothing: its own address is then free in the EU
    report = proven(config_of(tmp_path), cognito)
    assert [p.home for p in report.violations] == ["eu-central-1", "eu-west-1", "us-east-1"]
    assert "us-east-1 (US) accepted an address already claimed for eu-central-1 (EU)" in str(
        report.proofs[0].problem)
    assert nobody_left(cognito)  # the wrongly accepted users are deleted too


def test_the_same_jurisdiction_accepting_it_is_a_failure_not_a_violation(tmp_path):
    with mock_aws():
        cognito = Cognito(["eu-central-1", "eu-west-1"])
        cognito.no_trigger.add("eu-west-1")
        report = proven(config_of(tmp_path, CONFIG.replace("  us-east-1: {jurisdiction: US, countries: [US], "
                                                           "default: true}\n", "").replace(
            "[IE]}", "[IE], default: true}")), cognito)
        assert report.failed and report.violations == []
        assert report.proofs[0].elsewhere is not None and report.proofs[0].elsewhere.region == "eu-west-1"
        assert nobody_left(cognito)


def test_a_region_refusing_its_own_address_fails_and_its_rejections_prove_nothing(tmp_path, cognito):
    cognito.failing.add("us-east-1")
    report = proven(config_of(tmp_path), cognito)
    us = report.proofs[2]
    assert us.signup.outcome == FAILED and "us-east-1 did not accept a new address" in str(us.problem)
    assert us.elsewhere is not None and us.elsewhere.outcome == "not tried"
    assert "the sign-up in us-east-1 failed, so nothing is proven" in str(report.proofs[0].problem)
    assert report.failed and report.violations == []


def test_a_region_without_another_is_only_signed_up(tmp_path):
    with mock_aws():
        cognito = Cognito(["eu-central-1"])
        report = proven(config_of(tmp_path, "project: acme-users\ntarget: aws\nregions:\n"
                                            "  eu-central-1: {jurisdiction: EU, countries: [DE], default: true}\n"),
                        cognito)
        assert report.proofs[0].elsewhere is None and not report.failed and nobody_left(cognito)


def test_the_other_region_is_of_another_jurisdiction_when_there_is_one(tmp_path):
    config = config_of(tmp_path)
    assert [other_region(config, region) for region in config.regions] == ["us-east-1", "us-east-1", "eu-central-1"]


def test_an_interrupted_run_deletes_what_it_created(tmp_path, cognito):
    cognito.interrupt_on = "us-east-1"  # after both EU sign-ups were accepted
    report = UsersReport()
    with pytest.raises(KeyboardInterrupt):
        prove_users(config_of(tmp_path), cognito.pools, cognito.client_for, progress=lambda text: None,
                    report=report)
    assert [p.signup.outcome for p in report.proofs] == [ACCEPTED, ACCEPTED, "not tried"]
    assert nobody_left(cognito) and report.undeleted == [] and report.left_behind() == []


def test_a_user_that_cannot_be_deleted_is_named_with_the_command_to_delete_it(tmp_path, cognito):
    cognito.refuse_deletion.add("eu-west-1")
    report = proven(config_of(tmp_path), cognito)
    address, pool = report.proofs[1].address, cognito.pools["eu-west-1"].pool_id
    assert report.left_behind() == [
        f"user {address} in user pool {pool} (eu-west-1): aws cognito-idp admin-delete-user --region eu-west-1 "
        f"--user-pool-id {pool} --username {address}"]
    assert report.failed and f"not deleted: user {address}" in str(report.proofs[1].problem)
    assert cognito.users() == {"eu-central-1": [], "eu-west-1": [address], "us-east-1": []}


def test_a_refusal_for_any_other_reason_than_the_claim_proves_nothing(tmp_path, cognito):
    """The trigger refuses with the same exception when it cannot read the directory: that refusal is no proof,
    even though the region accepted its own new address a moment before."""
    cognito.unreachable_claims.add("us-east-1")
    report = proven(config_of(tmp_path), cognito)
    eu = {p.home: p for p in report.proofs}
    for home in ("eu-central-1", "eu-west-1"):
        assert eu[home].elsewhere is not None and eu[home].elsewhere.outcome == FAILED
        assert "nothing is proven" in str(eu[home].problem) and "temporarily unavailable" in str(eu[home].problem)
    assert eu["us-east-1"].problem is None  # its own address, refused in the EU for the claim: proven
    assert report.failed and report.violations == []
    assert nobody_left(cognito)


def test_a_region_that_says_claimed_elsewhere_to_everyone_proves_nothing(tmp_path, cognito):
    cognito.refuse_all_as_claimed.add("us-east-1")
    report = proven(config_of(tmp_path), cognito)
    assert "us-east-1 rejected the address, but also a new one of its own" in str(report.proofs[0].problem)
    assert report.failed and report.violations == [] and nobody_left(cognito)


def test_users_an_earlier_killed_run_left_behind_are_removed_and_named(tmp_path, cognito):
    """A run killed with SIGKILL could delete nothing: the next run finds its throwaway users and removes them;
    nobody else's user is touched, even one whose address merely looks alike."""
    pool = cognito.pools["eu-west-1"]
    client = cognito.client_for("eu-west-1")
    for address in ("residency-verify-0123456789abcdef@verify.invalid", "residency-verify-ada@example.com",
                    "ada@example.com"):
        client.admin_create_user(UserPoolId=pool.pool_id, Username=address,
                                 UserAttributes=[{"Name": "email", "Value": address}])
    notices: list[str] = []
    report = prove_users(config_of(tmp_path), cognito.pools, cognito.client_for, progress=notices.append,
                         report=UsersReport())
    assert report.swept == [("eu-west-1", "residency-verify-0123456789abcdef@verify.invalid")]
    assert "verify --users: removed residency-verify-0123456789abcdef@verify.invalid from eu-west-1, left by an " \
           "earlier run that was stopped" in notices
    assert sorted(cognito.users()["eu-west-1"]) == ["ada@example.com", "residency-verify-ada@example.com"]


def test_the_throwaway_addresses_claims_are_released_by_each_regions_reconciler(tmp_path, cognito):
    report = proven(config_of(tmp_path), cognito)
    assert not report.failed
    assert cognito.claims == {}  # every claim of the run released
    assert sorted(region for region, _ in report.released) == ["eu-central-1", "eu-west-1", "us-east-1"]
    assert all(proof.claim is None and proof.as_json()["claim_released"] for proof in report.proofs)


def test_a_claim_the_caller_may_not_release_is_left_to_expire_and_named(tmp_path, cognito):
    cognito.may_not_invoke.add("eu-west-1")
    report = proven(config_of(tmp_path), cognito)
    left = [proof for proof in report.proofs if proof.claim]
    assert [proof.home for proof in left] == ["eu-west-1"] and "binds nobody after" in left[0].claim
    assert list(cognito.claims.values()) == ["eu-west-1"]
    assert any("eu-west-1: cannot release" in problem and "AccessDenied" in problem
               for problem in report.cleanup_errors)
