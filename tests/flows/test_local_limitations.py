"""The local target's limitations: only those that concern this regions.yaml, and only when they are news
(the emulator was just started) or asked for (--verbose)."""

from __future__ import annotations

from pathlib import Path

from residency.config.loader import load_config_text
from residency.flows.terraform_runs import RunOptions, TerraformTools, terraform_settings
from residency.local.emulator import Emulator
from residency.paths import ProjectPaths
from tests.conftest import SAMPLE

FRONTEND = "With `global.frontend`"
DOMAIN = "With `domain`"
REPLICAS = "The residency directory is not replicated"


def limitations(text: str) -> tuple[str, ...]:
    return load_config_text(text, "regions.yaml").local_limitations()


def test_only_the_limitations_this_configuration_meets():
    sample = limitations(SAMPLE.read_text())
    assert not any(text.startswith((FRONTEND, DOMAIN)) for text in sample)
    assert any(text.startswith(REPLICAS) for text in sample)  # three regions: replicas on AWS
    featured = limitations(SAMPLE.read_text().replace("frontend: false", "frontend: true")
                           + "domain: example.com\n")
    assert any(text.startswith(FRONTEND) for text in featured) and any(text.startswith(DOMAIN) for text in featured)
    one_region = limitations("project: solo\nglobal: {region: us-east-1}\nregions:\n"
                             "  us-east-1: {jurisdiction: US, countries: [US], default: true}\n")
    assert not any(text.startswith(REPLICAS) for text in one_region)
    assert limitations(SAMPLE.read_text().replace("target: local", "target: aws")) == ()


def test_they_come_once_per_emulator_start_or_when_asked(tmp_path: Path):
    config = load_config_text(SAMPLE.read_text(), "regions.yaml")
    paths = ProjectPaths(tmp_path)
    tools = TerraformTools(Path("/usr/bin/true"), None)

    def notes(options: RunOptions) -> list[str]:
        said: list[str] = []
        terraform_settings(config, paths, tools, options, said.append, show_limitations=True)
        return [line for line in said if line.startswith("local target: ")]

    try:
        first = notes(RunOptions())  # starts the emulator
        assert len(first) == len(config.local_limitations()) + 1
        assert "once per emulator start" in first[-1]
        assert notes(RunOptions()) == []  # the same emulator: nothing new
        assert len(notes(RunOptions(verbose=True))) == len(config.local_limitations())
    finally:
        Emulator(paths).stop()
