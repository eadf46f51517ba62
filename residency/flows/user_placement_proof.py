"""`verify --users`: throwaway sign-ups that prove, on AWS, that an address lives in one region only.

Every region signs up a fresh address of its own through its pool's app client, unauthenticated, as a user
would (expected: accepted). Then each address is signed up in another region, of a different jurisdiction where
regions.yaml has one (expected: rejected by the pre-sign-up trigger, because the directory now holds the
address's claim for its own region). That rejection counts only when the same region accepted its own fresh
address in this run: otherwise its trigger may be rejecting everyone, and the rejection proves nothing.

Afterwards every user is deleted from every pool a sign-up was sent to, also on failure and on Ctrl-C; what
could not be deleted is named. The pending directory claim an accepted sign-up made is released by the region's
claim reconciler function (handlers/claim_reconciler.py), invoked with the throwaway addresses: only residency's
functions may compute a user key (the HMAC key's policy), and that function releases pending claims of addresses
of this form only. A claim it could not release (the caller may not invoke it: the organization SCP lets only the
deployer roles) is named; it binds nobody once `pending_claim_hours` pass, and the table's TTL deletes it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from handlers import settings
from residency.errors import ResidencyError
from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config

ACCEPTED = "accepted"
REJECTED = "rejected"
FAILED = "failed"  # neither: the request itself failed (a wrong client id, throttling, a password policy)
NOT_TRIED = "not tried"
# Cognito's error when a trigger raises: its message carries the trigger's.
TRIGGER_REJECTION = "UserLambdaValidationException"
ADDRESS_DOMAIN = settings.THROWAWAY_ADDRESS_DOMAIN  # RFC 2606: never resolves, so no mail reaches anyone
ADDRESS_PREFIX = settings.THROWAWAY_ADDRESS_PREFIX

Progress = Callable[[str], None]
ClientFor = Callable[[str], Any]  # region -> cognito-idp client of that region
ReleaseClaims = Callable[[str, list[str]], int]  # (region, throwaway addresses) -> how many claims it released


@dataclass(frozen=True)
class Pool:
    region: str
    pool_id: str
    client_id: str


@dataclass
class Attempt:
    region: str
    expected: str  # accepted | rejected
    outcome: str = NOT_TRIED
    detail: str = ""


@dataclass
class UserProof:
    home: str
    jurisdiction: str
    address: str
    signup: Attempt
    elsewhere: Attempt | None = None  # None: regions.yaml lists no other region
    elsewhere_jurisdiction: str | None = None
    problem: str | None = None
    violation: bool = False
    claim: str | None = None  # the pending directory claim left to expire, described
    claim_released: bool = False

    def as_json(self) -> dict[str, object]:
        return {"region": self.home, "jurisdiction": self.jurisdiction, "address": self.address,
                "signup": vars(self.signup), "elsewhere": vars(self.elsewhere) if self.elsewhere else None,
                "elsewhere_jurisdiction": self.elsewhere_jurisdiction, "ok": self.problem is None,
                "violation": self.violation, "problem": self.problem, "claim_left_to_expire": self.claim,
                "claim_released": self.claim_released}


@dataclass
class UsersReport:
    proofs: list[UserProof] = field(default_factory=list)
    # (region, pool id, address) of every user a sign-up may have created and no deletion has removed yet
    undeleted: list[tuple[str, str, str]] = field(default_factory=list)
    cleanup_errors: list[str] = field(default_factory=list)
    # (region, address) of users an earlier run left behind (killed before it could delete them), removed now
    swept: list[tuple[str, str]] = field(default_factory=list)
    # (region, address) of the pending claims released, this run's and those of the earlier runs' swept users
    released: list[tuple[str, str]] = field(default_factory=list)

    @property
    def violations(self) -> list[UserProof]:
        return [proof for proof in self.proofs if proof.violation]

    @property
    def failed(self) -> bool:
        return any(proof.problem for proof in self.proofs) or bool(self.undeleted)

    def left_behind(self) -> list[str]:
        """What an operator must delete by hand, by name."""
        return [f"user {address} in user pool {pool_id} ({region}): aws cognito-idp admin-delete-user --region "
                f"{region} --user-pool-id {pool_id} --username {address}"
                for region, pool_id, address in self.undeleted]

    def as_json(self) -> list[dict[str, object]]:
        return [proof.as_json() for proof in self.proofs]


def prove_users(config: Config, pools: dict[str, Pool], client_for: ClientFor, *, progress: Progress,
                report: UsersReport, release_claims: ReleaseClaims | None = None) -> UsersReport:
    """Sign up and remove a throwaway user per region (see the module's docstring); the findings in `report`,
    which also names, should this raise or be interrupted, every user not deleted. `release_claims` releases the
    pending claims of the throwaway addresses afterwards (without it they are left to expire)."""
    _sweep_earlier_runs(pools, client_for, report, progress)
    swept = list(report.swept)
    try:
        for region in config.regions:
            proof = UserProof(region, config.regions[region].jurisdiction, throwaway_address(),
                              Attempt(region, ACCEPTED))
            report.proofs.append(proof)
            _sign_up(config, pools[region], client_for, proof.address, proof.signup, report)
            progress(f"verify --users: {region} {proof.signup.outcome} a new address")
        for proof in report.proofs:
            _sign_up_elsewhere(config, pools, client_for, proof, report)
    finally:
        _delete_users(client_for, report)
        if release_claims is not None:
            _release_claims(release_claims, report, swept, progress)
    for proof in report.proofs:
        _judge(config, proof, report)
    return report


def _release_claims(release_claims: ReleaseClaims, report: UsersReport, swept: list[tuple[str, str]],
                    progress: Progress) -> None:
    """Release, region by region, the pending claims of this run's accepted addresses and of the earlier runs'."""
    by_region: dict[str, list[str]] = {}
    for proof in report.proofs:
        if proof.signup.outcome == ACCEPTED:
            by_region.setdefault(proof.home, []).append(proof.address)
    for region, address in swept:
        by_region.setdefault(region, []).append(address)
    for region, addresses in by_region.items():
        try:
            release_claims(region, addresses)
        except Exception as error:  # noqa: BLE001 - every other region is still released, and this one is named
            report.cleanup_errors.append(f"{region}: cannot release the throwaway addresses' claims: {error}")
            continue
        report.released += [(region, address) for address in addresses]
        for proof in report.proofs:
            if proof.home == region and proof.address in addresses:
                proof.claim_released = True
        progress(f"verify --users: released {len(addresses)} throwaway claim(s) in {region}")


def release_through_reconciler(project: str, lambda_for: ClientFor) -> ReleaseClaims:
    """Release throwaway claims by invoking each region's claim reconciler (the only code that may compute a
    user key and delete a claim)."""
    import json

    from residency import naming

    def release(region: str, addresses: list[str]) -> int:
        response = lambda_for(region).invoke(
            FunctionName=naming.function_name(project, region, naming.CLAIM_RECONCILER_FUNCTION),
            Payload=json.dumps({"release_throwaway_addresses": addresses}).encode("utf-8"))
        body = response["Payload"].read(64 * 1024)
        if response.get("FunctionError"):
            raise ResidencyError(f"the claim reconciler failed ({response['FunctionError']})")
        answer = json.loads(body or b"{}")
        if not isinstance(answer, dict) or answer.get("refused"):
            raise ResidencyError(f"the claim reconciler refused some addresses: {answer}")
        return int(answer.get("released", 0))

    return release


def _sweep_earlier_runs(pools: dict[str, Pool], client_for: ClientFor, report: UsersReport,
                        progress: Progress) -> None:
    """Users of an earlier run that was killed (SIGKILL, a lost machine) before it could delete them: found by the
    throwaway addresses' prefix and domain, which no one else's address has, deleted and reported."""
    from botocore.exceptions import BotoCoreError, ClientError

    for region, pool in pools.items():
        client = client_for(region)
        try:
            pages = client.get_paginator("list_users").paginate(
                UserPoolId=pool.pool_id, Filter=f'email ^= "{ADDRESS_PREFIX}"', AttributesToGet=["email"])
            found = [(user["Username"], _email(user)) for page in pages for user in page.get("Users", [])]
        except (ClientError, BotoCoreError) as error:
            report.cleanup_errors.append(f"{region}: cannot look for an earlier run's users: {error}")
            continue
        for username, address in found:
            if not (address.startswith(ADDRESS_PREFIX) and address.endswith(f"@{ADDRESS_DOMAIN}")):
                continue
            try:
                client.admin_delete_user(UserPoolId=pool.pool_id, Username=username)
            except (ClientError, BotoCoreError) as error:
                report.cleanup_errors.append(f"{region}: cannot delete {address}, left by an earlier run: {error}")
                continue
            report.swept.append((region, address))
            progress(f"verify --users: removed {address} from {region}, left by an earlier run that was stopped")


def _email(user: dict[str, Any]) -> str:
    return next((attribute["Value"] for attribute in user.get("Attributes", []) if attribute["Name"] == "email"), "")


def read_pools(config: Config, paths: ProjectPaths, *, mirror: str | None, progress: Progress) -> dict[str, Pool]:
    """Each region's user pool and app client, from its workspace's outputs."""
    from residency.flows.workspace_access import outputs

    found = outputs(config, paths, list(config.regions), mirror=mirror, progress=progress)
    pools, missing = {}, []
    for region in config.regions:
        values = found.get(region, {})
        pool_id, client_id = values.get("user_pool_id"), values.get("user_pool_client_id")
        if isinstance(pool_id, str) and isinstance(client_id, str):
            pools[region] = Pool(region, pool_id, client_id)
        else:
            missing.append(region)
    if missing:
        raise ResidencyError(f"no user pool in the outputs of {', '.join(missing)}: nothing to sign up with",
                             hint=f"residency apply {' '.join(missing)}")
    return pools


def throwaway_address() -> str:
    return f"{ADDRESS_PREFIX}{secrets.token_hex(8)}@{ADDRESS_DOMAIN}"


def other_region(config: Config, region: str) -> str | None:
    """Where an address of `region` must be refused: a region of another jurisdiction if there is one."""
    others = [code for code in config.regions if code != region]
    abroad = [code for code in others if config.regions[code].jurisdiction != config.regions[region].jurisdiction]
    return next(iter(abroad + others), None)


def _sign_up_elsewhere(config: Config, pools: dict[str, Pool], client_for: ClientFor, proof: UserProof,
                       report: UsersReport) -> None:
    other = other_region(config, proof.home)
    if other is None:
        return
    proof.elsewhere = Attempt(other, REJECTED)
    proof.elsewhere_jurisdiction = config.regions[other].jurisdiction
    if proof.signup.outcome != ACCEPTED:
        proof.elsewhere.detail = f"the address has no home: {proof.home} did not accept it"
        return
    _sign_up(config, pools[other], client_for, proof.address, proof.elsewhere, report)


def _sign_up(config: Config, pool: Pool, client_for: ClientFor, address: str, attempt: Attempt,
             report: UsersReport) -> None:
    """One SignUp through the pool's app client, as a user's browser sends it (with the region GET /config
    gives), the outcome in `attempt`."""
    from botocore.exceptions import BotoCoreError, ClientError

    # Written down before the request: an interrupted request may still have created the user.
    report.undeleted.append((pool.region, pool.pool_id, address))
    try:
        client_for(pool.region).sign_up(
            ClientId=pool.client_id, Username=address, Password=_password(config.identity.password_min_length),
            UserAttributes=[{"Name": "email", "Value": address}, {"Name": "custom:region", "Value": pool.region}])
        attempt.outcome, attempt.detail = ACCEPTED, f"accepted by {pool.pool_id}"
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        # Only the trigger's refusal of a claimed address proves the claim: it also refuses (the same exception,
        # another message) when it cannot reach the directory, which proves nothing.
        claimed = code == TRIGGER_REJECTION and settings.SIGN_UP_CLAIMED_ELSEWHERE in message
        attempt.outcome = REJECTED if claimed else FAILED
        attempt.detail = f"{code}: {message}"
    except BotoCoreError as error:
        attempt.outcome, attempt.detail = FAILED, str(error)


def _password(min_length: int) -> str:
    # Every class the pool requires, longer than its minimum; nobody ever signs in with it.
    return secrets.token_urlsafe(max(min_length, 32)) + "aA1!"


def _delete_users(client_for: ClientFor, report: UsersReport) -> None:
    """Delete every user a sign-up may have created; what remains stays in `report.undeleted`."""
    from botocore.exceptions import ClientError

    for region, pool_id, address in list(report.undeleted):
        try:
            client_for(region).admin_delete_user(UserPoolId=pool_id, Username=address)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "UserNotFoundException":  # refused: nothing to delete
                report.cleanup_errors.append(f"{address} in {pool_id} ({region}): {error}")
                continue
        except Exception as error:  # noqa: BLE001 - every other user is still deleted, and this one is named
            report.cleanup_errors.append(f"{address} in {pool_id} ({region}): {error}")
            continue
        report.undeleted.remove((region, pool_id, address))


def _judge(config: Config, proof: UserProof, report: UsersReport) -> None:
    own, elsewhere = proof.signup, proof.elsewhere
    if own.outcome == ACCEPTED and not proof.claim_released:
        hours = config.directory.pending_claim_hours
        proof.claim = (f"pending claim of {proof.address} for {proof.home}: binds nobody after "
                       f"{time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime(time.time() + hours * 3600))}")
    problems = []
    if own.outcome != ACCEPTED:
        problems.append(f"{proof.home} did not accept a new address ({own.detail})")
    if elsewhere is not None and own.outcome == ACCEPTED:
        problems += _judged_elsewhere(proof, elsewhere, report)
    problems += [f"not deleted: user {address} in {pool_id} ({region})"
                 for region, pool_id, address in report.undeleted if address == proof.address]
    proof.problem = "; ".join(problems) or None


def _judged_elsewhere(proof: UserProof, elsewhere: Attempt, report: UsersReport) -> list[str]:
    if elsewhere.outcome == ACCEPTED:
        proof.violation = proof.elsewhere_jurisdiction != proof.jurisdiction
        return [f"{elsewhere.region} ({proof.elsewhere_jurisdiction}) accepted an address already claimed for "
                f"{proof.home} ({proof.jurisdiction})"]
    if elsewhere.outcome != REJECTED:
        return [f"the sign-up in {elsewhere.region} failed, so nothing is proven ({elsewhere.detail})"]
    control = next(other.signup for other in report.proofs if other.home == elsewhere.region)
    if control.outcome != ACCEPTED:
        return [f"{elsewhere.region} rejected the address, but also a new one of its own, so the rejection "
                f"proves nothing ({elsewhere.detail})"]
    return []
