"""A region's API under its own names: `<region>.<domain>` and the shared `api.<domain>`.

The hosted zone of `domain` is looked up, not created: it belongs to the user (delegated from
their registrar) and must exist before the first apply.
"""

from __future__ import annotations

from cdktf import TerraformIterator, TerraformProvider, TerraformResourceLifecycle, Token
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
        validation = TerraformIterator.from_complex_list(certificate.domain_validation_options, "domain_name")
        records = Route53Record(
            self, "validation-records",
            for_each=validation,
            zone_id=zone.zone_id,
            name=validation.get_string("resource_record_name"),
            type=validation.get_string("resource_record_type"),
            records=[validation.get_string("resource_record_value")],
            ttl=60,
            allow_overwrite=True,
        )
        validated = AcmCertificateValidation(
            self, "validation",
            provider=provider,
            certificate_arn=certificate.arn,
            validation_record_fqdns=Token.as_list(TerraformIterator.from_resources(records).pluck_property("fqdn")),
        )
        self.arn = validated.certificate_arn


class ApiDomain(Construct):
    """Certificate (DNS-validated) and API Gateway custom domains for one region's API."""

    def __init__(self, scope: Construct, id_: str, *, direct_host: str, shared_host: str, zone: DataAwsRoute53Zone,
                 api_id: str, stage_id: str) -> None:
        super().__init__(scope, id_)
        self.certificate = ValidatedCertificate(self, "certificate", domain_name=direct_host,
                                                alternative_names=[shared_host], zone=zone)
        self.direct = self._custom_domain("direct", direct_host, api_id, stage_id)
        self.shared = self._custom_domain("shared", shared_host, api_id, stage_id)
        Route53Record(
            self, "direct-record",
            zone_id=zone.zone_id,
            name=direct_host,
            type="A",
            alias=Route53RecordAlias(
                name=self.direct.domain_name_configuration.target_domain_name,
                zone_id=self.direct.domain_name_configuration.hosted_zone_id,
                evaluate_target_health=False,
            ),
        )

    def _custom_domain(self, id_: str, host: str, api_id: str, stage_id: str) -> Apigatewayv2DomainName:
        domain = Apigatewayv2DomainName(
            self, id_,
            domain_name=host,
            domain_name_configuration=Apigatewayv2DomainNameDomainNameConfiguration(
                certificate_arn=self.certificate.arn,
                endpoint_type="REGIONAL",
                security_policy="TLS_1_2",
            ),
        )
        Apigatewayv2ApiMapping(self, f"{id_}-mapping", api_id=api_id, domain_name=domain.id, stage=stage_id)
        return domain
