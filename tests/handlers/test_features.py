"""GET /config serves the region's feature flags: from AppConfig's data API where there is one (a stubbed client
validated against AppConfig's real API model), else, and whenever AppConfig cannot answer, the flags deployed
with the function."""

from __future__ import annotations

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from handlers import features, runtime
from handlers.api import handler
from tests.handlers.support import HOME, http_event

DEPLOYED = {"banner": "", "max_upload_mb": 5, "new_checkout": True}


def served() -> dict:
    response = handler(http_event("GET", "/config"), None)
    assert response["statusCode"] == 200
    return json.loads(response["body"])["features"]


@pytest.fixture
def deployed(aws, monkeypatch):
    monkeypatch.setenv("FEATURE_FLAGS", json.dumps(DEPLOYED))
    features.clear()
    yield
    features.clear()


@pytest.fixture
def appconfig(deployed, monkeypatch):
    for name, value in (("APPCONFIG_APPLICATION", "app1"), ("APPCONFIG_ENVIRONMENT", "env1"),
                        ("APPCONFIG_PROFILE", "prof1")):
        monkeypatch.setenv(name, value)
    stubber = Stubber(runtime.client("appconfigdata", HOME))
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def latest(content: bytes, token: str = "next-1", interval: int = 60) -> dict:
    return {"Configuration": StreamingBody(io.BytesIO(content), len(content)), "NextPollConfigurationToken": token,
            "NextPollIntervalInSeconds": interval, "ContentType": "application/json"}


def test_without_appconfig_the_deployed_flags_are_served(deployed):
    assert served() == DEPLOYED


def test_with_appconfig_its_flags_are_served_and_polled_no_more_often_than_it_allows(appconfig, monkeypatch):
    changed = {**DEPLOYED, "new_checkout": False}
    appconfig.add_response("start_configuration_session", {"InitialConfigurationToken": "first"}, {
        "ApplicationIdentifier": "app1", "EnvironmentIdentifier": "env1", "ConfigurationProfileIdentifier": "prof1",
        "RequiredMinimumPollIntervalInSeconds": 60})
    appconfig.add_response("get_latest_configuration", latest(json.dumps(changed).encode()),
                           {"ConfigurationToken": "first"})
    assert served() == changed
    assert served() == changed  # within the poll interval: no call (the stubber has no response left)
    monkeypatch.setattr(features, "_now", lambda: 10.0 ** 9)  # long after the interval
    appconfig.add_response("get_latest_configuration", latest(b"", token="next-2"), {"ConfigurationToken": "next-1"})
    assert served() == changed  # an empty answer: unchanged since the last


def test_when_appconfig_cannot_answer_the_deployed_flags_are_served(appconfig):
    appconfig.add_client_error("start_configuration_session", "AccessDeniedException", http_status_code=403)
    assert served() == DEPLOYED
