"""A region's feature flags in AWS AppConfig: an application, its `live` environment, a hosted configuration
profile with the region's flags (JSON), and their deployment. Only the region's own flags are in it, so a change
to one jurisdiction's flags changes only its regions' workspaces."""

from __future__ import annotations

import json
from collections.abc import Mapping

from cdktf import Token
from cdktf_cdktf_provider_aws.appconfig_application import AppconfigApplication
from cdktf_cdktf_provider_aws.appconfig_configuration_profile import AppconfigConfigurationProfile
from cdktf_cdktf_provider_aws.appconfig_deployment import AppconfigDeployment
from cdktf_cdktf_provider_aws.appconfig_environment import AppconfigEnvironment
from cdktf_cdktf_provider_aws.appconfig_hosted_configuration_version import AppconfigHostedConfigurationVersion
from constructs import Construct

# AppConfig's predefined strategy: the whole configuration at once (flags are small, and the same everywhere
# in the region).
ALL_AT_ONCE = "AppConfig.AllAtOnce"


def flags_document(flags: Mapping[str, bool | int | str]) -> str:
    """The flags as the API serves them: sorted, so the same flags give the same document."""
    return json.dumps(dict(sorted(flags.items())), separators=(",", ":"))


class RegionFeatures(Construct):
    def __init__(self, scope: Construct, id_: str, *, name: str, flags: Mapping[str, bool | int | str]) -> None:
        super().__init__(scope, id_)
        self.application = AppconfigApplication(self, "application", name=name,
                                                description="the region's feature flags (residency)")
        self.environment = AppconfigEnvironment(self, "environment", application_id=self.application.id, name="live")
        self.profile = AppconfigConfigurationProfile(self, "profile", application_id=self.application.id,
                                                     name="flags", location_uri="hosted", type="AWS.Freeform")
        version = AppconfigHostedConfigurationVersion(
            self, "version", application_id=self.application.id,
            configuration_profile_id=self.profile.configuration_profile_id,
            content=flags_document(flags), content_type="application/json")
        AppconfigDeployment(
            self, "deployment", application_id=self.application.id,
            environment_id=self.environment.environment_id,
            configuration_profile_id=self.profile.configuration_profile_id,
            configuration_version=Token.as_string(version.version_number),
            deployment_strategy_id=ALL_AT_ONCE)
