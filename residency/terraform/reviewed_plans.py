"""Plans reviewed on a pull request, applied as they were reviewed (`plan --save-plans DIR`, `apply --plans DIR`).

`plan --save-plans DIR` keeps each workspace's saved plan and writes DIR/manifest.json: the commit,
residency's and Terraform's versions, and per workspace the digest of its synthesized directory, the
state it was planned against (serial and lineage), the digest of what it reads from the workspaces it
depends on, the plan file's digest, and the residency rules' verdict (a plan the rules refuse is never
saved). `apply --plans DIR` applies exactly those plans, without planning again, once each is shown
to be current:

- the same residency and Terraform versions;
- the workspace synthesizes to the same directory (so main, after the merge, deploys what was reviewed);
- the plan file carries exactly that configuration (a Terraform plan embeds the configuration it applies:
  a plan file made from other code is refused, wherever it came from);
- the state is the one it was planned against, in the manifest and in the plan itself;
- what it reads from its dependencies is unchanged when its turn comes (a region whose apply changed
  its outputs makes global's reviewed plan stale);
- what the plan file does (its change set, read from the file with `terraform show -json`) has the digest
  recorded when it was made, which the pull-request comment shows;
- it deletes nothing residency protects (protection.py);
- the residency rules pass again.

Counts and the confirmation come from the plan file, never from the manifest. Anything else is stale:
nothing of it is applied (exit 4), and the pipeline plans again for a new review.
A saved plan holds the workspace's values, sensitive ones included: keep DIR where the state is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from residency.errors import ExitCode, ResidencyError, UsageError
from residency.files import MOVES_FILE, file_sha256, read_handed_text
from residency.terraform.manifest import Workspace, synthesized_document
from residency.terraform.placeholders import reads_from
from residency.terraform.plan_archive import PlanArchive
from residency.terraform.raw_state import read_state
from residency.terraform.renames import holds_only_moves
from residency.terraform.runner import Terraform

FORMAT = 2  # 2: each plan's change digest
MANIFEST = "manifest.json"
# What a workspace's plan can be in the manifest.
CHANGES, NO_CHANGES, NOT_APPLIABLE = "changes", "no changes", "not appliable"
# Terraform writes these into a workspace directory as it works; they are not what was synthesized.
NOT_SYNTHESIZED = (".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup", MOVES_FILE)
CONFIG_SUFFIXES = (".tf", ".tf.json")


class StalePlans(ResidencyError):
    """The reviewed plans are not the ones to apply any more: nothing of them is applied."""

    exit_code = ExitCode.STALE_PLANS


@dataclass(frozen=True)
class StateIdentity:
    serial: int | None = None  # None: no state yet
    lineage: str | None = None

    def describe(self) -> str:
        return "no state" if self.serial is None else f"serial {self.serial} of lineage {self.lineage}"


@dataclass(frozen=True)
class ReviewedWorkspace:
    name: str
    status: str  # CHANGES, NO_CHANGES or NOT_APPLIABLE
    synth_digest: str
    state: StateIdentity
    inputs_digest: str  # what it reads from its dependencies; "" when it has none
    plan_file: str | None = None  # relative to the plans directory
    plan_sha256: str | None = None
    changes: dict[str, int] = field(default_factory=dict)
    reason: str | None = None  # why it is not appliable
    change_digest: str | None = None  # of what the plan file does (change_set.py): what the review saw


@dataclass(frozen=True)
class ReviewedPlans:
    directory: Path
    residency_version: str
    terraform_version: str
    commit: str | None
    created: str
    workspaces: dict[str, ReviewedWorkspace]

    def plan_path(self, name: str) -> Path:
        entry = self.workspaces[name]
        assert entry.plan_file is not None
        return self.directory / entry.plan_file


def synth_digest(directory: Path) -> str:
    """sha256 over every synthesized file of a workspace directory (name and content), Terraform's own
    working files left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory)
        if relative.parts[0] in NOT_SYNTHESIZED:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + file_sha256(path).encode() + b"\n")
    return digest.hexdigest()


def state_identity(terraform: Terraform, workspace: Workspace) -> StateIdentity:
    """Serial and lineage of the workspace's current state (the workspace is initialized)."""
    return identity_of(read_state(terraform, workspace, synthesized_document(workspace)))


def identity_of(state: dict[str, Any]) -> StateIdentity:
    serial = state.get("serial")
    lineage = state.get("lineage")
    if not isinstance(serial, int) or not isinstance(lineage, str) or not lineage:
        return StateIdentity()
    return StateIdentity(serial, lineage)


def inputs_digest(terraform: Terraform, workspace: Workspace, workspaces: dict[str, Workspace]) -> str:
    """A digest of the outputs of the workspaces this one reads from ("" when it reads none). Values are
    hashed, never kept."""
    read = sorted(name for name in workspace.depends_on if reads_from(workspace, name, workspaces[name]))
    if not read:
        return ""
    digest = hashlib.sha256()
    for name in read:
        dependency = workspaces[name]
        init = terraform.init(dependency)
        if init is not None and init.returncode != 0:
            raise ResidencyError(f"{workspace.name}: cannot read the outputs of {name}: terraform init failed; "
                                 f"see {init.log_file}")
        outputs = terraform.outputs(dependency)
        digest.update(name.encode() + b"\0" + json.dumps(outputs, sort_keys=True).encode() + b"\n")
    return digest.hexdigest()


def plan_configuration_mismatch(archive: PlanArchive, directory: Path) -> str | None:
    """Why the configuration a plan file carries is not the workspace's synthesized one; None when it is. The
    `moved` blocks a plan wrote for the renames it found (MOVES_FILE) are the plan's own, and nothing else."""
    carried = dict(archive.configuration)
    moves = carried.pop(MOVES_FILE, None)
    if moves is not None and not holds_only_moves(moves):
        return f"the plan carries a {MOVES_FILE} that holds more than `moved` blocks"
    synthesized = {path.name: path.read_bytes() for path in directory.iterdir()
                   if path.is_file() and path.name.endswith(CONFIG_SUFFIXES) and path.name != MOVES_FILE}
    if set(carried) != set(synthesized):
        return (f"the plan carries configuration files {sorted(carried)}, the workspace has {sorted(synthesized)}")
    changed = sorted(name for name in carried if carried[name] != synthesized[name])
    if changed:
        return f"the plan was made from other configuration than the synthesized one ({', '.join(changed)} differ)"
    return None


def planned_against(archive: PlanArchive) -> StateIdentity:
    """The state a plan file was made against, as the plan itself records it."""
    return identity_of(dict(archive.prior_state))


class PlanRecorder:
    """Collects the plans of one `plan --save-plans DIR` run (workspaces plan in parallel) in a staging
    directory beside DIR; `finish` moves it into place only when every selected workspace was planned."""

    def __init__(self, directory: Path, *, residency_version: str, terraform_version: str,
                 commit: str | None) -> None:
        self.directory = directory.resolve()
        refuse_existing(self.directory)
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=f".{self.directory.name}.partial-", dir=self.directory.parent))
        os.chmod(self._staging, 0o700)  # saved plans hold the workspaces' values
        self._header = {"format": FORMAT, "residency_version": residency_version,
                        "terraform_version": terraform_version, "commit": commit,
                        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        self._entries: dict[str, ReviewedWorkspace] = {}
        self._lock = threading.Lock()

    def record(self, entry: ReviewedWorkspace, plan_file: Path | None = None) -> None:
        if plan_file is not None:
            name = f"{entry.name}.tfplan"
            shutil.copyfile(plan_file, self._staging / name)
            entry = replace(entry, plan_file=name, plan_sha256=file_sha256(self._staging / name))
        with self._lock:
            self._entries[entry.name] = entry

    def finish(self, order: Iterable[str]) -> Path | None:
        """Write the manifest and move the plans into place; None (nothing written) when a workspace in
        `order` was not recorded (it failed, or the run was stopped)."""
        names = list(order)
        if any(name not in self._entries for name in names):
            self.discard()
            return None
        document = {**self._header, "workspaces": {name: _entry_json(self._entries[name]) for name in names}}
        (self._staging / MANIFEST).write_text(json.dumps(document, indent=2) + "\n")
        os.replace(self._staging, self.directory)
        return self.directory

    def discard(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)


def refuse_existing(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not empty: saved plans are never written over",
                         hint="give a new directory, or remove that one")


def load_reviewed_plans(directory: Path) -> ReviewedPlans:
    """The manifest and plans of `plan --save-plans DIR`; UsageError (64) when DIR is not that."""
    manifest = directory / MANIFEST
    hint = "give the directory `residency plan --save-plans DIR` wrote"
    try:
        document = json.loads(read_handed_text(manifest))
    except FileNotFoundError:
        raise UsageError(f"{directory} holds no {MANIFEST}: it is not a set of saved plans", hint=hint) from None
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {manifest}: {error}", hint=hint) from None
    try:
        if document["format"] != FORMAT:
            raise UsageError(f"{manifest} is format {document['format']!r}; this residency reads format {FORMAT}",
                             hint="plan again with this residency version")
        workspaces = {name: _entry_from_json(name, entry) for name, entry in document["workspaces"].items()}
        plans = ReviewedPlans(directory.resolve(), str(document["residency_version"]),
                              str(document["terraform_version"]), document.get("commit"), str(document["created"]),
                              workspaces)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UsageError(f"{manifest} is not a manifest of saved plans ({type(error).__name__}: {error})",
                         hint=hint) from None
    for name, entry in plans.workspaces.items():
        if entry.status != CHANGES:
            continue
        path = plans.plan_path(name)
        try:
            current = file_sha256(path)
        except OSError as error:
            raise UsageError(f"{name}: the saved plan cannot be read: {error}",
                             hint="download the plans again, whole") from None
        if entry.plan_sha256 != current:
            raise UsageError(f"{name}: the saved plan {path} is not the one the manifest names (its sha256 differs)",
                             hint="download the plans again, whole")
    return plans


def _entry_json(entry: ReviewedWorkspace) -> dict[str, Any]:
    data = asdict(entry)
    del data["name"]
    return data


def _entry_from_json(name: str, data: dict[str, Any]) -> ReviewedWorkspace:
    status = data["status"]
    if status not in (CHANGES, NO_CHANGES, NOT_APPLIABLE):
        raise ValueError(f"{name}: unknown status {status!r}")
    state = data.get("state") or {}
    plan_file = data.get("plan_file")
    if plan_file is not None and (Path(plan_file).name != plan_file or not plan_file.endswith(".tfplan")):
        raise ValueError(f"{name}: plan_file must be a file name in the directory, not {plan_file!r}")
    return ReviewedWorkspace(
        name=name, status=status, synth_digest=str(data["synth_digest"]),
        state=StateIdentity(state.get("serial"), state.get("lineage")),
        inputs_digest=str(data.get("inputs_digest") or ""), plan_file=plan_file,
        plan_sha256=data.get("plan_sha256"), reason=data.get("reason"), change_digest=data.get("change_digest"),
        changes={kind: int((data.get("changes") or {}).get(kind, 0)) for kind in ("add", "change", "destroy")})
