"""Load the AWS provider bindings one submodule at a time.

`cdktf_cdktf_provider_aws/__init__.py` eagerly imports all ~2,100 of its submodules (about
15 s). Each submodule is self-contained (it loads the shared jsii assembly itself), so we
register a bare package object in its place; `import cdktf_cdktf_provider_aws.kms_key` then
loads only that submodule. This module is the only place that knows about the trick.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import types

PACKAGE = "cdktf_cdktf_provider_aws"


def quiet_jsii() -> None:
    """Keep jsii's Node version banners out of the user's terminal."""
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    major = _node_major_version()
    if major:
        os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", major)


def _node_major_version() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
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
