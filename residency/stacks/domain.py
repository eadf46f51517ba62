"""A region's API under its own names: `<region>.<domain>` and the shared `api.<domain>`.

The hosted zone of `domain` is looked up, not created: it belongs to the user (delegated from
their registrar) and must exist before the first apply.
"""

from __future__ import annotations

from cdktf import Fn, TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.apigatewayv2_api_mapping import Apigatewayv2ApiMapping
from cdktf_cdktf_provider_aws.apigatewayv2_domain_name import (
    Apigatewayv2DomainName,
    Apigatewayv2DomainNameDomainNameConfiguration,
)
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from constructs import Construct

from residency import naming
from residency.stacks.api import RegionApi
from residency.stacks.silo_outputs import ApiAlias


def hosted_zone(scope: Construct, domain: str) -> DataAwsRoute53Zone:
    return DataAwsRoute53Zone(scope, "zone", name=domain, private_zone=False)


class ValidatedCertificate(Construct):
    """An ACM certificate validated through DNS records in the zone; `arn` is usable once issued."""

    def __init__(self, scope: Construct, id_: str, *, domain_name: str, alternative_names: list[str],
                 zone: DataAwsRoute53Zone, provider: TerraformProvider | None = None) -> None:
        super().__init__(scope, id_)
        certificate = AcmCertificate(
            self, "certificate",
            provider=provider,
            domain_name=domain_name,
            subject_alternative_names=alternative_names or None,
            validation_method="DNS",
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        # One record per name, keyed by names known at synth time: a for_each over the
        # certificate's validation options would have keys unknown until apply.
        records = [
            Route53Record(
                self, f"validation-{index}",
                zone_id=zone.zone_id,
                name=_validation_option(certificate, name, "resource_record_name"),
                type=_validation_option(certificate, name, "resource_record_type"),
                records=[_validation_option(certificate, name, "resource_record_value")],
                ttl=60,
                allow_overwrite=True,
            )
            for index, name in enumerate([domain_name, *alternative_names])
        ]
        validated = AcmCertificateValidation(
            self, "validation",
            provider=provider,
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
        )
        self.arn = validated.certificate_arn


def _validation_option(certificate: AcmCertificate, name: str, attribute: str) -> str:
    return (f"${{one([for option in {certificate.fqn}.domain_validation_options : "
            f"option.{attribute} if option.domain_name == \"{name}\"])}}")


class ApiDomain(Construct):
    """Certificate (DNS-validated) and API Gateway custom domains for one region's API.

    `alias` is what DNS records alias for `api.<domain>` in this region. Without `custom_domains` (a target
    that cannot create them) it is the API's default endpoint instead.
    """

    def __init__(self, scope: Construct, id_: str, *, region: str, domain: str, zone: DataAwsRoute53Zone,
                 api: RegionApi, custom_domains: bool) -> None:
        super().__init__(scope, id_)
        direct_host, shared_host = naming.region_api_host(region, domain), naming.global_api_host(domain)
        api_host = Fn.replace(api.api.api_endpoint, "https://", "")
        self.certificate = ValidatedCertificate(self, "certificate", domain_name=direct_host,
                                                alternative_names=[shared_host], zone=zone)
        if custom_domains:
            direct = self._custom_domain("direct", direct_host, api).domain_name_configuration
            shared = self._custom_domain("shared", shared_host, api).domain_name_configuration
            direct_target, direct_zone = direct.target_domain_name, direct.hosted_zone_id
            self.alias = ApiAlias(name=shared.target_domain_name, zone_id=shared.hosted_zone_id)
        else:
            direct_target, direct_zone = api_host, zone.zone_id
            self.alias = ApiAlias(name=api_host, zone_id=zone.zone_id)
        Route53Record(
            self, "direct-record",
            zone_id=zone.zone_id,
            name=direct_host,
            type="A",
            alias=Route53RecordAlias(name=direct_target, zone_id=direct_zone, evaluate_target_health=False),
        )

    def _custom_domain(self, id_: str, host: str, api: RegionApi) -> Apigatewayv2DomainName:
        domain = Apigatewayv2DomainName(
            self, id_,
            domain_name=host,
            domain_name_configuration=Apigatewayv2DomainNameDomainNameConfiguration(
                certificate_arn=self.certificate.arn,
                endpoint_type="REGIONAL",
                security_policy="TLS_1_2",
            ),
        )
        Apigatewayv2ApiMapping(self, f"{id_}-mapping", api_id=api.api.id, domain_name=domain.id, stage=api.stage.id)
        return domain
