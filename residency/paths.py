"""Where residency keeps its files, relative to the directory of regions.yaml."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from residency.errors import UsageError
from residency.naming import STATE_KEY

STATE_DIR_NAME = ".residency"
OUT_DIR_NAME = "cdktf.out"
SCP_FILE = "organization-scp.json"  # the organization SCP (`organization_scp: true`), beside the workspaces


def local_state_path(workspace: str) -> PurePosixPath:
    """Where a workspace's local state file is, relative to the project: the one spelling of that layout."""
    return PurePosixPath(STATE_DIR_NAME, "state", workspace, STATE_KEY)


def state_path_from_stack(workspace: str) -> str:
    """Where a workspace's state is, relative to its directory `cdktf.out/stacks/<workspace>`.

    Written into the synthesized backend so that Terraform, the stock `cdktf` CLI and the
    remote-state lookups of cross-stack references all find the same file.
    """
    return f"../../../{local_state_path(workspace)}"


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @classmethod
    def for_config(cls, config_file: Path) -> ProjectPaths:
        return cls(config_file.resolve().parent)

    @property
    def work(self) -> Path:
        return self.root / STATE_DIR_NAME

    def make_work_private(self) -> None:
        """`.residency/` holds state, saved plans and logs: only its owner may enter it. Created so,
        and an existing one (from an older residency, or a lax umask) is tightened."""
        try:
            self.work.mkdir(mode=0o700, exist_ok=True)
            status = self.work.lstat()
        except OSError:
            return  # a read-only or missing project directory: the command itself will say so
        if stat.S_ISLNK(status.st_mode) or status.st_uid != os.getuid():
            owner = "a symbolic link" if stat.S_ISLNK(status.st_mode) else f"owned by uid {status.st_uid}, not you"
            raise UsageError(f"{self.work} is {owner}: residency keeps state, saved plans and logs there, and "
                             "would write into (and read from) someone else's directory",
                             hint=f"remove it, or run residency as its owner (uid {status.st_uid})")
        if status.st_mode & 0o077:
            try:
                self.work.chmod(0o700)
            except OSError:
                pass

    @property
    def out(self) -> Path:
        return self.root / OUT_DIR_NAME

    def stack_dir(self, workspace: str) -> Path:
        return self.out / "stacks" / workspace

    @property
    def synth_record(self) -> Path:
        """What the last synth read and wrote: a synth with the same inputs is skipped."""
        return self.work / "synth.json"

    @property
    def bootstrap_out(self) -> Path:
        """`residency bootstrap`'s own synthesized workspaces (the state buckets), apart from cdktf.out."""
        return self.work / "bootstrap" / OUT_DIR_NAME

    @property
    def retirement_out(self) -> Path:
        """`residency region retire`'s synthesized workspace (backend and provider only)."""
        return self.work / "retire" / OUT_DIR_NAME

    def bootstrap_seed(self, workspace: str) -> Path:
        """A bootstrap workspace with local state, for the first run, before its bucket exists."""
        return self.work / "bootstrap" / "seed" / workspace

    def state_file(self, workspace: str) -> Path:
        return self.root / local_state_path(workspace)

    def data_dir(self, workspace: str) -> Path:
        """Terraform's own per-workspace directory (TF_DATA_DIR), kept out of cdktf.out."""
        return self.work / "terraform" / workspace

    @property
    def unfinished_drills(self) -> Path:
        """One marker per drill whose region's health check may still be inverted (`drill --restore` clears it)."""
        return self.work / "drills" / "unfinished"

    def unfinished_drill_regions(self) -> list[str]:
        """The regions whose drill never (for sure) restored their health check, by the markers left."""
        markers = self.unfinished_drills
        return sorted(path.stem for path in markers.glob("*.json")) if markers.is_dir() else []

    def plan_file(self, workspace: str) -> Path:
        return self.work / "plans" / f"{workspace}.tfplan"

    @property
    def plugin_cache(self) -> Path:
        return self.work / "plugin-cache"

    @property
    def cli_config(self) -> Path:
        return self.work / "terraformrc"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def emulator_record(self) -> Path:
        return self.work / "emulator.json"

    @property
    def emulator_log(self) -> Path:
        return self.work / "emulator.log"
