"""Whether the pipeline files `ci render` wrote still follow regions.yaml.

A rendered file records the settings it was rendered with (its second line); rendered again with them from
today's regions.yaml it must come out the same. A pipeline that does not is out of date: a region added since
has no apply job (it would be planned on every pull request and never applied), a retired one still has one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from residency.config import Config
from residency.errors import ResidencyError, UsageError
from residency.files import FileTooLarge, UnreadableFile, read_regular_file
from residency.pipelines.pipeline_files import (
    PLATFORMS,
    PipelineSettings,
    render_pipeline,
    workspace_jobs,
    write_pipeline,
)

SETTINGS_LINE = re.compile(r"^# residency ci render settings: (\{.*\})$", re.MULTILINE)
RENDERED_MARK = "# Rendered by `residency ci render"
PIPELINE_FILE_LIMIT = 4 * 1024 * 1024  # a rendered pipeline is tens of kilobytes
APPLY_JOB = re.compile(r"^ {0,2}apply[-:]([a-z0-9-]+):", re.MULTILINE)  # GitHub: apply-WS, GitLab: apply:WS


@dataclass(frozen=True)
class StalePipeline:
    path: Path
    platform: str
    why: str
    command: str  # what renders it again

    def describe(self) -> str:
        return f"{self.path}:1: the pipeline is out of date with regions.yaml: {self.why}; run `{self.command}`"


def stale_pipelines(config: Config, config_path: Path) -> list[StalePipeline]:
    """Every pipeline file rendered for this regions.yaml (in its directory or a parent up to the repository
    root) that today's regions.yaml renders differently."""
    found = []
    for root, platform, path, text in _rendered_files(config_path):
        settings_line = SETTINGS_LINE.search(text)
        if settings_line is None:
            found.append(StalePipeline(path, platform, "it was rendered by an older residency",
                                       f"residency ci render --platform {platform}"))
            continue
        try:
            recorded = json.loads(settings_line.group(1))
            settings = PipelineSettings(str(recorded["config_path"]), str(recorded["branch"]),
                                        str(recorded["drift_cron"]), str(recorded["install"]))
        except (ValueError, KeyError, TypeError):
            found.append(StalePipeline(path, platform, "its settings line cannot be read",
                                       f"residency ci render --platform {platform}"))
            continue
        if (root / settings.config_path).resolve() != config_path.resolve():
            continue  # rendered for another regions.yaml of the repository
        command = render_command(platform, settings)
        try:
            expected = render_pipeline(platform, config, settings, root)
        except ResidencyError as error:
            found.append(StalePipeline(path, platform, f"it can no longer be rendered ({error.message})", command))
            continue
        if expected != text:
            found.append(StalePipeline(path, platform, _difference(config, text), command))
    return found


def rerender(stale: StalePipeline, config: Config, config_path: Path) -> Path:
    """Write the stale pipeline again from regions.yaml, with the settings it was rendered with."""
    text = _pipeline_text(stale.path) or ""
    recorded = json.loads(SETTINGS_LINE.search(text).group(1))  # type: ignore[union-attr]
    settings = PipelineSettings(str(recorded["config_path"]), str(recorded["branch"]), str(recorded["drift_cron"]),
                                str(recorded["install"]))
    root = stale.path.parents[len(PLATFORMS[stale.platform][1].parts) - 1]
    return write_pipeline(stale.platform, render_pipeline(stale.platform, config, settings, root), root)


def render_command(platform: str, settings: PipelineSettings) -> str:
    options = [f"--platform {platform}"]
    if settings.branch != "main":
        options.append(f"--branch {settings.branch}")
    if settings.drift_cron != PipelineSettings.drift_cron:
        options.append(f"--drift-cron '{settings.drift_cron}'")
    if settings.install:
        options.append(f"--install '{settings.install}'")
    return "residency ci render " + " ".join(options)


def _difference(config: Config, text: str) -> str:
    expected = {job.job for job in workspace_jobs(config)}
    present = set(APPLY_JOB.findall(text))
    missing, extra = sorted(expected - present), sorted(present - expected)
    parts = []
    if missing:
        parts.append(f"no apply job for {', '.join(missing)} (planned on every pull request, never applied)")
    if extra:
        parts.append(f"an apply job for {', '.join(extra)}, which regions.yaml no longer lists")
    return "; ".join(parts) or "it differs from what regions.yaml renders now"


def _rendered_files(config_path: Path) -> list[tuple[Path, str, Path, str]]:
    found = []
    for root in _roots(config_path.resolve().parent):
        for platform, (_template, relative) in PLATFORMS.items():
            path = root / relative
            text = _pipeline_text(path)
            if text is not None and text.startswith(RENDERED_MARK):
                found.append((root, platform, path, text))
    return found


def _pipeline_text(path: Path) -> str | None:
    """The text of a pipeline file; None when it is not one residency could have rendered: no regular file (a FIFO,
    a device) or far larger than any it renders (the repository's own). UsageError when it cannot be read."""
    if not path.is_file():
        return None
    try:
        return read_regular_file(path, PIPELINE_FILE_LIMIT).decode("utf-8", errors="replace")
    except FileTooLarge:
        return None
    except UnreadableFile as error:
        raise UsageError(error.reason) from None


def _roots(directory: Path) -> list[Path]:
    """The directory of regions.yaml and its parents, up to the repository's root (one with .git)."""
    roots = []
    for candidate in (directory, *directory.parents):
        roots.append(candidate)
        if (candidate / ".git").exists():
            return roots
    return [directory]

