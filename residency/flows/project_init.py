"""`residency init`: a new project directory with regions.yaml, a .gitignore and, if asked, a pipeline.

Everything is checked before anything is written (the regions.yaml must be valid, no file residency
would create may exist), and a failure part-way removes what this run wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from residency.config.loader import load_config_text
from residency.errors import ResidencyError, UsageError
from residency.files import read_handed_text, write_atomically

CONFIG_NAME = "regions.yaml"
GITIGNORE_HEADER = "# residency: local state, logs, emulator files and synthesized Terraform"
# Everything residency writes into a project, none of it for version control (.residency/ may hold
# state with personal-data locations and exports).
GITIGNORED = (".residency/", "cdktf.out/", ".cdktf.out.staging-*/", ".cdktf.out.retired-*/", "__pycache__/")
GITIGNORE_LIMIT = 4 * 1024 * 1024  # a .gitignore is a few kilobytes


@dataclass(frozen=True)
class Created:
    path: Path
    what: str


def init_project(directory: Path, config_text: str, *, ci: str | None = None) -> list[Created]:
    """Write the project into `directory` (created if need be); what was written, in order."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    config_path = directory / CONFIG_NAME
    if config_path.exists() or config_path.is_symlink():
        raise UsageError(f"{config_path} already exists; residency init never overwrites it",
                         hint="edit it (`residency validate` checks it), or init another directory")
    config = load_config_text(config_text, str(config_path))  # ConfigError (65) before anything is written
    pipeline: tuple[Path, str] | None = None
    if ci is not None:
        from residency.pipelines.pipeline_files import PLATFORMS, PipelineSettings, render_pipeline

        text = render_pipeline(ci, config, PipelineSettings(CONFIG_NAME), directory)
        pipeline_path = directory / PLATFORMS[ci][1]
        if pipeline_path.exists():
            raise UsageError(f"{pipeline_path} already exists; residency init never overwrites it",
                             hint=f"leave out --ci, or render it elsewhere: `residency ci render --platform {ci} "
                                  "--stdout`")
        pipeline = (pipeline_path, text)
    gitignore = directory / ".gitignore"
    gitignore_before = _read_gitignore(gitignore)
    gitignore_text = _gitignore_with_residency(gitignore_before or "")

    created: list[Created] = []
    try:
        write_atomically(config_path, config_text)
        created.append(Created(config_path, "regions.yaml"))
        if gitignore_text is not None:
            existed = gitignore.exists()
            write_atomically(gitignore, gitignore_text)
            created.append(Created(gitignore, "entries added to .gitignore" if existed else ".gitignore"))
        if pipeline is not None:
            write_atomically(*pipeline)
            created.append(Created(pipeline[0], f"{ci} pipeline"))
    except ResidencyError:
        for done in created:
            if done.path == gitignore.resolve() and gitignore_before is not None:
                write_atomically(gitignore, gitignore_before)
            else:
                done.path.unlink(missing_ok=True)
        raise
    return created


def _read_gitignore(path: Path) -> str | None:
    """The project's .gitignore with universal newlines (as open() reads text); None when there is none."""
    try:
        return read_handed_text(path, GITIGNORE_LIMIT).replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(str(error), hint="residency init adds its entries to .gitignore, a text file") from None


def _gitignore_with_residency(current: str) -> str | None:
    """The .gitignore with residency's entries added; None when it has them all already."""
    present = {line.strip() for line in current.splitlines()}
    missing = [entry for entry in GITIGNORED if entry not in present]
    if not missing:
        return None
    separator = "" if not current or current.endswith("\n") else "\n"
    blank = "\n" if current.strip() else ""
    return current + separator + blank + "\n".join([GITIGNORE_HEADER, *missing]) + "\n"
