"""The one place where the local emulator target and real AWS differ.

Constructs never test the target themselves: stacks read these values and pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from residency.naming import LOCAL_ENDPOINT_VARIABLE as LOCAL_ENDPOINT_VARIABLE  # re-exported for the stacks

# Services the workspaces use; each gets the emulator's endpoint on the local target.
# The Python binding spells Lambda's key `lambda_`.
EMULATED_SERVICES = (
    "acm", "apigatewayv2", "cloudfront", "cloudtrail", "cloudwatch", "events", "logs", "cognitoidp", "dynamodb", "iam",
    "kms", "lambda_", "route53", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts", "wafv2",
)

FAKE_CREDENTIAL = "residency-local"

# The s3 state backend takes its endpoint from this environment variable (a backend block cannot
# read Terraform variables); the runner sets it to the emulator's URL on the local target.
S3_ENDPOINT_ENVIRONMENT = "AWS_ENDPOINT_URL_S3"


@dataclass(frozen=True)
class Limitation:
    text: str
    # The regions.yaml feature it concerns (`frontend`, `domain`, `directory_replicas`), "" for every project.
    when: str = ""


@dataclass(frozen=True)
class TargetProfile:
    name: str
    uses_emulator: bool
    # Shortest KMS deletion window AWS allows is 7 days; on the emulator keys vanish with it anyway.
    kms_deletion_window_days: int
    # Global-table replicas of the directory. The emulator accepts DynamoDB replicas but never
    # finishes creating them, so locally every region reads the directory in the global region.
    directory_replicas: bool
    # The emulator reports some CloudFront fields differently from what was sent, which would
    # show a change on every plan; these are ignored there (and only there).
    cloudfront_ignore_changes: tuple[str, ...] = ()
    # API Gateway custom domains never become AVAILABLE on the emulator; without them the DNS
    # records point at each API's default endpoint instead.
    api_custom_domains: bool = True
    # The emulator has no CloudFront response headers policies (it answers 404).
    cloudfront_headers_policy: bool = True
    wait_for_cloudfront: bool = True
    # Whether apply and destroy ask before changing anything (the emulator holds nothing real to protect).
    asks_before_changes: bool = True
    # Data and state buckets refuse plain-HTTP requests by bucket policy. The emulator speaks plain
    # HTTP and does enforce a bucket's Deny statements, so there the policy would lock everyone out
    # (Terraform from its state; `region retire` from the data it must export).
    buckets_tls_only: bool = True
    # AWS AppConfig serves the feature flags. The emulator has AppConfig applications and profiles but no
    # environments or deployments: there the API reads the region's flags from its settings.
    appconfig: bool = True
    # X-Ray encrypts traces with the region's key. The emulator has no X-Ray encryption settings.
    xray_encryption: bool = True
    # What this target cannot do and residency therefore leaves out or changes: shown by `plan` and
    # `apply` when the emulator starts (or with --verbose), and by `local status`.
    limitations: tuple[Limitation, ...] = field(default=())


LOCAL = TargetProfile(
    name="local",
    uses_emulator=True,
    kms_deletion_window_days=7,
    directory_replicas=False,
    cloudfront_ignore_changes=("origin", "default_cache_behavior[0].forwarded_values", "viewer_certificate"),
    wait_for_cloudfront=False,
    api_custom_domains=False,
    cloudfront_headers_policy=False,
    buckets_tls_only=False,
    appconfig=False,
    xray_encryption=False,
    asks_before_changes=False,
    limitations=(
        Limitation("With `global.frontend`: the CloudFront security-headers policy is left out (the emulator has "
                   "no response headers policies); on AWS every response carries them.", when="frontend"),
        Limitation("With `domain`: API Gateway custom domains are not created (the emulator never makes them "
                   "available); the Route 53 records point at each API's default endpoint instead.", when="domain"),
        Limitation("The residency directory is not replicated (the emulator never finishes DynamoDB replicas): "
                   "triggers read it in the global region. On AWS each region reads its own replica. (Directory "
                   "keys are computed in each region on both targets: the HMAC key is replicated everywhere.)",
                   when="directory_replicas"),
        Limitation("With `features`: AppConfig is left out (the emulator has no AppConfig environments or "
                   "deployments): the API reads its region's flags from its settings. On AWS it reads them from "
                   "AppConfig.", when="features"),
        Limitation("With `tracing`: X-Ray's encryption setting is left out (the emulator has none); on AWS the "
                   "region's traces are encrypted with its data key.", when="tracing"),
        Limitation("The emulator cannot invoke Lambda: the Cognito triggers and the API backend are deployed "
                   "but only run in the handler tests, not on sign-up here."),
        Limitation("The emulator keeps everything in memory: stopping it loses every resource "
                   "(the next apply recreates them)."),
        Limitation("The emulator does not enforce IAM or KMS key policies: they are created "
                   "and checked at synth level only."),
        Limitation("The data and audit buckets (and with `state: {backend: s3}` the state buckets) have no TLS-only "
                   "bucket policy (the emulator speaks plain HTTP and enforces a bucket's Deny statements); on AWS "
                   "they refuse plain HTTP."),
    ),
)


AWS = TargetProfile(name="aws", uses_emulator=False, kms_deletion_window_days=30, directory_replicas=True)


def profile_for(target: str) -> TargetProfile:
    return LOCAL if target == "local" else AWS
