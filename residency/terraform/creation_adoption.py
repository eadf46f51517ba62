"""Creations an apply started but never saw finish: written down, and adopted by the next apply.

An apply that stops (Ctrl-C, a killed process, a lost connection) while the provider waits for AWS
to answer a create does not know whether the resource was made. AWS may have made it while the
state never recorded it. The next apply then creates it again: a resource AWS names by the name
the configuration gives fails "already exists" (seen in CI: Ctrl-C landed during Lambda's
CreateFunction, the function was made, and the next apply failed 409 after five minutes of provider
retries), and one AWS names itself (a KMS key, a user pool, an API) is made twice, the first copy
managed by no one.

So when an apply fails, residency writes down each creation it started and never saw finish, with
the id Terraform imports that resource by (read from the saved plan). Before the next apply of the
workspace it imports the ones that exist, and the plan then completes their settings. Only
creations residency itself started are adopted: when AWS answered a create with a 4xx ("already
exists"), it did not make the resource, and the creation is not written down, so residency never
takes over a resource someone else made under that name. A resource AWS names itself cannot be
found by a name: residency says which ones to look for instead.

The record is kept in the project's `.residency/` directory: an apply continued on another machine
(another CI job) does not see it, and fails "already exists" as Terraform would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from residency.errors import TerraformError
from residency.files import read_handed_text
from residency.terraform.manifest import Workspace, read_synthesized
from residency.terraform.raw_state import managed_instances, read_state
from residency.terraform.runner import RunResult, Terraform

# How `terraform import` says that there is nothing to adopt.
NOT_THERE = ("Cannot import non-existent remote object", "does not exist in the configuration")

# Resource types AWS knows by a name the configuration gives: the attributes that make up the id
# `terraform import` takes, and what joins them.
IMPORT_IDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws_lambda_function": ("", ("function_name",)),
    "aws_lambda_permission": ("/", ("function_name", "statement_id")),
    "aws_iam_role": ("", ("name",)),
    "aws_cloudwatch_log_group": ("", ("name",)),
    "aws_s3_bucket": ("", ("bucket",)),
    "aws_dynamodb_table": ("", ("name",)),
    "aws_kms_alias": ("", ("name",)),
    "aws_ssm_parameter": ("", ("name",)),
    "aws_cognito_user_pool_domain": ("", ("domain",)),
    "aws_apigatewayv2_stage": ("/", ("api_id", "name")),
}
# Types that are settings of another resource: creating one again sets the same settings again, so
# an unfinished creation leaves nothing behind.
SETTINGS_TYPES = ("aws_s3_bucket_", "aws_iam_role_policy", "aws_sns_topic", "aws_cloudwatch_log_resource_policy")


@dataclass(frozen=True)
class Creation:
    address: str
    type: str
    import_id: str | None  # None: AWS names it itself, or the plan did not know the name


@dataclass
class Adoption:
    adopted: list[str] = field(default_factory=list)
    created_anew: list[str] = field(default_factory=list)
    unfindable: list[str] = field(default_factory=list)
    failed: RunResult | None = None


def record_path(work: Path, workspace: str) -> Path:
    return work / "unfinished-creations" / f"{workspace}.json"


def import_id(resource_type: str, values: object) -> str | None:
    """The id `terraform import` takes for a resource with these planned values, if a name makes it."""
    recipe = IMPORT_IDS.get(resource_type)
    if recipe is None or not isinstance(values, dict) or values.get("qualifier"):
        return None
    separator, attributes = recipe
    parts = [values.get(attribute) for attribute in attributes]
    if not all(isinstance(part, str) and part for part in parts):
        return None
    return separator.join(str(part) for part in parts)


def leaves_nothing_behind(resource_type: str) -> bool:
    return resource_type.startswith(SETTINGS_TYPES)


def unfinished(addresses: list[str], plan: dict[str, object] | None) -> list[Creation]:
    """The creations at `addresses`, each with its import id from the saved plan's planned values."""
    planned: dict[str, tuple[str, object]] = {}
    changes = plan.get("resource_changes") if isinstance(plan, dict) else None
    for change in changes if isinstance(changes, list) else ():
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            after = change.get("change", {}).get("after") if isinstance(change.get("change"), dict) else None
            planned[change["address"]] = (str(change.get("type", "")), after)
    creations = []
    for address in addresses:
        resource_type, values = planned.get(address, (_type_of(address), None))
        if not leaves_nothing_behind(resource_type):
            creations.append(Creation(address, resource_type, import_id(resource_type, values)))
    return creations


def write_down(work: Path, workspace: str, creations: list[Creation]) -> None:
    """Add `creations` to the workspace's record (an earlier one not yet adopted stays)."""
    if not creations:
        return
    kept = {creation.address: creation for creation in read_record(work, workspace)}
    kept.update({creation.address: creation for creation in creations})
    path = record_path(work, workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps({"workspace": workspace, "creations": [
        {"address": c.address, "type": c.type, "import_id": c.import_id} for c in kept.values()]}, indent=2))
    os.replace(partial, path)


def read_record(work: Path, workspace: str) -> list[Creation]:
    try:
        document = json.loads(read_handed_text(record_path(work, workspace)))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return []  # unreadable: the apply goes on as Terraform would, and fails "already exists" if so
    entries = document.get("creations") if isinstance(document, dict) else None
    return [Creation(str(entry["address"]), str(entry.get("type", "")),
                     entry["import_id"] if isinstance(entry.get("import_id"), str) else None)
            for entry in entries if isinstance(entry, dict) and isinstance(entry.get("address"), str)] \
        if isinstance(entries, list) else []


def adopt_unfinished_creations(terraform: Terraform, workspace: Workspace,
                               note: Callable[[str], None]) -> Adoption:
    """Import what an earlier apply made without recording it; say what cannot be found."""
    work = terraform.settings.paths.work
    creations = read_record(work, workspace.name)
    if not creations:
        return Adoption()
    synthesized = read_synthesized(workspace.directory)
    try:
        in_state = {address for address, _, _ in managed_instances(
            read_state(terraform, workspace, synthesized), root_only=False)}
    except TerraformError:
        return Adoption()  # an unreadable state: the plan that follows says what is wrong with it
    outcome = Adoption()
    for creation in creations:
        if creation.address in in_state:
            continue  # an apply since then recorded it
        if creation.import_id is None:
            outcome.unfindable.append(creation.address)
            note(f"{creation.address} was being created when an earlier apply stopped. If AWS made it, that "
                 f"copy is not managed by residency and cannot be found by a name ({creation.type} ids are "
                 "AWS-made): look for it in the account and delete it; this apply creates the one it manages")
            continue
        imported = terraform.import_resource(workspace, creation.address, creation.import_id)
        if imported.returncode == 0:
            outcome.adopted.append(creation.address)
            note(f"{creation.address} was being created when an earlier apply stopped, and AWS had made it: "
                 f"adopted ({creation.import_id}), so this apply completes it instead of failing 'already exists'")
        elif any(text in imported.tail(40) for text in NOT_THERE):
            outcome.created_anew.append(creation.address)
            note(f"{creation.address} was being created when an earlier apply stopped; AWS had not made it, "
                 "so this apply creates it")
        else:
            outcome.failed = imported
            return outcome
    record_path(work, workspace.name).unlink(missing_ok=True)
    return outcome


def _type_of(address: str) -> str:
    parts = [part for part in address.split(".") if not part.startswith("module")]
    return parts[-2] if len(parts) >= 2 else ""
