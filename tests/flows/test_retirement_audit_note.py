"""Retiring a region that may have kept its jurisdiction's audit bucket says which regions to apply next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from residency.config import load_config
from residency.flows.retirement import _note_audit_home


class Said:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)

    def __getattr__(self, name: str) -> Any:  # the rest of a reporter: not used here
        return lambda *args, **kwargs: None


CONFIG = """project: acme-retire
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE, DE]}
  eu-south-1: {jurisdiction: EU, countries: [IT]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
"""


def test_the_other_regions_of_the_jurisdiction_are_named_with_its_new_audit_home(tmp_path: Path) -> None:
    (tmp_path / "regions.yaml").write_text(CONFIG + "audit: true\n")
    said = Said()
    _note_audit_home(load_config(tmp_path / "regions.yaml"), "eu-central-1", said)  # type: ignore[arg-type]
    assert said.lines == ["eu-central-1: if it kept the EU audit bucket, apply eu-west-1 eu-south-1 now (`residency "
                          "apply eu-west-1 eu-south-1`): their trails then deliver to eu-west-1's, which that apply "
                          "creates"]


def test_nothing_is_said_without_audit_or_without_another_region_of_the_jurisdiction(tmp_path: Path) -> None:
    (tmp_path / "regions.yaml").write_text(CONFIG)
    said = Said()
    _note_audit_home(load_config(tmp_path / "regions.yaml"), "eu-central-1", said)  # type: ignore[arg-type]
    (tmp_path / "regions.yaml").write_text(CONFIG + "audit: true\n")
    _note_audit_home(load_config(tmp_path / "regions.yaml"), "ca-central-1", said)  # type: ignore[arg-type]
    assert said.lines == []
