"""The baseline for `residency synth`: the same stacks, built the way a plain CDKTF Python app does it.

Such an app imports the provider bindings as their documentation shows, and the package's
`__init__` then imports all of its ~2,100 submodules. Nothing else differs: same constructs, same
regions.yaml, same output. Usage: python benchmarks/plain_cdktf_app.py REGIONS_YAML OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import cdktf_cdktf_provider_aws  # noqa: E402,F401  (the usual, eager import is the point)

from residency.config import load_config  # noqa: E402
from residency.stacks.app import build_app  # noqa: E402


def main(config_file: str, out_dir: str) -> None:
    build_app(load_config(Path(config_file)), Path(out_dir)).synth()


if __name__ == "__main__":
    main(*sys.argv[1:3])
