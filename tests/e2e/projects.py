"""The projects of the end-to-end scenarios: a regions.yaml on the local target, global in us-east-1, written from
the few settings a scenario is about."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

GLOBAL_REGION = "us-east-1"


def region(code: str, jurisdiction: str, countries: Sequence[str], *, failover: str | None = None,
           default: bool = False, note: str = "") -> str:
    """One entry under `regions:`; `note` is a comment at the end of its last line."""
    lines = [f"  {code}:", f"    jurisdiction: {jurisdiction}", f"    countries: [{', '.join(countries)}]"]
    if failover:
        lines.append(f"    failover: {failover}")
    if default:
        lines.append("    default: true")
    if note:
        lines[-1] += f"   # {note}"
    return "".join(f"{line}\n" for line in lines)


def eu_and_us(*, note: str = "") -> tuple[str, str]:
    """eu-central-1 for Germany and the member states, us-east-1 for the US and everyone else (`note` beside its
    `default`)."""
    return (region("eu-central-1", "EU", ["DE", "EU"]), region("us-east-1", "US", ["US"], default=True, note=note))


def local_project(directory: Path, name: str, regions: Sequence[str], *, domain: str | None = None,
                  state: str | None = None, frontend: bool = False, extra: str = "", comment: str = "") -> Path:
    """Write `directory`/regions.yaml: project `name` on the local target with these regions (see `region`), a
    `domain`, a `state` backend, global's `frontend` when given; then `extra` (sections of its own); `comment` a
    line above it all. Returns `directory`."""
    text = (f"# {comment}\n" if comment else "") + f"project: {name}\ntarget: local\n"
    if domain:
        text += f"domain: {domain}\n"
    if state:
        text += f"state:\n  backend: {state}\n"
    text += f"global:\n  region: {GLOBAL_REGION}\n" + ("  frontend: true\n" if frontend else "")
    (directory / "regions.yaml").write_text(text + "regions:\n" + "".join(regions) + extra)
    return directory
