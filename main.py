"""CDKTF app entry point, so the stock `cdktf synth` works too (residency synth does the same).

The config file comes from RESIDENCY_CONFIG (default ./regions.yaml).
"""

import os
import sys
from pathlib import Path

from residency.config import load_config
from residency.errors import ResidencyError
from residency.stacks.bindings import install_lazy_provider_package, quiet_jsii

if __name__ == "__main__":
    quiet_jsii()
    install_lazy_provider_package()
    from residency.stacks.app import build_app

    try:
        config = load_config(Path(os.environ.get("RESIDENCY_CONFIG", "regions.yaml")))
        build_app(config).synth()
    except ResidencyError as error:
        print(error.render(), file=sys.stderr)
        sys.exit(error.exit_code)
