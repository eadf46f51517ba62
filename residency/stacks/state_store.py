"""`residency bootstrap`: per region, the S3 bucket and KMS key that hold the workspaces' state.

Each bootstrap workspace keeps its own state in the bucket it creates; see residency/flows/bootstrap.py
for how the first run gets it there.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from residency import naming
from residency.config import Config
from residency.config.state import BackendBlock, StateStore
from residency.stacks import policies
from residency.stacks.backend import write_backend
from residency.stacks.data_store import DataBucket, EncryptionKey
from residency.stacks.declared_stores import protect
from residency.stacks.provider import aws_provider
from residency.target import TargetProfile


class StateStoreStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str, *, project: str, store: StateStore, backend: BackendBlock,
                 jurisdiction: str, extra_tags: dict[str, str], target: TargetProfile) -> None:
        super().__init__(scope, id_)
        write_backend(self, backend)  # its own state, in the bucket it makes
        region = store.region
        aws_provider(self, region=region, tags={**extra_tags, **naming.standard_tags(project, id_, jurisdiction)},
                     target=target)
        account = DataAwsCallerIdentity(self, "account").account_id
        self.encryption = EncryptionKey(
            self, "kms",
            alias=store.key_alias,
            description="Encrypts the Terraform state of this region's residency workspaces",
            deletion_window_days=target.kms_deletion_window_days,
            policy=policies.data_key_policy(account, ["s3", "dynamodb"], region),
        )
        self.bucket = DataBucket(self, "state", bucket_name=store.bucket,
                                 kms_key_arn=self.encryption.key.arn, tls_only=target.buckets_tls_only)
        # Losing these loses every workspace's record of what it created: no plan may destroy them.
        protect(self.encryption.key, self.bucket.bucket)


def build_state_store_app(config: Config, outdir: Path) -> App:
    from residency.stacks.app import APP_CONTEXT

    app = App(context=APP_CONTEXT, outdir=str(outdir))
    stores = config.state.state_stores(config.project, config.state_regions)
    assert stores, "bootstrap makes state stores only for a backend that keeps state in the account"
    for store in stores:
        workspace = naming.bootstrap_workspace(store.region)
        listed = config.regions.get(store.region)
        StateStoreStack(
            app, workspace,
            project=config.project,
            store=store,
            backend=config.state.block(project=config.project, workspace=workspace, region=store.region,
                                       emulated=config.profile.uses_emulator),
            jurisdiction=listed.jurisdiction if listed is not None else naming.GLOBAL_JURISDICTION,
            extra_tags=dict(config.tags),
            target=config.profile,
        )
    return app
