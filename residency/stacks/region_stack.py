"""A region workspace: the silo that keeps one jurisdiction's personal data in its region."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from residency import naming
from residency.stacks.data_store import RegionDataStores
from residency.stacks.provider import aws_provider
from residency.stacks.target import TargetProfile


class RegionStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str, *, project: str, region: str,
                 jurisdiction: str, extra_tags: dict[str, str], target: TargetProfile) -> None:
        super().__init__(scope, id_)
        LocalBackend(self, path=naming.state_file_name(region))
        tags = {**extra_tags, **naming.standard_tags(project, region, jurisdiction)}
        self.provider = aws_provider(self, region=region, tags=tags, target=target)
        account = DataAwsCallerIdentity(self, "account")
        self.data = RegionDataStores(
            self, "data",
            key_alias=naming.kms_alias(project, region, "data"),
            bucket_name=naming.data_bucket_name(project, region, account.account_id),
            table_name=naming.data_table_name(project, region),
            kms_deletion_window_days=target.kms_deletion_window_days,
        )
        TerraformOutput(self, "data_bucket", value=self.data.bucket.bucket.bucket)
        TerraformOutput(self, "data_table", value=self.data.table.name)
        TerraformOutput(self, "data_key_arn", value=self.data.encryption.key.arn)
