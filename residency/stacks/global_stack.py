"""The global workspace: it knows which region a user belongs to, and nothing personal."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from residency import naming
from residency.stacks.data_store import EncryptionKey, encrypted_table
from residency.stacks.provider import aws_provider
from residency.stacks.target import TargetProfile

# The directory's partition key: a pseudonymous key for the user, never the email itself.
DIRECTORY_KEY = "user_key"


class GlobalStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str, *, project: str, region: str,
                 extra_tags: dict[str, str], target: TargetProfile) -> None:
        super().__init__(scope, id_)
        workspace = naming.GLOBAL_WORKSPACE
        LocalBackend(self, path=naming.state_file_name(workspace))
        tags = {**extra_tags, **naming.standard_tags(project, workspace, naming.GLOBAL_JURISDICTION)}
        self.provider = aws_provider(self, region=region, tags=tags, target=target)
        self.encryption = EncryptionKey(
            self, "kms",
            alias=naming.kms_alias(project, workspace, "directory"),
            description="Encrypts the residency directory (user key -> home region)",
            deletion_window_days=target.kms_deletion_window_days,
        )
        self.directory = encrypted_table(
            self, "directory",
            name=naming.directory_table_name(project),
            hash_key=DIRECTORY_KEY,
            range_key=None,
            kms_key_arn=self.encryption.key.arn,
        )
        TerraformOutput(self, "directory_table", value=self.directory.name)
