"""CONTRIBUTING.md's recipes, followed as written in a scratch copy of the repository: each touches at most three
files, and what it adds works (the command runs, the rule finds what it is about, the silo resource is in every
region, the backend's block is synthesized and its state placed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from residency.config import load_config
from tests.conftest import REPO

GUIDE = REPO / "CONTRIBUTING.md"
MOST_FILES = 3
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
INSERT = re.compile(r"# in (\S+), after the line with: (.+)")
COPIED = ("residency", "handlers", "docs", "main.py", "cdktf.json", "pyproject.toml")


@dataclass(frozen=True)
class Recipe:
    title: str
    blocks: list[tuple[str, str]]  # (language, text)


def recipes() -> dict[str, Recipe]:
    found = {}
    for section in GUIDE.read_text().split("\n### Recipe: ")[1:]:
        title = section.splitlines()[0].strip()
        found[title] = Recipe(title, [(language, text) for language, text in BLOCK.findall(section)])
    return found


def follow(recipe: Recipe, root: Path) -> list[str]:
    """Apply the recipe's blocks under `root`; the files it touched, relative to it."""
    before = _snapshot(root)
    for language, text in recipe.blocks:
        first, _, rest = text.partition("\n")
        if first.startswith("# new file: "):
            target = root / first.removeprefix("# new file: ").strip()
            assert not target.exists(), f"{target} exists already"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rest)
        elif (inserted := INSERT.fullmatch(first)) is not None:
            target, anchor = root / inserted.group(1), inserted.group(2).strip()
            lines = target.read_text().splitlines(keepends=True)
            at = next(index for index, line in enumerate(lines) if anchor in line)
            target.write_text("".join([*lines[:at + 1], rest, *lines[at + 1:]]))
        elif language == "sh":
            subprocess.run(["sh", "-c", text], cwd=root, env=_environment(root), check=True, timeout=300)
        else:
            raise AssertionError(f"{recipe.title}: a {language} block that is neither a new file nor an insertion")
    after = _snapshot(root)
    return sorted(name for name in after if before.get(name) != after[name])


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and ".residency" not in path.parts
            and "cdktf.out" not in path.parts}


def _environment(root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}


def residency(root: Path, *args: str, project: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "residency", *args], cwd=project or root, env=_environment(root),
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


@dataclass(frozen=True)
class Followed:
    root: Path  # the scratch repository, every recipe applied
    touched: dict[str, list[str]]  # recipe -> the files it wrote
    sample: Path  # a project of the sample regions.yaml, synthesized with every recipe in place


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Followed:
    """Every recipe applied, in the guide's order, to one scratch copy; the sample synthesized with them."""
    root = tmp_path_factory.mktemp("contributing") / "repo"
    root.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    touched = {title: follow(recipe, root) for title, recipe in recipes().items()}
    sample = root.parent / "sample"
    sample.mkdir()
    shutil.copy(REPO / "regions.yaml", sample / "regions.yaml")
    synthesized = residency(root, "synth", project=sample)
    assert synthesized.returncode == 0, synthesized.stderr
    return Followed(root, touched, sample)


def test_the_guide_has_the_four_recipes_each_in_at_most_three_files(followed):
    assert sorted(followed.touched) == ["a command", "a residency rule", "a resource in every silo",
                                        "a state backend"]
    too_many = {title: files for title, files in followed.touched.items() if len(files) > MOST_FILES}
    assert too_many == {}


def test_a_command(followed):
    listed = residency(followed.root, "--help")
    assert "jurisdictions" in listed.stdout, listed.stderr
    shown = residency(followed.root, "jurisdictions", "--json", project=followed.sample)
    assert shown.returncode == 0, shown.stderr
    config = load_config(REPO / "regions.yaml")
    assert {row["name"]: (row["regions"], row["countries"]) for row in json.loads(shown.stdout)["jurisdictions"]} == {
        jurisdiction: ([code for code in config.regions if config.regions[code].jurisdiction == jurisdiction],
                       [country for code in config.regions if config.regions[code].jurisdiction == jurisdiction
                        for country in config.countries_of(code)])
        for jurisdiction in config.jurisdictions}


def _changed_copy(followed: Followed, into: Path, region: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the synthesized sample with one region's document changed."""
    project = into / "project"
    shutil.copytree(followed.sample, project)
    stack = project / "cdktf.out" / "stacks" / region / "cdk.tf.json"
    document = json.loads(stack.read_text())
    change(document)
    stack.write_text(json.dumps(document))
    return project


def _findings(followed: Followed, project: Path) -> tuple[int, list[dict[str, Any]]]:
    checked = residency(followed.root, "check", "--out", "cdktf.out", "--json", project=project)
    assert checked.stdout, checked.stderr
    return checked.returncode, json.loads(checked.stdout)["findings"]


def test_a_residency_rule(followed, tmp_path):
    assert "## RES099:" in (followed.root / "docs/rules.md").read_text()
    assert _findings(followed, followed.sample) == (0, [])

    def without_recovery(document: dict[str, Any]) -> None:
        for table in document["resource"]["aws_dynamodb_table"].values():
            table["point_in_time_recovery"] = {"enabled": False}

    code, findings = _findings(followed, _changed_copy(followed, tmp_path, "eu-west-1", without_recovery))
    assert code == 3 and {finding["rule"] for finding in findings} == {"RES099"}


def test_a_resource_in_every_silo(followed, tmp_path):
    config = load_config(REPO / "regions.yaml")
    for region in config.regions:
        document = json.loads((followed.sample / "cdktf.out" / "stacks" / region / "cdk.tf.json").read_text())
        (dashboard,) = document["resource"]["aws_cloudwatch_dashboard"].values()
        assert json.loads(dashboard["dashboard_body"])["widgets"][0]["properties"]["region"] == region
    global_ = json.loads((followed.sample / "cdktf.out" / "stacks" / "global" / "cdk.tf.json").read_text())
    assert "aws_cloudwatch_dashboard" not in global_["resource"]

    def reading_abroad(document: dict[str, Any]) -> None:
        (dashboard,) = document["resource"]["aws_cloudwatch_dashboard"].values()
        dashboard["dashboard_body"] = dashboard["dashboard_body"].replace('"eu-west-1"', '"us-east-1"')

    # the rules judge it like the rest: a dashboard that reads another jurisdiction's region is refused
    code, findings = _findings(followed, _changed_copy(followed, tmp_path, "eu-west-1", reading_abroad))
    assert code == 3 and findings and all(
        finding["workspace"] == "eu-west-1" and "aws_cloudwatch_dashboard" in finding["address"]
        for finding in findings), findings


BACKEND_CONFIG = """project: acme
domain: example.com
global: {region: eu-central-1}
state:
  backend: http
  address: https://state.example.com/acme
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE], default: true}
"""

BACKEND_PROBE = '''
import json
from pathlib import Path

from residency.config import config_json_schema, load_config
from residency.errors import ConfigError, UsageError
from residency.flows.bootstrap import require_s3
from residency.guard.check import check_synthesized
from residency.stacks import synthesize

TEXT = Path("regions.yaml").read_text()

def error(text):
    Path("bad.yaml").write_text(text)
    try:
        load_config(Path("bad.yaml"))
    except ConfigError as caught:
        return caught.render().replace(str(Path("bad.yaml")), "regions.yaml")

config = load_config(Path("regions.yaml"))
synthesize(config, Path("cdktf.out"))
stacks = {name: json.loads(Path(f"cdktf.out/stacks/{name}/cdk.tf.json").read_text()) for name in config.workspaces}
report = check_synthesized(config, Path("cdktf.out"))
try:
    require_s3(config)
except UsageError as refused:
    bootstrap = str(refused)
state_schema = config_json_schema()["$defs"]["HttpState"]
print(json.dumps({
    "model": type(config.state).__name__,
    "location": config.state_location("eu-central-1"),
    "blocks": {name: document["terraform"]["backend"] for name, document in stacks.items()},
    "lookups": [lookup["backend"] for lookup in stacks["global"]["data"]["terraform_remote_state"].values()],
    "findings": sorted({(f.rule, f.workspace, f.message) for f in report.findings}),
    "schema": [state_schema["properties"]["backend"]["description"], state_schema["required"]],
    "unknown": error(TEXT.replace("backend: http", "backend: gcs")),
    "misplaced": error(TEXT.replace("backend: http", "backend: s3")),
    "bootstrap": bootstrap,
}))
'''


def test_a_state_backend(followed, tmp_path):
    (tmp_path / "regions.yaml").write_text(BACKEND_CONFIG)
    done = subprocess.run([sys.executable, "-c", BACKEND_PROBE], cwd=tmp_path, env=_environment(followed.root),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["model"] == "HttpState"
    assert seen["location"] == "https://state.example.com/acme/eu-central-1"
    assert seen["blocks"] == {name: {"http": {"address": f"https://state.example.com/acme/{name}"}}
                              for name in ("eu-central-1", "global")}
    assert seen["lookups"] == ["http"]  # global reads the region's outputs through the new backend
    assert seen["findings"] == [  # RES004 places the state where the backend says it is: nowhere it can establish
        ["RES004", "eu-central-1", "state is kept by state.example.com, in a jurisdiction residency cannot establish"]]
    assert seen["schema"] == ["local | s3 | cloud | http", ["backend", "address"]]
    assert seen["unknown"] == "regions.yaml:5: state.backend: expected 'local', 's3', 'cloud' or 'http', got 'gcs'"
    assert seen["misplaced"] == ("regions.yaml:6: state.address: address is only used with backend: http "
                                 "(backend is s3)\n  hint: remove it, or set backend: http")
    assert re.match(r"bootstrap creates the state buckets .* uses backend: http$", seen["bootstrap"])


def test_following_counts_each_file_a_recipe_writes_once(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "registry.py").write_text("A = 1\nB = 2\n")
    recipe = Recipe("probe", [("python", "# new file: pkg/new.py\nX = 1\n"),
                              ("python", "# in pkg/registry.py, after the line with: A = 1\nC = 3\n"),
                              ("python", "# in pkg/registry.py, after the line with: B = 2\nD = 4\n")])
    assert follow(recipe, tmp_path) == ["pkg/new.py", "pkg/registry.py"]
    assert (tmp_path / "pkg" / "registry.py").read_text() == "A = 1\nC = 3\nB = 2\nD = 4\n"
