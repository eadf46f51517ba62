"""The GitHub Actions the rendered workflows use, pinned by full commit SHA: a tag can be moved to other code, a
commit cannot. Each commit is the one its tag names in the action's repository (`git rev-parse TAG^{commit}`),
read when this table was last brought up to date; the rendered line keeps the tag in a comment for people and for
Dependabot. `ci render` writes what this table says, and `check` reports a rendered workflow that says otherwise.
"""

from __future__ import annotations

PINS: dict[str, tuple[str, str]] = {  # action (repository[/path]) -> (tag, commit)
    "actions/checkout": ("v4.4.0", "11d5960a326750d5838078e36cf38b85af677262"),
    "actions/setup-python": ("v5.6.0", "a26af69be951a213d495a4c3e4e4022e16d87065"),
    "actions/setup-node": ("v4.4.0", "49933ea5288caeca8642d1e84afbd3f7d6820020"),
    "actions/cache": ("v4.3.0", "0057852bfaa89a56745cba8c7296529d2fc39830"),
    "actions/upload-artifact": ("v4.6.2", "ea165f8d65b6e75b540449e92b4886f43607fa02"),
    "actions/download-artifact": ("v4.3.0", "d3f86a106a0bac45b974a628896c90dbdf5c8093"),
    "aws-actions/configure-aws-credentials": ("v4.3.1", "7474bc4690e29a8392af63c5b98e7449536d5c3a"),
    "github/codeql-action/upload-sarif": ("v3.36.2", "dd903d2e4f5405488e5ef1422510ee31c8b32357"),
    "hashicorp/setup-terraform": ("v3.1.2", "b9cd54a3c349d3f38e8881555d616ced269862dd"),
}


def pinned(action: str) -> str:
    """`uses:`'s value for `action`: its commit, then its tag as a comment."""
    tag, commit = PINS[action]
    return f"{action}@{commit}  # {tag}"
