"""`residency init`: a new project directory with regions.yaml, a .gitignore and, if asked, a pipeline.

Everything is checked before anything is written (the regions.yaml must be valid, no file residency
would create may exist), and a failure part-way removes what this run wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from residency.config.starter import (
    SAMPLE_REGIONS,
    StarterCi,
    StarterRegion,
    project_name_from,
    starter_text,
    suggested_countries,
)
from residency.errors import ExitCode, ResidencyError, UsageError
from residency.files import read_handed_text, write_atomically

__all__ = ["SAMPLE_REGIONS", "Created", "StartedProject", "StarterRegion", "init_project", "parse_starter_regions",
           "project_name_from", "require_target", "start_project", "starter_regions", "suggested_countries"]

CONFIG_NAME = "regions.yaml"
TARGETS = ("local", "aws")
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
    from residency.config.loader import load_config_text  # pydantic: not when the CLI starts

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


@dataclass(frozen=True)
class StartedProject:
    created: list[Created]
    state_backend: str  # "s3" when the pipeline's runners keep nothing; "local" otherwise
    exit_code: ExitCode = ExitCode.OK  # what cannot be started is refused before anything is written


def start_project(directory: Path, *, project: str, regions: tuple[StarterRegion, ...], target: str,
                  ci: str | None, install: str | None, plan_role: str | None,
                  apply_role: str | None) -> StartedProject:
    """`residency init`: the starter regions.yaml for these regions (and the pipeline, with `ci`) in `directory`."""
    require_target(target)
    # A pipeline's runners are thrown away after each job: on AWS its state must live in S3, not on them.
    backend = "s3" if target == "aws" and ci else "local"
    text = starter_text(project, regions, target, StarterCi(install, plan_role, apply_role), backend)
    return StartedProject(init_project(directory, text, ci=ci), backend)


def require_target(target: str) -> None:
    if target not in TARGETS:
        raise UsageError(f"unknown target {target!r}", hint=" or ".join(TARGETS))


def parse_starter_regions(specs: list[str], default_region: str | None) -> tuple[StarterRegion, ...]:
    """`--region REGION:COUNTRIES` (repeated) and `--default REGION` as the starter's regions."""
    parsed = []
    for spec in specs:
        code, separator, countries = spec.partition(":")
        listed = tuple(country.strip().upper() for country in countries.split(",") if country.strip())
        if not separator or not code.strip() or not listed:
            raise UsageError(f"--region {spec!r}: expected REGION:COUNTRIES", hint="e.g. --region eu-west-1:IE,FR,DE")
        parsed.append((code.strip(), listed))
    codes = [code for code, _ in parsed]
    if default_region is not None and default_region not in codes:
        raise UsageError(f"--default {default_region}: not one of the regions given", hint=", ".join(codes))
    default = default_region or codes[0]
    return tuple(StarterRegion(code, countries, default=code == default) for code, countries in parsed)


def starter_regions(regions: list[tuple[str, tuple[str, ...]]], default: str) -> tuple[StarterRegion, ...]:
    """Regions answered one by one (on a terminal), `default` taking unlisted countries."""
    return tuple(StarterRegion(code, countries, default=code == default) for code, countries in regions)
