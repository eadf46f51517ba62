"""The static front end: a private S3 bucket behind CloudFront (origin access control, HTTPS only,
security headers). It serves code, never personal data, so it lives in the global workspace."""

from __future__ import annotations

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.cloudfront_response_headers_policy import (
    CloudfrontResponseHeadersPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfig,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity,
)
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from constructs import Construct

from residency import naming
from residency.stacks import policies
from residency.stacks.data_store import versioned_with_expiry
from residency.stacks.domain import ValidatedCertificate
from residency.stacks.region_spec import GlobalSpec
from residency.target import TargetProfile

CACHING_OPTIMIZED_POLICY = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS-managed cache policy
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # every CloudFront distribution's alias zone
ORIGIN_ID = "site"


class Frontend(Construct):
    """The project's site; with a domain, at `app.<domain>`, with its certificate and record in `zone`. `us_east_1`
    is the provider there, where CloudFront takes its certificates and firewalls from."""

    def __init__(self, scope: Construct, id_: str, *, spec: GlobalSpec, account_id: str,
                 zone: DataAwsRoute53Zone | None, us_east_1: TerraformProvider | None) -> None:
        super().__init__(scope, id_)
        name = naming.resource_name(spec.project, naming.GLOBAL_WORKSPACE, "frontend")
        host = naming.frontend_host(spec.domain) if spec.domain else None
        self.bucket = S3Bucket(self, "bucket", bucket=naming.frontend_bucket_name(spec.project, account_id))
        public_access_block = self._private_bucket()
        access = CloudfrontOriginAccessControl(
            self, "origin-access", name=name, origin_access_control_origin_type="s3",
            signing_behavior="always", signing_protocol="sigv4",
        )
        headers = _security_headers(self, name) if spec.target.cloudfront_headers_policy else None
        certificate = None
        if host and zone is not None:
            # CloudFront only takes certificates from us-east-1.
            certificate = ValidatedCertificate(self, "certificate", domain_name=host, alternative_names=[],
                                               zone=zone, provider=us_east_1)
        self.firewall = _rate_limiting_firewall(self, name, us_east_1, spec.frontend_requests_per_ip)
        self.distribution = self._distribution(name, host if certificate else None, access, headers, certificate,
                                               spec.target)
        S3BucketPolicy(
            self, "policy", bucket=self.bucket.id, depends_on=[public_access_block],
            policy=policies.document([
                {
                    "Sid": "CloudFrontReadsThroughOriginAccessControl",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": f"{self.bucket.arn}/*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
                },
                policies.deny_insecure_transport(self.bucket.arn),
            ]),
        )
        if certificate and zone is not None and host:
            Route53Record(
                self, "record", zone_id=zone.zone_id, name=host, type="A",
                alias=Route53RecordAlias(name=self.distribution.domain_name, zone_id=CLOUDFRONT_ZONE_ID,
                                         evaluate_target_health=False),
            )

    def _private_bucket(self) -> S3BucketPublicAccessBlock:
        """Versioned, encrypted and closed to the public: CloudFront reads it through its origin access."""
        versioned_with_expiry(self, self.bucket)
        S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=self.bucket.id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256")))],
        )
        return S3BucketPublicAccessBlock(
            self, "public-access-block", bucket=self.bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
        )

    def _distribution(self, name: str, alias: str | None, access: CloudfrontOriginAccessControl,
                      headers: CloudfrontResponseHeadersPolicy | None, certificate: ValidatedCertificate | None,
                      target: TargetProfile) -> CloudfrontDistribution:
        ignore_changes = target.cloudfront_ignore_changes
        return CloudfrontDistribution(
            self, "distribution",
            enabled=True,
            web_acl_id=self.firewall.arn,
            comment=name,
            default_root_object="index.html",
            aliases=[alias] if alias else None,
            wait_for_deployment=target.wait_for_cloudfront,
            origin=[CloudfrontDistributionOrigin(
                origin_id=ORIGIN_ID,
                domain_name=self.bucket.bucket_regional_domain_name,
                origin_access_control_id=access.id,
            )],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED_POLICY,
                response_headers_policy_id=headers.id if headers else None,
                compress=True,
            ),
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")),
            viewer_certificate=(
                CloudfrontDistributionViewerCertificate(
                    acm_certificate_arn=certificate.arn, ssl_support_method="sni-only",
                    minimum_protocol_version="TLSv1.2_2021")
                if certificate else CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True)),
            lifecycle=TerraformResourceLifecycle(ignore_changes=list(ignore_changes)) if ignore_changes else None,
        )


def _security_headers(scope: Construct, name: str) -> CloudfrontResponseHeadersPolicy:
    return CloudfrontResponseHeadersPolicy(
        scope, "security-headers", name=f"{name}-security-headers",
        security_headers_config=CloudfrontResponseHeadersPolicySecurityHeadersConfig(
            strict_transport_security=CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                access_control_max_age_sec=63072000, include_subdomains=True, preload=True, override=True),
            content_type_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(
                override=True),
            frame_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
                frame_option="DENY", override=True),
            referrer_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
                referrer_policy="strict-origin-when-cross-origin", override=True),
            content_security_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy(
                content_security_policy="default-src 'self'; frame-ancestors 'none'", override=True),
        ),
    )


RATE_WINDOW_SECONDS = 300


def _rate_limiting_firewall(scope: Construct, name: str, us_east_1: TerraformProvider | None,
                            requests_per_ip: int) -> Wafv2WebAcl:
    """A WAF web ACL (CloudFront's live in us-east-1) that blocks an address sending more than
    `requests_per_ip` requests in five minutes. Metrics only: no sampled requests and no logging,
    which would keep every country's addresses and headers in one region."""

    return Wafv2WebAcl(
        scope, "firewall",
        provider=us_east_1,
        name=f"{name}-firewall",
        scope="CLOUDFRONT",
        description="Rate limits for the static front end",
        default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
        rule=[Wafv2WebAclRule(
            name="requests-per-address",
            priority=1,
            action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
            statement={"rate_based_statement": {"limit": requests_per_ip, "aggregate_key_type": "IP",
                                                "evaluation_window_sec": RATE_WINDOW_SECONDS}},
            visibility_config=Wafv2WebAclRuleVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=f"{name}-requests-per-address",
                sampled_requests_enabled=False),
        )],
        visibility_config=Wafv2WebAclVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=f"{name}-firewall", sampled_requests_enabled=False),
    )
