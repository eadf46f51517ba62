"""`residency local env`: an SDK in the user's shell reaches the project's emulator with what it prints."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import run_cli


def test_the_exports_point_an_sdk_at_the_projects_emulator(project):
    try:
        printed = run_cli(["local", "env"], project, timeout=300)
        assert printed.returncode == 0, printed.stderr
        lines = printed.stdout.splitlines()
        assert [line.split("=")[0] for line in lines] == [
            "export AWS_ENDPOINT_URL", "export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY", "export AWS_REGION",
            "export AWS_DEFAULT_REGION"]
        probe = ("import boto3; s3 = boto3.client('s3'); s3.create_bucket(Bucket='from-the-shell'); "
                 "print(sorted(b['Name'] for b in s3.list_buckets()['Buckets']))")
        environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        script = f'eval "$1" && exec "{sys.executable}" -c "$2"'
        used = subprocess.run(["sh", "-c", script, "sh", printed.stdout, probe], env=environment, capture_output=True,
                              text=True, timeout=120)
        assert used.returncode == 0, used.stderr
        assert "from-the-shell" in used.stdout
        status = run_cli(["local", "status", "--json"], project)
        assert f'"url": "{lines[0].split("=", 1)[1]}"' in status.stdout.replace("'", "")  # the same emulator
        fish = run_cli(["local", "env", "--shell", "fish"], project)
        assert fish.stdout.startswith("set -gx AWS_ENDPOINT_URL ")
        refused = run_cli(["local", "env", "--shell", "tcsh"], project)
        assert refused.returncode == 64 and "unknown shell 'tcsh'" in refused.stderr
    finally:
        run_cli(["local", "down"], project)
