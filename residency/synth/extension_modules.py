"""The team's extension modules (`extensions:` in regions.yaml): where their code is, and their callables.

A reference `billing.infra:region_resources` names a module importable from the directory of
regions.yaml (that directory comes first on the import path) and a callable in it. Loading needs no
cdktf; calling does, which is the construct layer's part (`residency.stacks.extensions`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from residency.errors import ExtensionNotUsable

# Top-level names an extension may not take: residency's own and the construct libraries'.
RESERVED_TOP_LEVEL = ("residency", "handlers", "cdktf", "cdktf_cdktf_provider_aws", "constructs", "jsii")


def split(reference: str) -> tuple[str, str]:
    module, _, attribute = reference.partition(":")
    return module, attribute


@contextmanager
def importable_from(project_dir: Path) -> Iterator[None]:
    """The project's directory first on the import path for the duration."""
    entry = str(project_dir.resolve())
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        try:
            sys.path.remove(entry)
        except ValueError:
            pass


def load(project_dir: Path, reference: str, where: str) -> Callable[..., object]:
    """The callable `reference` names, imported afresh from `project_dir`; ExtensionNotUsable (exit 65)
    when the module cannot be imported or the name is not a callable. `where` names the entry."""
    module_name, attribute = split(reference)
    top = module_name.split(".")[0]
    if top in RESERVED_TOP_LEVEL:
        raise ExtensionNotUsable(f"{where}: {reference}: the module name {top!r} is residency's own",
                                 hint="put the extension in a package of your own, e.g. infra/")
    _forget(top)
    with importable_from(project_dir):
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 - whatever the module raises while it is imported
            raise ExtensionNotUsable(
                f"{where}: cannot import {module_name} (from {project_dir}): {described(error, project_dir)}",
                hint="the module must be importable from the directory of regions.yaml, e.g. "
                     f"{project_dir / Path(*module_name.split('.'))}.py") from None
    target: object = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ExtensionNotUsable(f"{where}: {module_name} has no {attribute!r}",
                                     hint=f"define `def {attribute.split('.')[-1]}(scope, context):` in "
                                          f"{getattr(module, '__file__', module_name)}")
        target = getattr(target, part)
    if not callable(target):
        raise ExtensionNotUsable(f"{where}: {reference} is a {type(target).__name__}, not a callable",
                                 hint="it is called as callable(scope, context)")
    return target


def source_files(project_dir: Path, references: Iterable[str]) -> list[Path]:
    """The files of the extension modules' top-level packages (or modules) under `project_dir`, for the
    synth cache: a change to them synthesizes again. Code they import from elsewhere is not watched."""
    found: set[Path] = set()
    for reference in references:
        top = split(reference)[0].split(".")[0]
        package = project_dir / top
        if package.is_dir():
            found.update(path for path in package.rglob("*.py") if "__pycache__" not in path.parts)
        elif (project_dir / f"{top}.py").is_file():
            found.add(project_dir / f"{top}.py")
    return sorted(found)


def _forget(top: str) -> None:
    """Drop a module loaded earlier from a project directory, so that this synth imports the current code
    (of this project: two projects in one process may use the same package name)."""
    loaded = sys.modules.get(top)
    if loaded is None:
        return
    origin = getattr(loaded, "__file__", None)
    installed = origin is not None and any(part in ("site-packages", "dist-packages") for part in Path(origin).parts)
    if installed:
        return  # an installed package: imported as any other
    for name in [name for name in sys.modules if name == top or name.startswith(f"{top}.")]:
        del sys.modules[name]


def described(error: BaseException, home: Path | None = None) -> str:
    """`ExceptionType: message (file:line)`: the innermost line in `home` (the team's code) if there is
    one there, else the innermost line of Python code on disk."""
    frame = _raised_at(error, home)
    place = f" ({frame.filename}:{frame.lineno})" if frame is not None else ""
    return f"{type(error).__name__}: {error}{place}"


def raised_in(error: BaseException, home: Path) -> Path | None:
    """The file under `home` (the team's code) whose line raised `error`, if one did."""
    frame = _raised_at(error, home)
    if frame is None or not _is_own_code(Path(frame.filename), home):
        return None
    return Path(frame.filename).resolve()


def _raised_at(error: BaseException, home: Path | None) -> traceback.FrameSummary | None:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if not frame.filename.startswith("<")]
    if home is not None:
        frames = [frame for frame in frames if _is_own_code(Path(frame.filename), home)] or frames
    return frames[-1] if frames else None


def _is_own_code(path: Path, home: Path) -> bool:
    """Under `home`, and not an installed package (a virtual environment in the project directory)."""
    return path.resolve().is_relative_to(home.resolve()) and not _INSTALLED.intersection(path.parts)


_INSTALLED = frozenset({"site-packages", "dist-packages"})
