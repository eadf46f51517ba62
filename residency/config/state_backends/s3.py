"""State in S3 in the project's own account: one bucket and KMS key per region, in that region."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from residency import naming
from residency.config.state_backends.base import BackendBlock, StateBackend, StatePlacement, StateProblem, StateStore
from residency.target import FAKE_CREDENTIAL

_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_BUCKET_NAME_MAX = 63
# On the local target the block talks to the emulator with fake keys. Its endpoint comes from
# AWS_ENDPOINT_URL_S3, which the runner sets: the emulator's port changes between starts, and a backend block
# cannot read variables.
_EMULATOR_SETTINGS: Mapping[str, Any] = {
    "access_key": FAKE_CREDENTIAL, "secret_key": FAKE_CREDENTIAL, "skip_credentials_validation": True,
    "skip_requesting_account_id": True, "skip_metadata_api_check": True, "use_path_style": True}
# What a remote-state lookup of s3 state may set: what names the state, and its encryption.
S3_STATE_SETTINGS = frozenset({"bucket", "key", "region", "encrypt", "kms_key_id"})
# What a lookup needs on the local target to talk to the emulator.
EMULATOR_S3_SETTINGS = frozenset(_EMULATOR_SETTINGS)
# Settings of an s3 block that send the state somewhere other than `region` says, and what they name.
_REDIRECTS = {"endpoint": "host", "endpoints.*": "host", "dynamodb_endpoint": "host", "sts_endpoint": "host",
              "iam_endpoint": "host", "kms_key_id": "name-or-arn", "sts_region": "region",
              "assume_role.sts_region": "region"}


class S3State(StateBackend):
    """State in S3: one bucket and KMS key per region, in that region (made by `residency bootstrap`)."""

    backend: Literal["s3"]
    bucket_prefix: str | None = Field(
        default=None,
        description="state buckets are named prefix + '-' + region (default: <project>-tfstate); "
                    "bucket names are global across AWS accounts, so pick a prefix nobody else uses",
    )

    terraform_kinds: ClassVar[frozenset[str]] = frozenset({"s3"})

    def prefix(self, project: str) -> str:
        return naming.state_bucket_prefix(project, self.bucket_prefix)

    def bucket(self, project: str, region: str) -> str:
        return naming.state_bucket(self.prefix(project), region)

    def location(self, project: str, workspace: str, region: str) -> str:
        return f"s3://{self.bucket(project, region)}/{naming.state_key(workspace)}"

    def problems(self, project: str, state_regions: tuple[str, ...]) -> Iterator[StateProblem]:
        prefix = self.bucket_prefix
        if prefix is None:
            return
        if not _BUCKET_PREFIX.match(prefix) or "--" in prefix:
            yield StateProblem("bucket_prefix", f"bucket_prefix {prefix!r} is not usable in an S3 bucket name",
                               "use lowercase letters, digits and single '-', starting and ending with a letter "
                               "or digit")
            return
        longest = max(state_regions, key=len)
        bucket = naming.state_bucket(prefix, longest)
        if len(bucket) > _BUCKET_NAME_MAX:
            yield StateProblem("bucket_prefix", f"bucket_prefix {prefix!r} is too long: the state bucket {bucket!r} "
                                                f"has {len(bucket)} characters, S3 allows {_BUCKET_NAME_MAX}",
                               f"use at most {_BUCKET_NAME_MAX - len(longest) - 1} characters")

    def block(self, *, project: str, workspace: str, region: str, emulated: bool) -> BackendBlock:
        """In the region's bucket, encrypted with the region's state key, locked by an S3 lock file (no DynamoDB
        table)."""
        prefix = self.prefix(project)
        settings = {"bucket": naming.state_bucket(prefix, region), "key": naming.state_key(workspace),
                    "region": region, "encrypt": True, "kms_key_id": naming.state_key_alias(prefix),
                    **(_EMULATOR_SETTINGS if emulated else {})}
        # cdktf 0.21 predates `use_lockfile` (Terraform 1.10): it is written over the block.
        return BackendBlock("s3", settings, {"terraform.backend.s3.use_lockfile": True})

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        allowed = S3_STATE_SETTINGS | (EMULATOR_S3_SETTINGS if emulated else frozenset())
        return backend == "s3" and set(settings) <= allowed and settings.get("key") == naming.state_key(workspace) \
            and settings.get("region") == region and settings.get("bucket") == self.bucket(project, region)

    @classmethod
    def placement(cls, settings: Mapping[str, Any]) -> StatePlacement:
        return StatePlacement(region_setting="region", redirects=_REDIRECTS)

    def state_stores(self, project: str, regions: Sequence[str]) -> tuple[StateStore, ...]:
        prefix = self.prefix(project)
        return tuple(StateStore(region, naming.state_bucket(prefix, region), naming.state_key_alias(prefix))
                     for region in regions)

    def state_objects(self, project: str, workspace_regions: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(f"{self.bucket(project, region)}/{naming.state_key(workspace)}"
                     for workspace, region in workspace_regions.items())
