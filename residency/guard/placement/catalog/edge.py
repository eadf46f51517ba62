"""Route 53, ACM, CloudFront and WAF: routing and the edge. CloudFront is global only."""

from __future__ import annotations

from functools import partial

from residency.guard.placement.catalog.entries import (
    GLOBAL,
    REGION,
    REGION_AND_GLOBAL,
    Entry,
    Flow,
    Kind,
    Place,
    entry,
    keep,
    process,
)

_e = partial(entry, ws=REGION_AND_GLOBAL)


def _behaviors(*prefixes: str) -> tuple[Place, ...]:
    """Code CloudFront runs at the edge for a cache behavior, and where it sends real-time logs."""
    return tuple(place for prefix in prefixes for place in (
        process(f"{prefix}.lambda_function_association.lambda_arn"),
        process(f"{prefix}.function_association.function_arn"),
        keep(f"{prefix}.realtime_log_config_arn", Kind.ARN)))


# Record types whose values are where clients connect (or mail goes); TXT, CAA and the like only say things.
POINTING_RECORDS = ("A", "AAAA", "CNAME", "MX", "SRV", "HTTPS", "SVCB", "NAPTR", "DS", "NS")
_EDGE = "CloudFront serves and caches at edge locations worldwide: global only, and its origins serve nothing personal"
_WAF = "Sampled requests (client IPs, headers) are kept 3 hours in the web ACL's region (us-east-1 for CloudFront)"

ENTRIES: tuple[Entry, ...] = (
    # Route 53
    _e("aws_route53_zone", note="Public zones are served from edge locations worldwide; DNS data is not personal"),
    _e("aws_route53_record", Place("records", Kind.HOST, Flow.PROCESS, when=("type", POINTING_RECORDS)),
       process("alias.name", Kind.HOST),
       process("latency_routing_policy.region", Kind.REGION),
       process("geoproximity_routing_policy.aws_region", Kind.REGION),
       note="Records send users' requests to the hosts and addresses they name"),
    _e("aws_route53_records_exclusive"),
    _e("aws_route53_health_check", note="Health checkers probe from several regions; they carry nothing personal"),
    _e("aws_route53_zone_association", ws=REGION),
    _e("aws_route53_vpc_association_authorization", ws=REGION),
    _e("aws_route53_delegation_set"),
    _e("aws_route53_hosted_zone_dnssec"),
    _e("aws_route53_key_signing_key", keep("key_management_service_arn", Kind.ARN),
       note="The KMS key must be in us-east-1"),
    _e("aws_route53_query_log", keep("cloudwatch_log_group_arn", Kind.ARN), ws=REGION,
       note="Query logs of a public zone must go to a us-east-1 log group; they hold resolver addresses"),
    _e("aws_route53_resolver_query_log_config", keep("destination_arn", Kind.ARN), ws=REGION,
       note="Logs the DNS queries of a VPC's workloads"),
    _e("aws_route53_resolver_query_log_config_association", ws=REGION),
    # ACM
    _e("aws_acm_certificate"),
    _e("aws_acm_certificate_validation", keep("certificate_arn", Kind.ARN)),
    # CloudFront
    _e("aws_cloudfront_distribution", process("origin.domain_name", Kind.HOST),
       process("origin.origin_shield.origin_shield_region", Kind.REGION),
       process("origin.vpc_origin_config.vpc_origin_id", Kind.NAME_OR_ARN),
       *_behaviors("default_cache_behavior", "ordered_cache_behavior"), keep("logging_config.bucket", Kind.BUCKET),
       keep("viewer_certificate.acm_certificate_arn", Kind.ARN), process("web_acl_id"), ws=GLOBAL, note=_EDGE),
    _e("aws_cloudfront_origin_access_control", ws=GLOBAL),
    _e("aws_cloudfront_origin_access_identity", ws=GLOBAL),
    _e("aws_cloudfront_response_headers_policy",
       ws=GLOBAL),
    _e("aws_cloudfront_cache_policy", ws=GLOBAL),
    _e("aws_cloudfront_origin_request_policy", ws=GLOBAL),
    _e("aws_cloudfront_function", ws=GLOBAL, note="Runs at edge locations worldwide"),
    _e("aws_cloudfront_monitoring_subscription", ws=GLOBAL),
    # WAF: REGIONAL scope in a region, CLOUDFRONT scope (us-east-1) in global
    _e("aws_wafv2_web_acl", note=_WAF),
    _e("aws_wafv2_web_acl_association", keep("resource_arn", Kind.ARN), keep("web_acl_arn", Kind.ARN)),
    _e("aws_wafv2_web_acl_logging_configuration", keep("log_destination_configs", Kind.ARN),
       keep("resource_arn", Kind.ARN), note="WAF logs hold client IPs, URIs and headers (personal)"),
    _e("aws_wafv2_ip_set"),
    _e("aws_wafv2_regex_pattern_set"),
    _e("aws_wafv2_rule_group"),
)
