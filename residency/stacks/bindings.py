"""Load the AWS provider bindings one submodule at a time, on both sides of jsii.

Python: `cdktf_cdktf_provider_aws/__init__.py` eagerly imports all ~2,100 of its submodules
(about 15 s). Each submodule is self-contained (it loads the shared jsii assembly itself), so we
register a bare package object in its place; `import cdktf_cdktf_provider_aws.kms_key` then
loads only that submodule.

JavaScript: the assembly's `lib/index.js`, which Node loads when jsii loads the assembly, also
requires all ~2,100 modules (about 2 s and a few hundred MB). We give jsii a copy of the
assembly whose index requires each module on first use instead, built once per installed
version into the user's cache directory. If that copy cannot be made, the original is used.

This module is the only place that knows about either trick, and about jsii's runtime: its banners,
Ctrl-C, values JSON cannot hold, and what Python code called back from JavaScript raises.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from residency import processes

PACKAGE = "cdktf_cdktf_provider_aws"


def quiet_jsii() -> None:
    """Keep jsii's Node version banners out of the user's terminal."""
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    major = _node_major_version()
    if major:
        os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", major)


def shield_jsii_from_ctrl_c() -> None:
    """Start jsii's Node runtime in a session of its own, so that Ctrl-C reaches residency alone.

    A terminal's Ctrl-C goes to the whole foreground process group: Node died mid-call, jsii
    printed "Error on jsii API channel to child process: Error: read ECONNRESET" and residency could
    not clean up in order. Shielded, Node finishes the call it is in, Python gets the
    KeyboardInterrupt, synth removes its staging directory and jsii stops Node at exit as usual.
    """
    from jsii._kernel.providers import process

    if isinstance(process.subprocess, _OwnSessionSubprocess):
        return
    process.subprocess = _OwnSessionSubprocess()  # type: ignore[assignment]


class _OwnSessionSubprocess:
    """The `subprocess` module as jsii's process provider sees it, with Popen in a new session."""

    def __getattr__(self, name: str) -> object:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:  # noqa: N802 - subprocess's name
        kwargs.setdefault("start_new_session", True)
        return subprocess.Popen(*args, **kwargs)  # type: ignore[call-overload, no-any-return]


def send_strict_json() -> None:
    """Refuse NaN and infinities in what Python sends to jsii, as a ValueError where the value was passed.

    jsii writes them into its JSON as `NaN`, which Node cannot parse: the runtime died mid-call, printed
    its own stack, and every later call failed with an unrelated error."""
    from jsii._kernel.providers import process

    if not isinstance(process.json, _StrictJson):
        process.json = _StrictJson()  # type: ignore[assignment]


class _StrictJson:
    """The `json` module as jsii's process provider sees it, with dumps(allow_nan=False)."""

    def __getattr__(self, name: str) -> object:
        return getattr(json, name)

    @staticmethod
    def dumps(obj: object, **kwargs: Any) -> str:
        return json.dumps(obj, **{**kwargs, "allow_nan": False})


_callback_errors: list[BaseException] = []


def remember_callback_errors() -> None:
    """Keep what Python code called back from JavaScript raises (an Aspect's `visit`, a Lazy's producer, a
    validation), traceback and all: jsii hands JavaScript only its message, and a failed synth is reported
    with the line that raised (`CallbackErrors`). A SystemExit there (which jsii does not catch, leaving
    Node waiting for an answer) becomes an error of the call instead."""
    from jsii import _kernel

    original: Callable[..., Any] = _kernel._handle_callback
    if getattr(original, "remembers_errors", False):
        return

    def handle(kernel: Any, callback: Any) -> Any:
        try:
            return original(kernel, callback)
        except Exception as error:
            _callback_errors.append(error)
            raise
        except SystemExit as exit_:
            _callback_errors.append(exit_)
            raise RuntimeError(f"SystemExit: {exit_.code}") from exit_

    handle.remembers_errors = True  # type: ignore[attr-defined]
    _kernel._handle_callback = handle


class CallbackErrors:
    """`with CallbackErrors() as raised:` ... `raised.first`: the first exception a callback raised in the
    block (the origin: what it made JavaScript throw may come back through other callbacks too)."""

    def __enter__(self) -> CallbackErrors:
        self._start = len(_callback_errors)
        return self

    def __exit__(self, *exc_info: object) -> None:
        del _callback_errors[self._start:]

    @property
    def first(self) -> BaseException | None:
        return _callback_errors[self._start] if len(_callback_errors) > self._start else None


def _node_major_version() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        version = processes.capture([node, "--version"], timeout=10).stdout
    except processes.CouldNotRun:
        return None
    return version.strip().lstrip("v").split(".")[0] or None


def install_lazy_provider_package() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{PACKAGE} is not installed")
    package = types.ModuleType(PACKAGE)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    sys.modules[PACKAGE] = package
    made = _lazy_assembly_package(Path(spec.submodule_search_locations[0]) / "_jsii")
    if made is None:
        return
    lazy, first_time = made
    jsii_spec = importlib.util.spec_from_file_location(f"{PACKAGE}._jsii", lazy / "__init__.py",
                                                       submodule_search_locations=[str(lazy)])
    assert jsii_spec is not None and jsii_spec.loader is not None
    module = importlib.util.module_from_spec(jsii_spec)
    sys.modules[jsii_spec.name] = module
    loaded_at = time.time()
    jsii_spec.loader.exec_module(module)
    if first_time:
        _wait_for_runtime_index(loaded_at)


def _wait_for_runtime_index(loaded_at: float, timeout: float = 60.0) -> None:
    """Once per new assembly copy: give jsii time to finish its type index for it.

    Until jsii has indexed an assembly (in a background worker, into its package cache), every
    load parses all of it: seconds and about 1 GB. A synth now is often over before the worker
    is, so the first one waits for it. Best effort: only where jsii's cache is where it usually is.
    """
    root = Path(os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
                or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws" / "jsii" / "package-cache")
    entries = root / "@cdktf" / "provider-aws"
    if not entries.is_dir():
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(index.stat().st_mtime >= loaded_at for index in entries.glob("*/*/.jsii.runtime.v1.json")):
            return
        time.sleep(0.2)


# One `exports.s3Bucket = require("./s3-bucket");` line per submodule in the assembly's index.
_EAGER_EXPORT = re.compile(r'^exports\.(\w+) = require\("(\./[^"]+)"\);$', re.MULTILINE)
_INDEX = "package/lib/index.js"
LAZY_FORMAT = "1"  # bump when the rewritten index changes
_MINIMUM_EXPORTS = 100  # fewer, and this is not the index the rewrite was written for


def _lazy_assembly_package(original: Path) -> tuple[Path, bool] | None:
    """A `_jsii` package directory like `original` whose assembly tarball has a lazy index, and
    whether this call made it; kept per installed version in the user's cache directory."""
    try:
        [tarball] = original.glob("*.jsii.tgz")
        version = metadata.version("cdktf-cdktf-provider-aws")
        target = _cache_root() / f"provider-aws-{version}-{tarball.stat().st_size}-lazy{LAZY_FORMAT}"
        if (target / tarball.name).is_file():
            return target, False
        unsupported = target.with_name(target.name + ".unsupported")
        if unsupported.exists():
            return None
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            if not _rewrite_index(tarball, staging / tarball.name):
                unsupported.touch()  # not the layout this was written for: do not try again
                return None
            shutil.copy2(original / "__init__.py", staging / "__init__.py")
            try:
                staging.rename(target)
            except OSError:  # another process made it first
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return (target, True) if (target / tarball.name).is_file() else None
    except (OSError, ValueError, tarfile.TarError, metadata.PackageNotFoundError):
        return None


def _rewrite_index(source: Path, destination: Path) -> bool:
    with tarfile.open(source, "r:gz") as original, tarfile.open(destination, "w:gz", compresslevel=1) as copy:
        rewritten = False
        for member in original:
            content = original.extractfile(member) if member.isfile() else None
            if member.name == _INDEX and content is not None:
                text = content.read().decode("utf-8")
                lazy, count = _EAGER_EXPORT.subn(
                    r'Object.defineProperty(exports, "\1", { enumerable: true, configurable: true, '
                    r'get() { return require("\2"); } });', text)
                if count < _MINIMUM_EXPORTS or "require(" in _EAGER_EXPORT.sub("", text):
                    return False  # not the layout this was written for
                data = lazy.encode("utf-8")
                member.size = len(data)
                content, rewritten = io.BytesIO(data), True
            copy.addfile(member, content)
    return rewritten


def _cache_root() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "residency"
    root.mkdir(parents=True, exist_ok=True)
    return root
