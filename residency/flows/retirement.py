"""`residency region retire REGION`: remove a region taken out of regions.yaml, never its data by accident.

The order is the point: plan the destruction from the region's state and count the personal data
still there (refused unless it is exported first or `--force` is given); the user confirms by typing
the region's name; `global` is applied so that no user is sent there any more; then the data is
exported, what Terraform cannot delete is emptied, and the region is destroyed. Run again after a
failure, it picks up where it stopped (a destroyed region leaves only global to apply).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency import naming
from residency.config.aws_regions import REGIONS
from residency.errors import ExitCode, ResidencyError, UsageError
from residency.flows import directory_claims, region_data
from residency.flows.orphans import find_orphans, last_served
from residency.flows.terraform_runs import (
    Progress,
    RunOptions,
    RunReporter,
    run,
    synth,
    terraform_settings,
    terraform_tools,
)
from residency.paths import ProjectPaths
from residency.personal_data import (
    DeclaredStore,
    MalformedDeclaration,
    StoreKind,
    of_kind,
    state_resources,
    stores_in_state,
)
from residency.target import LOCAL_ENDPOINT_VARIABLE
from residency.terraform.interrupts import forwarding_interrupts
from residency.terraform.locks import workspace_lock
from residency.terraform.manifest import SYNTHESIZED, Workspace, read_manifest, read_synthesized
from residency.terraform.operations import Confirm, Operation, Outcome, Status, init_failed
from residency.terraform.runner import Terraform
from residency.terraform.scheduler import Stop

if TYPE_CHECKING:
    from residency.config import Config


class RetirementRefused(ResidencyError):
    """The region still holds personal data and nothing says what to do with it."""


@dataclass(frozen=True)
class RetirementPlan:
    region: str
    destroys: int  # resources the region's state still lists
    data: region_data.Inventory
    claims: int  # directory entries that bind an address to the region; released once it is destroyed


# Shown the plan, says whether to go on (the CLI asks the user to type the region's name).
ConfirmRetirement = Callable[[RetirementPlan], bool]


@dataclass
class RetirementResult:
    region: str
    destroyed: int = 0
    exported: region_data.ExportReport | None = None
    global_outcome: Outcome | None = None
    claims_released: int = 0

    @property
    def retired(self) -> bool:
        return self.global_outcome is not None and self.global_outcome.succeeded

    @property
    def exit_code(self) -> ExitCode:
        if self.retired:
            return ExitCode.OK
        # A refused global names the region to retire first; anything else is finished by running it again.
        refused = self.global_outcome is not None and self.global_outcome.status is Status.REFUSED
        return ExitCode.VIOLATION if refused else ExitCode.FAILED


def retire(config: Config, paths: ProjectPaths, region: str, *, mirror: str | None, reporter: RunReporter,
           confirm: ConfirmRetirement, confirm_global: Confirm, options: RunOptions, export_dir: Path | None,
           force: bool) -> RetirementResult:
    require_removed(config, region)
    if export_dir is not None:
        region_data.check_export_target(export_dir, region)
    lock_timeout_seconds = options.lock_timeout_seconds
    # One retirement per project at a time: they share the synthesized retirement workspace.
    with workspace_lock(paths.work / "locks", "retire", lock_timeout_seconds, "retire"):
        prepared = _prepare(config, paths, region, mirror=mirror, reporter=reporter, options=options)
        if prepared is not None:
            _refuse_unless_data_is_handled(prepared.plan.region, prepared.plan.data, export_dir, force)
            _refuse_while_trails_deliver_here(config, region, prepared.data.stores, prepared.endpoint, force)
            _refuse_unless_log_files_may_go(region, _audit_buckets(config, region, prepared.data.stores),
                                            prepared.plan.data, prepared.clients, prepared.endpoint)
            if not confirm(prepared.plan):
                raise ResidencyError(f"{region}: not retired (not confirmed)")
        # Global first: no new user is sent to the region while its data is exported and removed.
        result = RetirementResult(region)
        result.global_outcome = _stop_routing(config, paths, region, mirror=mirror, reporter=reporter,
                                              confirm=confirm_global, options=options)
        if prepared is not None and result.global_outcome is not None and result.global_outcome.succeeded:
            stop = Stop()
            with forwarding_interrupts(prepared.terraform, stop, reporter.say):
                _export_and_destroy(prepared, result, export_dir, force, reporter, stop)
    return result


def _refuse_while_trails_deliver_here(config: Config, region: str, stores: Iterable[DeclaredStore],
                                      endpoint: str | None, force: bool) -> None:
    """A region that kept its jurisdiction's audit bucket is retired only once no trail of the jurisdiction
    delivers there any more: destroyed with it, the log files they deliver meanwhile would be lost."""
    buckets = _audit_buckets(config, region, stores)
    if not buckets or force:
        return
    from botocore.exceptions import BotoCoreError, ClientError

    jurisdiction = REGIONS[region].jurisdiction
    others = [code for code, listed in config.regions.items() if listed.jurisdiction == jurisdiction]
    delivering = []
    for other in others:
        trail = naming.audit_trail_name(config.project, other)
        try:
            found = region_data.service_client("cloudtrail", other, endpoint).describe_trails(
                trailNameList=[trail], includeShadowTrails=False).get("trailList", [])
        except (BotoCoreError, ClientError) as error:
            raise RetirementRefused(
                f"{region} keeps the {jurisdiction} audit bucket, and whether {other}'s trail still delivers there "
                f"cannot be read: {error}",
                hint=f"apply {' '.join(others)} first (`residency apply {' '.join(others)}`), then retire again; "
                     "--force retires it anyway") from None
        if any(item.get("S3BucketName") in buckets for item in found):
            delivering.append(other)
    if delivering:
        raise RetirementRefused(
            f"{region} keeps the {jurisdiction} audit bucket, and the audit trail of {', '.join(delivering)} still "
            "delivers there: destroyed now, what they deliver meanwhile would be lost",
            hint=f"apply them first (`residency apply {' '.join(delivering)}`): their trails move to the "
                 f"jurisdiction's new audit home, {config.audit_home(jurisdiction) or others[0]}; then retire "
                 f"{region} again; --force retires it anyway")


def _audit_buckets(config: Config, region: str, stores: Iterable[DeclaredStore]) -> set[str]:
    """The audit bucket(s) a region kept as its jurisdiction's audit home."""
    prefix = naming.audit_bucket_name(config.project, region, "")
    return {store.name for store in of_kind(stores, StoreKind.BUCKET) if store.name.startswith(prefix)}


@dataclass(frozen=True)
class _DefaultRetention:
    mode: str  # GOVERNANCE or COMPLIANCE
    period: timedelta


def _refuse_unless_log_files_may_go(region: str, buckets: set[str], inventory: region_data.Inventory,
                                    clients: region_data.Clients, endpoint: str | None) -> None:
    """An audit bucket is emptied only as far as its policy and Object Lock allow: found out here, before anything
    changes, rather than once global is applied and the export written. --force changes nothing: AWS would refuse
    all the same. Under governance-mode Object Lock the deletions bypass it, as the break-glass role may."""
    for bucket in (count.store.name for count in inventory.counts if count.store.name in buckets and count.versions):
        retention = _default_retention(clients.s3, bucket)
        if retention is not None and retention.mode == "COMPLIANCE":
            _refuse_before_the_retention_ends(region, bucket, retention.period, clients.s3)
        if endpoint is None:  # the emulator does not enforce the deny (moto checks only s3:DeleteObject)
            _require_the_break_glass_role(region, bucket, clients.s3,
                                          region_data.service_client("sts", region, None))
        if retention is not None and retention.mode == "GOVERNANCE":
            _bypass_governance_retention(clients.s3, bucket)


def _default_retention(s3: Any, bucket: str) -> _DefaultRetention | None:
    found = _read(bucket, "Object Lock configuration", lambda: s3.get_object_lock_configuration(Bucket=bucket),
                  absent="ObjectLockConfigurationNotFoundError")
    default = (found or {}).get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention")
    if not default:
        return None
    return _DefaultRetention(default["Mode"], timedelta(days=default.get("Days") or 365 * default.get("Years", 0)))


def _refuse_before_the_retention_ends(region: str, bucket: str, period: timedelta, s3: Any) -> None:
    pages = _read(bucket, "versions", lambda: list(s3.get_paginator("list_object_versions").paginate(Bucket=bucket)))
    written = max((version["LastModified"] for page in pages for version in page.get("Versions", [])), default=None)
    if written is None or written + period <= datetime.now(UTC):
        return
    until = f"{written + period:%Y-%m-%d %H:%M} UTC"
    raise RetirementRefused(
        f"{region} keeps the audit bucket {bucket}, under compliance-mode Object Lock: its newest log file, "
        f"written {written:%Y-%m-%d}, is locked until {until} (the bucket's default retention), and nobody, the "
        "account's root user included, can delete it sooner",
        hint=f"retire {region} again after {until}; until then its resources stay. Nothing has changed yet")


def _require_the_break_glass_role(region: str, bucket: str, s3: Any, sts: Any) -> None:
    found = _read(bucket, "policy", lambda: s3.get_bucket_policy(Bucket=bucket), absent="NoSuchBucketPolicy")
    statements = json.loads(found["Policy"]).get("Statement", []) if found else []
    deny = next((statement for statement in statements if statement.get("Effect") == "Deny"
                 and "s3:DeleteObjectVersion" in statement.get("Action", [])), None)
    if deny is None:  # applied before the log files were protected
        return
    allowed = deny.get("Condition", {}).get("ArnNotEquals", {}).get("aws:PrincipalArn")
    if allowed is None:
        raise RetirementRefused(
            f"{region} keeps the audit bucket {bucket}, whose policy lets nobody delete its log files' versions "
            "(audit.break_glass_role was not set when it was last applied)",
            hint=f"the account's root user can remove the statement {deny.get('Sid', 'that denies it')} from the "
                 "bucket's policy (S3 always lets it change a bucket policy; no trail delivers there any more), then "
                 f"retire {region} again. Nothing has changed yet")
    caller = _read(bucket, "caller's identity", sts.get_caller_identity)["Arn"]
    if not _is_role(caller, allowed):
        raise RetirementRefused(
            f"{region} keeps the audit bucket {bucket}, whose policy lets only the break-glass role {allowed} delete "
            f"its log files' versions; this run is {caller}",
            hint=f"run `residency region retire {region}` again with that role's credentials (AWS_PROFILE naming a "
                 "profile that assumes it). Nothing has changed yet")


def _is_role(caller: str, role: str) -> bool:
    """Whether `caller` (as sts:GetCallerIdentity names it: a session is assumed-role/NAME/SESSION, without the
    role's path) is `role` or one of its sessions."""
    if caller == role:
        return True
    caller_parts, role_parts = caller.split(":", 5), role.split(":", 5)
    if len(caller_parts) < 6 or len(role_parts) < 6 or caller_parts[4] != role_parts[4]:  # another account
        return False
    kind, _, session = caller_parts[5].partition("/")
    return kind == "assumed-role" and session.split("/", 1)[0] == role_parts[5].rsplit("/", 1)[-1]


def _bypass_governance_retention(s3: Any, bucket: str) -> None:
    """Every DeleteObjects of `bucket` (the emptying before the destroy) asks to bypass governance mode."""
    def bypass(params: dict[str, Any], **_: Any) -> None:
        if params.get("Bucket") == bucket:
            params["BypassGovernanceRetention"] = True

    s3.meta.events.register("provide-client-params.s3.DeleteObjects", bypass)


def _read(bucket: str, what: str, call: Callable[[], Any], *, absent: str = "") -> Any:
    """call()'s answer, or None when AWS answers the error code `absent`; any other failure refuses."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except ClientError as error:
        if absent and error.response.get("Error", {}).get("Code") == absent:
            return None
        failure: Exception = error
    except BotoCoreError as error:
        failure = error
    raise RetirementRefused(f"the {what} of the audit bucket {bucket} cannot be read: {failure}",
                            hint="retire it with credentials that may read it; nothing has changed yet")


def require_removed(config: Config, region: str) -> None:
    """Only a region taken out of regions.yaml can be retired."""
    if region in config.regions:
        raise UsageError(f"{region} is still in regions.yaml",
                         hint=f"remove its entry from regions.yaml first; `residency plan --all` then lists "
                              f"{region} as an orphan")
    if region not in REGIONS:
        raise UsageError(f"{region!r} is not an AWS region code")


@dataclass(frozen=True)
class _Prepared:
    """A removed region ready to destroy: its planned destruction and the data still in it."""

    plan: RetirementPlan
    terraform: Terraform
    workspace: Workspace
    plan_file: Path
    data: region_data.RegionData
    clients: region_data.Clients
    directory: Any  # a DynamoDB client in the directory's (global) region
    directory_table: str
    endpoint: str | None  # the local emulator's URL; None on AWS


def _prepare(config: Config, paths: ProjectPaths, region: str, *, mirror: str | None, reporter: RunReporter,
             options: RunOptions) -> _Prepared | None:
    """Plan the destruction and count the data; None when the state lists nothing any more."""
    from residency.stacks import synthesize_retirement

    progress = reporter.say
    tools = terraform_tools(paths, mirror)
    settings = terraform_settings(config, paths, tools, options, progress)
    terraform = Terraform(settings, on_line=reporter.line)
    synthesize_retirement(config, region, paths.retirement_out)
    workspace = _with_absolute_local_state(read_manifest(paths.retirement_out)[region], paths)
    with forwarding_interrupts(terraform, Stop(), progress):
        init = terraform.init(workspace)
        if init is not None and init.returncode != 0:
            raise ResidencyError(init_failed(region, init, terraform).error or "terraform init failed")
        state = terraform.state_document(workspace)
        resources = state_resources(state)
        if not resources:
            _require_orphan(config, paths, terraform, region)
            progress(f"{region}: its state lists nothing any more (destroyed before)")
            return None
        _keep_shared_records(config, terraform, workspace, resources, progress)
        plan_file = paths.plan_file(f"retire-{region}")
        planned = terraform.plan(workspace, plan_file=plan_file, destroy=True)
    if planned.returncode not in (0, 2):
        raise ResidencyError(f"{region}: planning its destruction failed:\n" + "\n".join(planned.events.errors),
                             hint=f"full output: {planned.log_file}")
    for address, action in planned.events.planned:
        progress(f"{region}: {action}: {address}")
    destroys = planned.events.changes.destroy
    data = _region_data(state, region)
    endpoint = settings.variables.get(LOCAL_ENDPOINT_VARIABLE)
    clients = region_data.clients(region, endpoint)
    inventory = region_data.inventory(data, clients)
    directory = region_data.dynamodb_client(config.global_.region, endpoint)
    directory_table = naming.directory_table_name(config.project)
    claims = directory_claims.count(directory, directory_table, region)
    progress(f"{region}: destroying it removes {destroys} resources; it holds "
             f"{'no personal data' if inventory.empty else inventory.describe()}; the directory binds {claims} "
             f"address(es) to it, released once it is destroyed")
    return _Prepared(RetirementPlan(region, destroys, inventory, claims), terraform, workspace, plan_file, data,
                     clients, directory, directory_table, endpoint)


def _keep_shared_records(config: Config, terraform: Terraform, workspace: Workspace,
                         resources: list[dict[str, Any]], progress: Progress) -> None:
    """Leave in place the DNS record that validates `api.<domain>` in the region's certificate.

    ACM gives one validation record per name and account, so every region's certificate for the
    shared `api.<domain>` is validated by the very same record, which each region workspace
    manages; destroying it with one region would break the renewal of all the others.
    """
    if not config.domain:
        return
    shared_host = naming.global_api_host(config.domain)
    names = {str(option.get("resource_record_name", "")).rstrip(".")
             for resource in resources if resource.get("type") == "aws_acm_certificate"
             for option in resource.get("values", {}).get("domain_validation_options") or []
             if option.get("domain_name") == shared_host}
    for resource in resources:
        if resource.get("type") == "aws_route53_record" and str(resource.get("values", {}).get("name", "")).rstrip(
                ".") in names:
            forgotten = terraform.forget(workspace, str(resource["address"]))
            if forgotten.returncode != 0:
                raise ResidencyError(f"{workspace.name}: could not leave the shared record {resource['address']} "
                                     f"out of the destruction", hint=f"full output: {forgotten.log_file}")
            progress(f"{workspace.name}: left {resource['address']} in place: it validates {shared_host} for the "
                     "other regions' certificates too")


def _refuse_unless_data_is_handled(region: str, inventory: region_data.Inventory, export_dir: Path | None,
                                   force: bool) -> None:
    if not inventory.empty and export_dir is None and not force:
        raise RetirementRefused(
            f"{region} still holds personal data: {inventory.describe()}",
            hint="write it out first with `--export DIR`, or pass --force to destroy it with the region")


def _stop_routing(config: Config, paths: ProjectPaths, region: str, *, mirror: str | None, reporter: RunReporter,
                  confirm: Confirm, options: RunOptions) -> Outcome | None:
    reporter.say(f"{region}: applying global so that nothing routes to {region} any more")
    outcomes = run(Operation.APPLY, config, paths, [naming.GLOBAL_WORKSPACE], mirror=mirror, reporter=reporter,
                   confirm=confirm, options=options, retiring=frozenset({region}))
    return outcomes[0] if outcomes else None


def _export_and_destroy(prepared: _Prepared, result: RetirementResult, export_dir: Path | None, force: bool,
                        reporter: RunReporter, stop: Stop) -> None:
    region = prepared.plan.region
    # Counted again: the region took writes until global stopped routing to it a moment ago.
    inventory = region_data.inventory(prepared.data, prepared.clients)
    _refuse_unless_data_is_handled(region, inventory, export_dir, force)
    if export_dir is not None and not inventory.empty:
        result.exported = region_data.export(prepared.data, prepared.clients, export_dir)
        reporter.say(f"{region}: exported {result.exported.inventory.describe()} to {result.exported.path}")
    region_data.refuse_if_stopped(stop, region, result.exported)  # the last moment a stop keeps everything
    region_data.empty_for_destroy(prepared.data, prepared.clients)
    applied = prepared.terraform.apply(prepared.workspace, prepared.plan_file)
    if applied.returncode != 0:
        raise ResidencyError(f"{region}: terraform destroy failed:\n" + "\n".join(applied.events.errors),
                             hint=f"full output: {applied.log_file}; run the same command again to resume")
    result.destroyed = applied.events.changes.destroy or prepared.plan.destroys
    reporter.say(f"{region}: destroyed {result.destroyed} resources")
    # Its users are gone with its pool: their addresses may sign up in another region now.
    result.claims_released = directory_claims.release(prepared.directory, prepared.directory_table, region)
    reporter.say(f"{region}: released {result.claims_released} directory claim(s) of its users")


def _with_absolute_local_state(workspace: Workspace, paths: ProjectPaths) -> Workspace:
    """A local backend's path is relative to cdktf.out/stacks/<workspace>; this workspace lives
    elsewhere, so it names the region's state file absolutely."""
    document = read_synthesized(workspace.directory)
    local = document.get("terraform", {}).get("backend", {}).get("local")
    if local is not None:
        local["path"] = str(paths.state_file(workspace.name))
        (workspace.directory / SYNTHESIZED).write_text(json.dumps(document, indent=2))
    return workspace


def _require_orphan(config: Config, paths: ProjectPaths, terraform: Terraform, region: str) -> None:
    """With nothing left in its state, only a region global still serves has anything to retire
    (a mistyped region must not apply anything)."""
    synth(config, paths, lambda text: None)
    served = last_served(terraform, read_manifest(paths.out)[naming.GLOBAL_WORKSPACE])
    known = {orphan.region for orphan in find_orphans(config, paths, served)}
    if region not in known:
        raise UsageError(f"residency knows of no workspace of {region} to retire",
                         hint="its state lists no resources and global does not serve it"
                              + (f"; regions left to retire: {', '.join(sorted(known))}" if known else ""))


def _region_data(state: dict[str, Any], region: str) -> region_data.RegionData:
    """Where the region keeps personal data: the stores its state declares, and any store the declaration
    misses (a state written by an older residency, a store added without its declaration)."""
    try:
        return region_data.RegionData(region=region, stores=tuple(stores_in_state(state)))
    except MalformedDeclaration as error:
        raise ResidencyError(f"{region}: its state's declaration of personal data cannot be read: {error}",
                             hint="retire refuses to guess which stores to export") from error
