"""The construct layer: the only package that imports cdktf and the provider bindings.

`synthesize` is the public entry point; it imports the heavy modules only when called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from residency import processes
from residency.synth.output import write_output

if TYPE_CHECKING:
    from residency.config import Config


def synthesize(config: Config, out_dir: Path, extra_files: Mapping[str, str] | None = None,
               exclusive: Callable[[], AbstractContextManager[object]] | None = None,
               project_dir: Path | None = None) -> list[str]:
    """Write `out_dir` (cdktf.out) for `config`, all or nothing; return the workspace names.

    See `residency.synth.output`; `extra_files` (name -> text) are written beside `stacks/`. A changed
    output is swapped in under `exclusive()`, which waits for (or refuses) other readers. Extension
    modules are imported from `project_dir` (default: out_dir's parent, where regions.yaml is).
    """
    _prepare_bindings()
    from residency.stacks.app import build_app

    home = project_dir if project_dir is not None else out_dir.resolve().parent
    return write_output(lambda staging: build_app(config, staging, home), out_dir, extra_files, exclusive)


def synthesize_state_stores(config: Config, out_dir: Path) -> list[str]:
    """Write the `residency bootstrap` output: per state region, a workspace for its state bucket."""
    _prepare_bindings()
    from residency.stacks.state_store import build_state_store_app

    return write_output(lambda staging: build_state_store_app(config, staging), out_dir, None, None)


def synthesize_retirement(config: Config, region: str, out_dir: Path) -> list[str]:
    """Write the workspace that destroys what a removed region's state still lists."""
    _prepare_bindings()
    from residency.stacks.retirement_stack import build_retirement_app

    return write_output(lambda staging: build_retirement_app(config, region, staging), out_dir, None, None)


def _prepare_bindings() -> None:
    from residency.stacks.bindings import install_lazy_provider_package, quiet_jsii, shield_jsii_from_ctrl_c

    # A Ctrl-C while jsii starts its Node runtime leaves a half-made process object whose cleanup prints
    # a traceback (seen on a loaded machine); it waits the second or two until Node is up instead.
    with processes.interrupts_deferred():
        quiet_jsii()
        shield_jsii_from_ctrl_c()
        install_lazy_provider_package()
        import cdktf  # noqa: F401 - loading its assembly starts jsii's Node runtime
