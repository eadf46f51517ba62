"""The reviewed plan is the applied plan: `plan --save-plans` keeps the plans with what they were made from,
and applying them runs no new plan, once each is shown current. Real Terraform, on a region and a global
workspace of built-in resources (no provider), with local state; the stand-in of tests/terraform/fake_terraform.py
records every Terraform command and hands it on."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from residency.errors import ExitCode, UsageError
from residency.paths import ProjectPaths
from residency.terraform.manifest import read_manifest
from residency.terraform.operations import Operation, OperationRunner, Status, exit_code
from residency.terraform.reviewed_plans import (
    CHANGES,
    FORMAT,
    MANIFEST,
    NO_CHANGES,
    NOT_APPLIABLE,
    PlanRecorder,
    load_reviewed_plans,
    synth_digest,
)
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.fake_terraform import FakeTerraform
from tests.terraform.recording import Recorder

pytestmark = pytest.mark.terraform

STATE = "../../../.residency/state/{}/terraform.tfstate"
REGION, GLOBAL = "ca-central-1", "global"


def region_document(version: str, endpoint: str = "https://api.example") -> dict:  # type: ignore[type-arg]
    return {"terraform": {"backend": {"local": {"path": STATE.format(REGION)}}},
            "resource": {"terraform_data": {"app": {"input": version}}},
            "output": {"endpoint": {"value": endpoint}}}


GLOBAL_DOCUMENT = {
    "terraform": {"backend": {"local": {"path": STATE.format(GLOBAL)}}},
    "data": {"terraform_remote_state": {"cross-stack-reference-input-ca-central-1": {
        "backend": "local", "config": {"path": STATE.format(REGION)}}}},
    "resource": {"terraform_data": {"route": {
        "input": "${data.terraform_remote_state.cross-stack-reference-input-ca-central-1.outputs.endpoint}"}}},
}


class Project:
    def __init__(self, root: Path, terraform_binary: Path) -> None:
        self.root = root
        self.out = root / "cdktf.out"
        for name, document in ((REGION, region_document("v1")), (GLOBAL, GLOBAL_DOCUMENT)):
            self.write(name, document)
        (self.out / "manifest.json").write_text(json.dumps({"stacks": {
            REGION: {"workingDirectory": f"stacks/{REGION}", "dependencies": []},
            GLOBAL: {"workingDirectory": f"stacks/{GLOBAL}", "dependencies": [REGION]}}}))
        # Every command Terraform is asked to run, in order (the real binary runs it).
        self.fake = FakeTerraform.install(root)
        self.fake_env = self.fake.env(FAKE_EXEC=str(terraform_binary))

    def write(self, name: str, document: dict) -> None:  # type: ignore[type-arg]
        directory = self.out / "stacks" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "cdk.tf.json").write_text(json.dumps(document, indent=2))

    def runner(self, *, vet=None, recorder=None, reviewed=None, confirm=None) -> OperationRunner:  # type: ignore[no-untyped-def]
        settings = TerraformSettings(binary=self.fake.binary, paths=ProjectPaths(self.root), cli_config=None,
                                     base_env={**os.environ, **self.fake_env})
        runner = OperationRunner(Terraform(settings), read_manifest(self.out), Recorder(), vet_plan=vet,
                                 recorder=recorder, reviewed=reviewed)
        if confirm is not None:
            runner.confirm = confirm
        return runner

    def run(self, operation: Operation, **options) -> dict[str, tuple[Status, str]]:  # type: ignore[no-untyped-def]
        outcomes = self.runner(**options).run(operation, [REGION, GLOBAL])
        self.last_code = exit_code(operation, outcomes)
        return {o.workspace: (o.status, o.error or "") for o in outcomes}

    def save_plans(self, directory: Path) -> Path:
        recorder = PlanRecorder(directory, residency_version="test", terraform_version="test", commit=None)
        outcomes = self.run(Operation.PLAN, recorder=recorder)
        assert all(status in (Status.CHANGES, Status.NO_CHANGES) for status, _ in outcomes.values()), outcomes
        written = recorder.finish([REGION, GLOBAL])
        assert written == directory.resolve()
        return directory

    def apply_reviewed(self, directory: Path, **options) -> dict[str, tuple[Status, str]]:  # type: ignore[no-untyped-def]
        self.fake.clear()
        return self.run(Operation.APPLY, reviewed=load_reviewed_plans(directory), **options)

    def ran(self) -> list[str]:
        return [f"{workspace} {command}" for workspace, command in self.fake.steps()
                if command not in ("init", "version")]

    def state(self, name: str) -> dict:  # type: ignore[type-arg]
        return json.loads((self.root / ".residency" / "state" / name / "terraform.tfstate").read_text())

    def app_input(self) -> str:
        (resource,) = [r for r in self.state(REGION)["resources"] if r["type"] == "terraform_data"]
        return str(resource["instances"][0]["attributes"]["input"]["value"])


@pytest.fixture
def project(tmp_path: Path, terraform_binary: Path) -> Project:
    made = Project(tmp_path / "project", terraform_binary)
    assert made.run(Operation.APPLY) == {REGION: (Status.APPLIED, ""), GLOBAL: (Status.APPLIED, "")}
    return made


def test_the_reviewed_plan_is_applied_without_planning_again(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    manifest = json.loads((plans / MANIFEST).read_text())
    region, global_ = manifest["workspaces"][REGION], manifest["workspaces"][GLOBAL]
    assert (region["status"], global_["status"]) == (CHANGES, NO_CHANGES)
    assert region["changes"] == {"add": 0, "change": 1, "destroy": 0}
    assert region["synth_digest"] == synth_digest(project.out / "stacks" / REGION)
    assert region["state"]["serial"] == project.state(REGION)["serial"]
    assert global_["inputs_digest"] and not region["inputs_digest"]
    assert sorted(p.name for p in plans.iterdir()) == [f"{REGION}.tfplan", MANIFEST]
    assert not list(tmp_path.glob(".plans.partial-*"))

    assert project.apply_reviewed(plans) == {REGION: (Status.APPLIED, ""), GLOBAL: (Status.NO_CHANGES, "")}
    assert project.last_code == ExitCode.OK
    assert project.app_input() == "v2"
    ran = project.ran()
    assert f"{REGION} apply" in ran
    assert not [line for line in ran if line.endswith(" plan")]  # nothing planned again


def test_a_plan_whose_state_moved_on_is_refused_and_nothing_is_applied(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    project.write(REGION, region_document("v3"))
    project.run(Operation.APPLY)  # someone applied v3 meanwhile
    project.write(REGION, region_document("v2"))  # main is back at what was reviewed: only the state differs
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION][0] is Status.STALE
    assert "its state changed since the plan was made (planned against serial" in outcomes[REGION][1]
    assert outcomes[GLOBAL][0] is Status.SKIPPED
    assert project.last_code == ExitCode.STALE_PLANS
    assert not [line for line in project.ran() if line.endswith((" apply", " plan"))]
    assert project.app_input() == "v3"


def test_a_configuration_changed_after_the_review_is_refused(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    project.write(REGION, region_document("v4"))  # main moved on: another change merged first
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION] == (Status.STALE, "it synthesizes differently from the reviewed plan (the configuration, "
                                              "the code or residency changed since the plan was made)")
    assert project.last_code == ExitCode.STALE_PLANS
    assert project.app_input() == "v1"


def test_a_plan_file_made_from_other_code_is_refused_even_with_a_matching_manifest(project, tmp_path):
    """Whoever can write the plans directory (a pull request's job uploads it) swaps in a plan of other
    configuration and fixes up the manifest's digest: the plan's embedded configuration gives it away."""
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    project.write(REGION, region_document("v666-backdoor"))
    forged = project.save_plans(tmp_path / "forged")
    project.write(REGION, region_document("v2"))
    shutil.copyfile(forged / f"{REGION}.tfplan", plans / f"{REGION}.tfplan")
    manifest = json.loads((plans / MANIFEST).read_text())
    manifest["workspaces"][REGION]["plan_sha256"] = json.loads((forged / MANIFEST).read_text())[
        "workspaces"][REGION]["plan_sha256"]
    (plans / MANIFEST).write_text(json.dumps(manifest))
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION] == (Status.STALE, "the plan was made from other configuration than the synthesized one "
                                              "(cdk.tf.json differ)")
    assert project.app_input() == "v1"


def test_globals_plan_goes_stale_when_a_regions_apply_changes_what_it_reads(project, tmp_path):
    project.write(REGION, region_document("v1", endpoint="https://api-2.example"))
    plans = project.save_plans(tmp_path / "plans")
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION][0] is Status.APPLIED
    assert outcomes[GLOBAL][0] is Status.STALE
    assert "what it reads from ca-central-1 changed since the plan was made" in outcomes[GLOBAL][1]
    assert project.last_code == ExitCode.STALE_PLANS


def test_plans_made_with_placeholders_are_never_applied(tmp_path, terraform_binary):
    fresh = Project(tmp_path / "fresh", terraform_binary)  # nothing applied yet: global plans with placeholders
    plans = fresh.save_plans(tmp_path / "plans")
    entry = json.loads((plans / MANIFEST).read_text())["workspaces"][GLOBAL]
    assert entry["status"] == NOT_APPLIABLE and entry["plan_file"] is None
    outcomes = fresh.apply_reviewed(plans)
    assert outcomes[GLOBAL][0] is Status.STALE and "placeholder values" in outcomes[GLOBAL][1]
    assert outcomes[REGION][0] is Status.SKIPPED  # nothing of a stale set is applied
    assert not (fresh.root / ".residency" / "state" / REGION / "terraform.tfstate").exists()


def test_the_rules_judge_the_reviewed_plan_again(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    outcomes = project.apply_reviewed(plans, vet=lambda name, plan: ["RES006 ca-central-1: a test violation"])
    assert outcomes[REGION] == (Status.REFUSED, "the reviewed plan breaks residency rules:\n"
                                                "RES006 ca-central-1: a test violation")
    assert project.last_code == ExitCode.VIOLATION
    assert project.app_input() == "v1"


def test_unusable_plan_directories_are_one_clear_usage_error(project, tmp_path):
    with pytest.raises(UsageError, match="holds no manifest.json"):
        load_reviewed_plans(tmp_path)
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    with pytest.raises(UsageError, match="already exists and is not empty"):
        PlanRecorder(plans, residency_version="test", terraform_version="test", commit=None)
    with zipfile.ZipFile(plans / f"{REGION}.tfplan", "a") as archive:
        archive.writestr("extra", "x")  # truncated or altered in transit
    with pytest.raises(UsageError, match="sha256 differs"):
        load_reviewed_plans(plans)
    (plans / MANIFEST).write_text(json.dumps({"format": FORMAT, "workspaces": {"x": {"status": "changes"}}}))
    with pytest.raises(UsageError, match="is not a manifest of saved plans"):
        load_reviewed_plans(plans)
    (plans / MANIFEST).write_text(json.dumps({"format": FORMAT, "residency_version": "t", "terraform_version": "t",
                                              "created": "now", "workspaces": {REGION: {
                                                  "status": "changes", "synth_digest": "x",
                                                  "plan_file": "../../etc/passwd"}}}))
    with pytest.raises(UsageError, match="plan_file must be a file name in the directory"):
        load_reviewed_plans(plans)
    (plans / MANIFEST).write_text(json.dumps({"format": 1, "workspaces": {}}))
    with pytest.raises(UsageError, match="is format 1; this residency reads format 2"):
        load_reviewed_plans(plans)


def test_a_run_that_did_not_plan_every_workspace_writes_nothing(tmp_path):
    recorder = PlanRecorder(tmp_path / "plans", residency_version="test", terraform_version="test", commit=None)
    assert recorder.finish([REGION]) is None
    assert list(tmp_path.iterdir()) == []


# --- What the plan file does, not what the manifest says ------------------------------------------

def keyed_document(version: str, *, key: bool = True) -> dict:  # type: ignore[type-arg]
    """The region with a resource it protects (`prevent_destroy`), like the directory's HMAC key."""
    document = region_document(version)
    if key:
        document["resource"]["terraform_data"]["hmac_key"] = {"input": "key", "lifecycle": {"prevent_destroy": True}}
    return document


def forge(plans: Path, forged: Path, genuine_config: Path) -> None:
    """What an insider with write access to the plans directory does: puts a plan of other configuration in,
    with the genuine configuration snapshot inside it, and fixes up the manifest (status, sha256, digest,
    counts) to match."""
    source, target = forged / f"{REGION}.tfplan", plans / f"{REGION}.tfplan"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "tfconfig/m-/cdk.tf.json":
                data = genuine_config.read_bytes()
            copy.writestr(item, data)
    manifest = json.loads((plans / MANIFEST).read_text())
    forged_entry = json.loads((forged / MANIFEST).read_text())["workspaces"][REGION]
    manifest["workspaces"][REGION].update(
        status=CHANGES, plan_file=f"{REGION}.tfplan", plan_sha256=hashlib.sha256(target.read_bytes()).hexdigest(),
        change_digest=forged_entry["change_digest"], changes={"add": 0, "change": 1, "destroy": 0})
    (plans / MANIFEST).write_text(json.dumps(manifest))


def test_a_crafted_plan_that_destroys_a_protected_resource_is_refused_and_nothing_is_applied(
        project, tmp_path):
    project.write(REGION, keyed_document("v2"))
    project.run(Operation.APPLY)
    genuine = project.out / "stacks" / REGION / "cdk.tf.json"
    plans = project.save_plans(tmp_path / "plans")  # nothing to do: the reviewed set says so
    assert json.loads((plans / MANIFEST).read_text())["workspaces"][REGION]["status"] == NO_CHANGES
    kept = genuine.read_bytes()
    project.write(REGION, keyed_document("v2", key=False))  # a plan that destroys the key
    forged = project.save_plans(tmp_path / "forged")
    genuine.write_bytes(kept)
    forge(plans, forged, genuine)

    asked: list[object] = []
    outcomes = project.apply_reviewed(plans, confirm=lambda name, changes: asked.append(changes) or True)
    assert outcomes[REGION][0] is Status.REFUSED
    assert "terraform_data.hmac_key: destroyed, but the configuration marks it prevent_destroy" in outcomes[REGION][1]
    assert "`removed` block" in outcomes[REGION][1]  # the way out
    assert outcomes[GLOBAL][0] is Status.SKIPPED
    assert project.last_code == ExitCode.VIOLATION
    assert asked == [] and not [line for line in project.ran() if line.endswith((" apply", " plan"))]
    assert any(r["name"] == "hmac_key" for r in project.state(REGION)["resources"])


def test_a_plan_file_that_does_not_do_what_was_reviewed_is_stale(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    entry = json.loads((plans / MANIFEST).read_text())["workspaces"][REGION]
    assert len(entry["change_digest"]) == 64
    manifest = json.loads((plans / MANIFEST).read_text())
    manifest["workspaces"][REGION]["change_digest"] = "0" * 64  # the review saw something else
    (plans / MANIFEST).write_text(json.dumps(manifest))
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION][0] is Status.STALE
    assert f"change digest {entry['change_digest'][:12]}) is not what was reviewed (000000000000)" in (
        outcomes[REGION][1])
    assert project.last_code == ExitCode.STALE_PLANS
    assert project.app_input() == "v1"


def test_counts_and_the_confirmation_come_from_the_plan_file(project, tmp_path):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    manifest = json.loads((plans / MANIFEST).read_text())
    manifest["workspaces"][REGION]["changes"] = {"add": 0, "change": 0, "destroy": 0}  # edited to look harmless
    (plans / MANIFEST).write_text(json.dumps(manifest))
    asked: list[object] = []
    runner = project.runner(reviewed=load_reviewed_plans(plans),
                            confirm=lambda name, changes: asked.append((name, changes.describe())) or True)
    project.fake.clear()
    outcomes = {o.workspace: o for o in runner.run(Operation.APPLY, [REGION, GLOBAL])}
    assert asked == [(REGION, "0 to add, 1 to change, 0 to destroy")]
    assert outcomes[REGION].status is Status.APPLIED
    assert outcomes[REGION].plan_digest == manifest["workspaces"][REGION]["change_digest"]


@pytest.mark.parametrize("declaration_left", [False, True], ids=["no-declaration-left", "others-still-declared"])
def test_removing_what_declared_a_store_does_not_drop_the_store(project, tmp_path, declaration_left):
    """The state the plan is made against declares a store; the new configuration no longer does (its extension
    was removed): the plan is refused by the prior declaration, before anything is applied. Also when the
    declaration stays for other stores: Terraform's own view of the prior state has it evaluated anew already."""
    other = {"address": "terraform_data.app", "kind": "dynamodb_table", "name": "acme-notes"}
    document = region_document("v1")
    document["resource"]["terraform_data"]["documents"] = {"input": "bucket"}
    document["output"]["personal_data_stores"] = {"value": [
        other, {"address": "terraform_data.documents", "kind": "s3_bucket", "name": "acme-documents"}]}
    project.write(REGION, document)
    assert project.run(Operation.APPLY)[REGION][0] is Status.APPLIED
    later = region_document("v1")
    if declaration_left:
        later["output"]["personal_data_stores"] = {"value": [other]}
    project.write(REGION, later)
    outcomes = project.run(Operation.APPLY)
    assert outcomes[REGION][0] is Status.REFUSED
    assert "terraform_data.documents: destroyed, but it is a declared personal-data store" in outcomes[REGION][1]
    assert any(r["name"] == "documents" for r in project.state(REGION)["resources"])
    plan = project.run(Operation.PLAN)  # a pull request sees it too
    assert plan[REGION][0] is Status.REFUSED


def test_a_plan_shows_each_changed_attribute_before_and_after(project, tmp_path):
    from residency.terraform.plan_diff import diff_lines

    project.write(REGION, region_document("v2"))
    outcomes = {o.workspace: o for o in project.runner().run(Operation.PLAN, [REGION, GLOBAL])}
    [entry] = outcomes[REGION].diff
    assert (entry["address"], entry["action"], entry["protects"]) == ("terraform_data.app", "changed", "")
    assert {"path": "input", "before": "v1", "after": "v2"} in entry["attributes"]
    assert {"path": "output", "before": "v1", "after": "(known after apply)"} in entry["attributes"]
    assert diff_lines(outcomes[REGION].diff)[:2] == ["~ terraform_data.app (changed)", '    input: "v1" -> "v2"']
    assert outcomes[GLOBAL].diff == []


def test_a_plan_that_only_moves_an_address_is_applied(project):
    """Nothing to add, change or destroy, yet the state must move (an upgrade's `moved` blocks)."""
    from residency.terraform.plan_diff import diff_lines

    document = region_document("v1")
    document["resource"]["terraform_data"] = {"application": document["resource"]["terraform_data"]["app"]}
    document["moved"] = [{"from": "terraform_data.app", "to": "terraform_data.application"}]
    project.write(REGION, document)
    planned = {o.workspace: o for o in project.runner().run(Operation.PLAN, [REGION])}[REGION]
    assert planned.status is Status.CHANGES and planned.changes.describe() == "0 to add, 0 to change, 0 to destroy"
    assert diff_lines(planned.diff) == ["> terraform_data.application (moved from terraform_data.app)"]
    assert project.run(Operation.APPLY)[REGION][0] is Status.APPLIED
    assert [r["name"] for r in project.state(REGION)["resources"]] == ["application"]


def renamed_document(version: str) -> dict:  # type: ignore[type-arg]
    """The region's resource under another address (its construct renamed), the same in every attribute."""
    document = region_document(version)
    document["resource"]["terraform_data"] = {"application": document["resource"]["terraform_data"]["app"]}
    return document


def test_a_rename_is_planned_as_a_move_and_its_reviewed_plan_applies(project, tmp_path):
    project.write(REGION, renamed_document("v1"))
    project.fake.clear()
    plans = project.save_plans(tmp_path / "plans")
    entry = json.loads((plans / MANIFEST).read_text())["workspaces"][REGION]
    assert (entry["status"], entry["changes"]) == (CHANGES, {"add": 0, "change": 0, "destroy": 0})
    assert project.ran().count(f"{REGION} plan") == 2  # planned again with the `moved` block
    with zipfile.ZipFile(plans / f"{REGION}.tfplan") as plan:
        assert "tfconfig/m-/residency_moves.tf.json" in plan.namelist()
    project.write(REGION, renamed_document("v1"))  # main synthesizes again: the moves file is the plan's own
    assert project.apply_reviewed(plans) == {REGION: (Status.APPLIED, ""), GLOBAL: (Status.NO_CHANGES, "")}
    assert [r["name"] for r in project.state(REGION)["resources"]] == ["application"]
    assert project.app_input() == "v1"


def test_a_plan_carrying_more_than_moved_blocks_in_the_moves_file_is_stale(project, tmp_path):
    project.write(REGION, renamed_document("v1"))
    plans = project.save_plans(tmp_path / "plans")
    plan_file = plans / f"{REGION}.tfplan"
    with zipfile.ZipFile(plan_file) as original:
        items = [(item, original.read(item.filename)) for item in original.infolist()]
    with zipfile.ZipFile(plan_file, "w") as copy:
        for item, data in items:
            if item.filename.endswith("residency_moves.tf.json"):
                data = json.dumps({"moved": [], "resource": {"terraform_data": {"extra": {}}}}).encode()
            copy.writestr(item, data)
    manifest = json.loads((plans / MANIFEST).read_text())
    manifest["workspaces"][REGION]["plan_sha256"] = hashlib.sha256(plan_file.read_bytes()).hexdigest()
    (plans / MANIFEST).write_text(json.dumps(manifest))
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION][0] is Status.STALE and "holds more than `moved` blocks" in outcomes[REGION][1]
    assert [r["name"] for r in project.state(REGION)["resources"]] == ["app"]


def edit_carried_state(plans: Path, member: str, edit) -> None:  # type: ignore[no-untyped-def]
    """What an insider with write access to the plans does: edits a state inside the plan file, fixes the sha256."""
    plan_file = plans / f"{REGION}.tfplan"
    with zipfile.ZipFile(plan_file) as original:
        items = [(item, original.read(item.filename)) for item in original.infolist()]
    with zipfile.ZipFile(plan_file, "w") as copy:
        for item, data in items:
            if item.filename == member:
                state = json.loads(data)
                edit(state)
                data = json.dumps(state).encode()
            copy.writestr(item, data)
    manifest = json.loads((plans / MANIFEST).read_text())
    manifest["workspaces"][REGION]["plan_sha256"] = hashlib.sha256(plan_file.read_bytes()).hexdigest()
    (plans / MANIFEST).write_text(json.dumps(manifest))


def forget_app(state: dict) -> None:  # type: ignore[type-arg]
    state["resources"] = [r for r in state["resources"] if r.get("name") != "app"]


def rewrite_app_id(state: dict) -> None:  # type: ignore[type-arg]
    for resource in state["resources"]:
        if resource.get("name") == "app":
            resource["instances"][0]["attributes"]["id"] = "someone-else"


@pytest.mark.parametrize(("member", "edit", "says"), [
    ("tfstate", forget_app, "leaves out terraform_data.app, which AWS still has"),
    ("tfstate-prev", forget_app, "the state inside the plan file is not the workspace's state (terraform_data.app"),
    ("tfstate-prev", rewrite_app_id, "the state inside the plan file is not the workspace's state"),
])
def test_a_state_edited_inside_a_reviewed_plan_is_stale(project, tmp_path, member, edit, says):
    project.write(REGION, region_document("v2"))
    plans = project.save_plans(tmp_path / "plans")
    edit_carried_state(plans, member, edit)
    outcomes = project.apply_reviewed(plans)
    assert outcomes[REGION][0] is Status.STALE and says in outcomes[REGION][1], outcomes[REGION]
    assert project.last_code == ExitCode.STALE_PLANS
    assert project.app_input() == "v1"


def test_what_a_deletion_deletes_is_part_of_the_digest_and_must_be_the_states_own():
    from residency.terraform.change_set import ChangeSet
    from residency.terraform.plan_archive import read_plan_archive
    from residency.terraform.plan_prior_state import prior_state_mismatch

    def deleting(item_id: str) -> ChangeSet:
        return ChangeSet.from_plan({"resource_changes": [{
            "address": "aws_dynamodb_table_item.seed", "mode": "managed", "type": "aws_dynamodb_table_item",
            "change": {"actions": ["delete"], "before": {"id": item_id}, "after": None}}]})

    reviewed, aimed_elsewhere = deleting("docs|id|seed"), deleting("docs|id|d0")
    assert reviewed.digest() != aimed_elsewhere.digest()
    stored = {"resources": [{"mode": "managed", "type": "aws_dynamodb_table_item", "name": "seed",
                             "instances": [{"attributes": {"id": "docs|id|seed"}}]}]}
    with tempfile.TemporaryDirectory() as scratch:
        plan_file = Path(scratch) / "crafted.tfplan"
        with zipfile.ZipFile(plan_file, "w") as archive:
            archive.writestr("tfstate-prev", json.dumps(stored))
            archive.writestr("tfstate", json.dumps(stored))
        archive = read_plan_archive(plan_file)
        assert prior_state_mismatch(archive, stored, reviewed) == (None, set())
        why, _ = prior_state_mismatch(archive, stored, aimed_elsewhere)
    assert why and "its id in the plan is 'docs|id|d0', in the state 'docs|id|seed'" in why
