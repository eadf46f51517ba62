"""The synthesized output a job that ran the project's code hands to the jobs that hold credentials."""

from __future__ import annotations

from pathlib import Path

from residency.flows.terraform_runs import project_commit, residency_version
from residency.paths import ProjectPaths
from residency.terraform.synthesized_bundle import Bundle, open_bundle, write_bundle


def bundle_synthesized(directory: Path, config_path: Path, paths: ProjectPaths, affected: list[str] | None) -> Path:
    """`residency synth --bundle DIR`: the configuration, cdktf.out (just synthesized) and their digests."""
    return write_bundle(directory, config_file=config_path, out_dir=paths.out, residency_version=residency_version(),
                        commit=project_commit(paths.root), workspaces=affected)


def open_handed(directory: Path, version: str) -> Bundle:
    """`--from DIR`: the bundle, once every file is shown to be the one written there by this `version`."""
    return open_bundle(directory, residency_version=version)
