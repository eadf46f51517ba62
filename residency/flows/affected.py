"""Which workspaces a change to regions.yaml touches: what a pull request needs planned.

The regions.yaml of a git revision (a pull request's base) and the current one are synthesized
with the installed residency; a workspace is affected when its synthesized directory differs from
the base's or is new. Workspaces only the base has are reported as removed. A change to residency
itself (an upgrade) is not seen this way: plan everything then. With extensions (the team's own
code), every workspace is affected.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from residency import processes
from residency.errors import ResidencyError, UsageError
from residency.files import synthesized_digest
from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config


@dataclass(frozen=True)
class Affected:
    base: str
    workspaces: list[str]  # in workspace order (regions as in regions.yaml, then global)
    removed: list[str] = field(default_factory=list)
    everything_because: str | None = None  # set when every workspace counts as affected

    def describe(self, all_workspaces: tuple[str, ...]) -> str:
        if self.everything_because:
            return f"every workspace is affected since {self.base}: {self.everything_because}"
        unchanged = [name for name in all_workspaces if name not in self.workspaces]
        text = f"affected since {self.base}: {', '.join(self.workspaces) or 'none'}"
        return text + (f" (unchanged: {', '.join(unchanged)})" if unchanged else "")


def affected_since(base: str, config_file: Path, config: Config, paths: ProjectPaths,
                   progress: Callable[[str], None]) -> Affected:
    """Compare the synthesized workspaces of `config` (its cdktf.out, which the plan that follows
    reuses) with those of regions.yaml at `base`."""
    from residency.flows.terraform_runs import synth
    from residency.stacks import synthesize

    base_text = _file_at_revision(base, config_file)
    everything = list(config.workspaces)
    if base_text is None:
        return Affected(base, everything, everything_because=f"{config_file.name} does not exist there")
    with tempfile.TemporaryDirectory(prefix="residency-affected-") as scratch:
        base_file = Path(scratch) / config_file.name
        base_file.write_text(base_text)
        try:
            from residency.config import load_config  # pydantic: only when this runs

            base_config = load_config(base_file)
        except ResidencyError:
            return Affected(base, everything, everything_because=f"its {config_file.name} is not valid")
        if config.extensions.any or base_config.extensions.any:
            # Their code is not compared across revisions: plan more rather than miss a change.
            return Affected(base, everything, everything_because="regions.yaml lists extensions (your own code)")
        progress(f"synthesizing {config_file.name} as of {base} to compare ...")
        synthesize(base_config, Path(scratch) / "cdktf.out")
        synth(config, paths, progress)
        changed = [name for name in config.workspaces
                   if synthesized_digest(Path(scratch) / "cdktf.out" / "stacks" / name)
                   != synthesized_digest(paths.stack_dir(name))]
    removed = [name for name in base_config.workspaces if name not in config.workspaces]
    return Affected(base, changed, removed)


def _file_at_revision(revision: str, file: Path) -> str | None:
    """The file's text at `revision` of its git repository; None if the file did not exist there."""
    directory = file.resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], directory,
               f"{directory} is not in a git repository: --affected-since compares with a git revision")
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], directory,
         f"unknown git revision {revision!r}", hint="fetch it first (in CI: a full clone, or "
         "`git fetch origin <branch>`), or name a commit, branch or tag that exists")
    relative = file.resolve().relative_to(Path(top).resolve()).as_posix()
    root = Path(top)  # both take paths from the repository's top
    listed = _git(["ls-tree", "--name-only", revision, "--", relative], root, f"cannot list {revision}")
    if not listed.strip():
        return None
    return _git(["show", f"{revision}:{relative}"], root, f"cannot read {relative} at {revision}")


def _git(args: list[str], cwd: Path, failure: str, hint: str | None = None) -> str:
    try:
        completed = processes.capture(["git", *args], cwd=cwd, timeout=60)
    except processes.CouldNotRun as error:
        raise UsageError(str(error), hint="--affected-since needs git on PATH") from error
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        raise UsageError(failure + (f" ({detail[-1]})" if detail else ""), hint=hint)
    return completed.stdout.strip() if args[0] == "rev-parse" else completed.stdout
