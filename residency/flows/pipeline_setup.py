"""`ci render|summary|roles` and `tfc`: the pipeline files, the summary their jobs post, the roles they assume and
the HCP Terraform workspace settings, each from regions.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from residency.errors import UsageError
from residency.files import read_handed_text, write_atomically

if TYPE_CHECKING:
    from residency.config import Config


@dataclass(frozen=True)
class Rendered:
    text: str
    written: Path | None = None  # None when it was only printed


def pipeline(config: Config, config_path: Path, platform: str, *, out: Path, branch: str, drift_cron: str,
             install: str, write: bool) -> Rendered:
    """The pipeline of `platform` for the repository at `out`, written there when `write`."""
    from residency.pipelines.pipeline_files import PipelineSettings, render_pipeline, write_pipeline

    settings = PipelineSettings(_relative_to(config_path, out), branch, drift_cron, install)
    text = render_pipeline(platform, config, settings, out)
    return Rendered(text, write_pipeline(platform, text, out) if write else None)


def _relative_to(path: Path, root: Path) -> str:
    """The pipeline names regions.yaml relative to the repository root, as the jobs see it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{path} is not inside {root.resolve()}, the repository the pipeline is for",
                         hint="run it from the repository root, or pass --out ROOT") from None


def run_summary(files: list[Path], title: str | None) -> str:
    """Markdown of the `--json` outputs of plan, apply, destroy or drift (one per workspace job, combined)."""
    from residency.pipelines.summary import combine, render_summary

    documents = []
    for file in files:
        try:
            documents.append(json.loads(read_handed_text(file)))
        except OSError as error:
            raise UsageError(f"cannot read {file}: {error.strerror or error}") from error
        except ValueError as error:
            raise UsageError(f"{file} is not JSON ({error})", hint="e.g. residency plan --all --json > plan.json") \
                from error
    try:
        return render_summary(combine(documents), title=title)
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # a field of another shape, anywhere
        raise UsageError(f"{', '.join(map(str, files))}: not the --json output of residency plan, apply, destroy or "
                         f"drift ({type(error).__name__}: {error})",
                         hint="e.g. residency plan --all --json > plan.json") from None


def roles(config: Config, *, platform: str, repository: str | None, branch: str, gitlab_host: str | None,
          output_format: str, create_oidc_provider: bool, out: Path | None) -> Rendered:
    """The IAM roles the pipelines assume, with their policies; written into `out` when given."""
    from residency.pipelines.ci_roles import FILES, RolesSettings, ci_roles, render_roles

    if repository is None:
        raise UsageError("--repository is required: the trust policies name the repository whose jobs may assume "
                         "the roles", hint="e.g. --repository acme/health-platform (GitLab: GROUP/PROJECT)")
    if gitlab_host is not None and platform != "gitlab":
        raise UsageError("--gitlab-host is for --platform gitlab", hint="leave it out for GitHub")
    settings = RolesSettings(platform, repository, branch, gitlab_host or "gitlab.com")
    text = render_roles(ci_roles(config, settings), output_format, create_provider=create_oidc_provider)
    return Rendered(text, None if out is None else write_atomically(_directory(out) / FILES[output_format], text))


def tfc_workspaces(config: Config, out: Path | None) -> Rendered:
    """HCP Terraform workspace settings (tfe provider), keyed by region; written as `out`/tfc.tf.json if given."""
    from residency.pipelines.tfc import tfc_settings

    text = json.dumps(tfc_settings(config), indent=2) + "\n"
    return Rendered(text, None if out is None else write_atomically(_directory(out) / "tfc.tf.json", text))


def _directory(out: Path) -> Path:
    """`--out DIR`: a directory (made if need be), never a file's name."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory", hint="name the directory to write into")
    out.mkdir(parents=True, exist_ok=True)
    return out
