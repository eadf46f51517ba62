"""`residency ci render`: pipeline files for GitHub Actions, GitLab CI or HCP Terraform, from templates.

Templates use [[ ]] and [% %] so that the platforms' own ${{ }} and $VAR expressions pass through.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from residency.config import CloudState, Config
from residency.errors import UsageError
from residency.files import write_atomically

PLATFORMS = {
    "github": ("github.yml.j2", Path(".github/workflows/residency.yml")),
    "gitlab": ("gitlab.yml.j2", Path(".gitlab-ci.yml")),
    "tfc": ("tfc.yml.j2", Path(".github/workflows/residency-tfc.yml")),
}
TERRAFORM_VERSION = "1.11.4"
PYTHON_VERSION = "3.11"


@dataclass(frozen=True)
class PipelineSettings:
    config_path: str  # regions.yaml, relative to the repository root
    branch: str = "main"
    drift_cron: str = "17 6 * * *"
    install: str = ""  # what `pip install` gets; default: this residency version


def render_pipeline(platform: str, config: Config, settings: PipelineSettings) -> str:
    import jinja2

    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}", hint=f"one of {', '.join(PLATFORMS)}")
    if platform == "tfc" and not isinstance(config.state, CloudState):
        raise UsageError("--platform tfc runs Terraform in HCP Terraform, which needs `state: {backend: cloud}`",
                         hint="use --platform github or gitlab for local or s3 state")
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("residency.pipelines", "templates"),
        variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )
    template = environment.get_template(PLATFORMS[platform][0])
    return template.render(
        config=config, settings=settings, aws=not config.profile.uses_emulator,
        install=settings.install or f"residency=={version('residency')}",
        terraform_version=TERRAFORM_VERSION, python_version=PYTHON_VERSION,
    )


def write_pipeline(platform: str, text: str, root: Path) -> Path:
    return write_atomically(root / PLATFORMS[platform][1], text)
