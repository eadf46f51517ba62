"""A Lambda function from the handlers bundle, with its own role, policy and encrypted log group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
)
from constructs import Construct

from residency import naming
from residency.stacks import policies

RUNTIME = "python3.12"


@dataclass(frozen=True)
class Bundle:
    """The zipped handlers package and its base64 SHA-256 (what Lambda compares)."""

    path: str
    sha256: str


def bundle_asset(scope: Construct, bundle: Bundle) -> Bundle:
    """Copy the bundle into the workspace once; the returned path is relative to it."""
    asset = TerraformAsset(scope, "handlers-bundle", path=bundle.path, type=AssetType.FILE)
    return Bundle(path=asset.path, sha256=bundle.sha256)


@dataclass(frozen=True)
class FunctionHome:
    """What every function of a silo shares: its region, code, key, log retention and tracing."""

    region: str
    bundle: Bundle
    kms_key_arn: str  # encrypts its settings and its logs
    log_retention_days: int
    tracing: bool = False  # X-Ray traces every invocation, in the function's region


@dataclass(frozen=True)
class FunctionSpec:
    """One function: its name, handler, settings and the rights its handler needs beyond its logs."""

    function_name: str
    handler: str
    environment: Mapping[str, str]
    statements: Sequence[policies.Statement]
    reserved_concurrency: int | None
    timeout_seconds: int = 5
    memory_mb: int = 256


class HandlerFunction(Construct):
    def __init__(self, scope: Construct, id_: str, *, home: FunctionHome, spec: FunctionSpec) -> None:
        super().__init__(scope, id_)
        region, kms_key_arn = home.region, home.kms_key_arn
        self.log_group = CloudwatchLogGroup(
            self, "logs",
            name=naming.lambda_log_group(spec.function_name),
            retention_in_days=home.log_retention_days,
            kms_key_id=kms_key_arn,
        )
        self.role = IamRole(
            self, "role",
            name=spec.function_name,
            assume_role_policy=policies.assume_role("lambda.amazonaws.com"),
        )
        writes_its_logs = policies.allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                                         [f"{self.log_group.arn}:*"], regions=[region])
        reads_its_environment = policies.allow(["kms:Decrypt"], [kms_key_arn], regions=[region])
        # X-Ray's write actions have no resource-level permissions: the region condition is what scopes them.
        sends_traces = [policies.allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"],
                                       regions=[region])] if home.tracing else []
        self.policy = IamRolePolicy(
            self, "policy",
            role=self.role.id,
            name="least-privilege",
            policy=policies.document([writes_its_logs, reads_its_environment, *sends_traces, *spec.statements]),
        )
        self.function = LambdaFunction(
            self, "function",
            function_name=spec.function_name,
            role=self.role.arn,
            handler=spec.handler,
            runtime=RUNTIME,
            filename=home.bundle.path,
            source_code_hash=home.bundle.sha256,
            timeout=spec.timeout_seconds,
            memory_size=spec.memory_mb,
            # At most this many run at once, and this many are always available: a flood of sign-ups
            # cannot take the account's whole concurrency, nor can other functions starve sign-in.
            reserved_concurrent_executions=spec.reserved_concurrency,
            environment=LambdaFunctionEnvironment(variables=dict(spec.environment)),
            kms_key_arn=kms_key_arn,
            tracing_config=LambdaFunctionTracingConfig(mode="Active") if home.tracing else None,
            depends_on=[self.log_group, self.policy],
        )

    def also_allow(self, id_: str, statements: list[policies.Statement]) -> IamRolePolicy:
        """More rights, in a policy of their own: for resources that need the function first (a user pool that
        names its trigger), which its main policy cannot name without a cycle."""
        return IamRolePolicy(self, id_, role=self.role.id, name=id_, policy=policies.document(statements))
