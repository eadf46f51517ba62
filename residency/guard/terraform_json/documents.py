"""Read a workspace directory the way Terraform reads it, into one canonical Terraform JSON document.

Terraform loads every `*.tf.json` (and `*.tf`) file of the directory, merges `override.tf.json` and
`*_override.tf.json` over the others, accepts a block body written as an object or as an array of
objects at every label level, expands `dynamic` blocks, and sees only the first of two duplicate
JSON keys. The rules must judge exactly what Terraform will apply, so this reader does the same and
reports, as problems, everything it cannot read the way Terraform would (rule RES012).

The canonical document has `resource` and `data` as {type: {name: body}}, `provider` as
{name: [config, ...]}, `module`/`output`/`variable` as {name: body}, `locals` as {name: value},
`terraform` as one merged object, and any other top-level blocks (import, moved, check...) as lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency.files import FileTooLarge, UnreadableFile, read_regular_file

MAX_FILE_BYTES = 64 * 1024 * 1024
LABELLED = {"resource": 2, "data": 2, "provider": 1, "module": 1, "output": 1, "variable": 1, "check": 1}
UNLABELLED = ("terraform", "locals")
LISTED = ("import", "moved", "removed")  # blocks without labels that may repeat
HCL_SUFFIXES = (".tf", ".tofu")
# Files Terraform loads variable values from by itself (terraform.tfvars, *.auto.tfvars and JSON forms).
VARIABLE_FILES = ("terraform.tfvars", "terraform.tfvars.json", ".auto.tfvars", ".auto.tfvars.json")
JSON_SUFFIXES = (".tf.json", ".tofu.json")


@dataclass(frozen=True)
class Problem:
    location: str  # file name, or file name and block address
    message: str


@dataclass
class ReadWorkspace:
    document: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def workspace_files(directory: Path) -> list[Path]:
    """The files Terraform would load from a workspace directory, primaries before overrides."""
    try:
        names = sorted(path for path in directory.iterdir() if path.is_file() or path.is_symlink())
    except OSError:
        return []
    # A symlink is listed (Terraform follows it); reading refuses what is not a regular file.
    loaded = [path for path in names if path.name.endswith(JSON_SUFFIXES + HCL_SUFFIXES + VARIABLE_FILES)
              and not path.name.startswith(".")]
    return sorted(loaded, key=lambda path: (_is_override(path), path.name))


def _is_override(path: Path) -> bool:
    stem = path.name
    for suffix in JSON_SUFFIXES + HCL_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem == "override" or stem.endswith("_override")


def read_workspace(directory: Path) -> ReadWorkspace:
    result = ReadWorkspace(document={})
    files = workspace_files(directory)
    if not files:
        result.problems.append(Problem(directory.name, "no Terraform configuration files in the workspace"))
    for path in files:
        result.files.append(path.name)
        if path.name.endswith(VARIABLE_FILES):
            result.problems.append(Problem(path.name, "a variable file: Terraform loads its values by itself, and "
                                           "residency does not judge values given outside the configuration"))
            continue
        if path.name.endswith(HCL_SUFFIXES):
            result.problems.append(Problem(path.name, "a native-syntax (HCL) file: Terraform loads it, residency "
                                           "cannot read it, so what it declares cannot be checked"))
            continue
        parsed = _load_json(path, result.problems)
        if parsed is None:
            continue
        try:
            blocks = _canonical(parsed, path.name, result.problems)
            _merge(result.document, blocks, path.name, _is_override(path), result.problems)
        except RecursionError:
            result.problems.append(Problem(path.name, "is nested too deeply to read"))
    return result


def read_document(document: Any, name: str = "cdk.tf.json") -> ReadWorkspace:
    """An in-memory Terraform JSON document, canonicalized (tests and plan overlays)."""
    result = ReadWorkspace(document={}, files=[name])
    _merge(result.document, _canonical(document, name, result.problems), name, False, result.problems)
    return result


# ----------------------------------------------------------------------------------------- JSON level


class _FirstKeyWins(dict):  # type: ignore[type-arg]
    """Marks an object that had duplicate keys; the first value is kept, as Terraform does."""


def strict_json(text: str) -> Any:
    """JSON text that every reader reads the same way: duplicate keys are an error (ValueError)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def _load_json(path: Path, problems: list[Problem]) -> Any:
    try:
        text = read_regular_file(path, MAX_FILE_BYTES).decode("utf-8")
    except FileTooLarge:
        problems.append(Problem(path.name, f"is over {MAX_FILE_BYTES} bytes, the most residency reads"))
        return None
    except (UnreadableFile, UnicodeDecodeError) as error:  # a FIFO, a device, a directory: refused, never waited on
        problems.append(Problem(path.name, f"cannot be read: {error}"))
        return None
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
                continue
            result[key] = value
        return result

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError) as error:
        problems.append(Problem(path.name, f"is not valid JSON: {error}"))
        return None
    for key in dict.fromkeys(duplicates):
        problems.append(Problem(path.name, f"has the key {key!r} twice in one object; JSON readers disagree on "
                                "which one counts (Terraform takes the first)"))
    return document


# ---------------------------------------------------------------------------------- canonical blocks


def _objects(value: Any, where: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """A block level: one object or an array of objects."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return list(value)
    problems.append(Problem(where, f"is {type(value).__name__}, not an object or an array of objects"))
    return []


def _canonical(document: Any, file: str, problems: list[Problem]) -> dict[str, Any]:
    """{block type: list of (labels, body)} of one file."""
    found: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
    for root in _objects(document, file, problems):
        for block_type, value in root.items():
            if block_type == "//":
                continue
            where = f"{file}: {block_type}"
            if block_type in LABELLED:
                for labels, body in _labelled(value, LABELLED[block_type], where, problems):
                    found.setdefault(block_type, []).append((labels, body))
            elif block_type in UNLABELLED or block_type in LISTED:
                for body in _objects(value, where, problems):
                    found.setdefault(block_type, []).append(((), body))
            else:
                problems.append(Problem(where, "is not a Terraform block type"))
    return found


def _labelled(value: Any, depth: int, where: str, problems: list[Problem]) -> list[tuple[tuple[str, ...], Any]]:
    if depth == 0:
        bodies = _objects(value, where, problems)
        return [((), body) for body in bodies]
    found: list[tuple[tuple[str, ...], Any]] = []
    for level in _objects(value, where, problems):
        for label, inner in level.items():
            if label == "//":
                continue
            for labels, body in _labelled(inner, depth - 1, f"{where}.{label}", problems):
                found.append(((label, *labels), body))
    return found


# --------------------------------------------------------------------------------------------- merge


def _merge(document: dict[str, Any], blocks: dict[str, Any], file: str, override: bool,
           problems: list[Problem]) -> None:
    for block_type, entries in blocks.items():
        for labels, body in entries:
            where = f"{file}: {'.'.join((block_type, *labels))}"
            if block_type in ("resource", "data"):
                _merge_named(document.setdefault(block_type, {}).setdefault(labels[0], {}), labels[1],
                             expand_dynamic(body), override, where, problems)
            elif block_type == "provider":
                _merge_provider(document.setdefault("provider", {}).setdefault(labels[0], []), body, override,
                                where, problems)
            elif block_type in ("module", "output", "variable", "check"):
                _merge_named(document.setdefault(block_type, {}), labels[0], body, override, where, problems)
                if block_type == "check":
                    _lift_scoped_data(document, labels[0], body, where, problems)
            elif block_type == "locals":
                for name, value in body.items():
                    if name == "//":
                        continue
                    if name in document.setdefault("locals", {}) and not override:
                        problems.append(Problem(where, f"declares local.{name} twice"))
                        continue
                    document["locals"][name] = value
            elif block_type == "terraform":
                _merge_terraform(document.setdefault("terraform", {}), body, override, where, problems)
            else:
                document.setdefault(block_type, []).append(body)


def _lift_scoped_data(document: dict[str, Any], check: str, body: Any, where: str, problems: list[Problem]) -> None:
    """A `check` block's own data sources run like any other: judge them as data sources."""
    if not isinstance(body, dict) or "data" not in body:
        return
    for labels, data in _labelled(body["data"], 2, f"{where}.data", problems):
        document.setdefault("data", {}).setdefault(labels[0], {})[f"check.{check}.{labels[1]}"] = expand_dynamic(data)


def _merge_named(section: dict[str, Any], name: str, body: Any, override: bool, where: str,
                 problems: list[Problem]) -> None:
    if name not in section:
        if override:
            problems.append(Problem(where, "overrides a block no other file declares"))
        section[name] = body
        return
    if not override:
        problems.append(Problem(where, "is declared twice"))
        return
    base = section[name]
    for key, value in body.items():
        if key == "lifecycle" and isinstance(base.get(key), dict) and isinstance(value, dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value


def _merge_provider(configs: list[dict[str, Any]], body: Any, override: bool, where: str,
                    problems: list[Problem]) -> None:
    alias = body.get("alias")
    existing = next((config for config in configs if config.get("alias") == alias), None)
    if existing is None:
        if override:
            problems.append(Problem(where, "overrides a provider configuration no other file declares"))
        configs.append(body)
    elif override:
        existing.update(body)
    else:
        problems.append(Problem(where, f"configures the provider{' alias ' + str(alias) if alias else ''} twice"))


def _merge_terraform(merged: dict[str, Any], body: dict[str, Any], override: bool, where: str,
                     problems: list[Problem]) -> None:
    for key, value in body.items():
        if key in ("backend", "cloud"):
            if ("backend" in merged or "cloud" in merged) and not override:
                problems.append(Problem(where, "declares a second state backend"))
                continue
            merged.pop("backend", None)
            merged.pop("cloud", None)
            merged[key] = value
        elif key == "required_providers" and isinstance(value, dict):
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value


def expand_dynamic(body: Any) -> Any:
    """A body with each `dynamic "x" { content }` also written as a nested `x` block.

    Expressions in the content refer to the iterator, whose values are only known when Terraform
    runs, so the rules see them as unknown; the `dynamic` block itself stays for the string sweep.
    """
    if isinstance(body, list):
        return [expand_dynamic(item) for item in body]
    if not isinstance(body, dict):
        return body
    expanded = {key: expand_dynamic(value) for key, value in body.items()}
    for dynamic in _as_dicts(expanded.get("dynamic")):
        for block_type, generators in dynamic.items():
            for generator in _as_dicts(generators):
                content = generator.get("content")
                for item in _as_dicts(content):
                    existing = expanded.get(block_type)
                    items = existing if isinstance(existing, list) else [existing] if isinstance(existing, dict) else []
                    expanded[block_type] = [*items, item]
    return expanded


def _as_dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []
