"""The region's feature flags, as GET /config serves them.

With AppConfig (on AWS), read through AppConfig's data API: one configuration session per warm function, polled
at most every POLL_SECONDS, the last document kept (AppConfig answers an empty one when nothing changed). If
AppConfig cannot answer, the flags as deployed with the function (FEATURE_FLAGS) are served: the same document
AppConfig was given, so the answer is never a guess. Without AppConfig (the local target) those are the flags.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from handlers import settings
from handlers.runtime import client, setting

POLL_SECONDS = 60
_now = time.monotonic

_session: dict[str, Any] = {}  # token, next_poll (monotonic), flags


def current() -> dict[str, Any]:
    deployed = _deployed()
    if not os.environ.get(settings.APPCONFIG_APPLICATION):
        return deployed
    try:
        return _from_appconfig()
    except Exception:  # noqa: BLE001 - AppConfig unreachable or refusing: the flags deployed with the function
        _session.clear()
        return deployed


def clear() -> None:
    _session.clear()


def _deployed() -> dict[str, Any]:
    text = os.environ.get(settings.FEATURE_FLAGS)
    flags = json.loads(text) if text else {}
    return flags if isinstance(flags, dict) else {}


def _from_appconfig() -> dict[str, Any]:
    now = _now()
    if "flags" in _session and now < _session["next_poll"]:
        return dict(_session["flags"])
    appconfig = client("appconfigdata", setting(settings.HOME_REGION))
    token = _session.get("token")
    if token is None:
        token = appconfig.start_configuration_session(
            ApplicationIdentifier=setting(settings.APPCONFIG_APPLICATION),
            EnvironmentIdentifier=setting(settings.APPCONFIG_ENVIRONMENT),
            ConfigurationProfileIdentifier=setting(settings.APPCONFIG_PROFILE),
            RequiredMinimumPollIntervalInSeconds=POLL_SECONDS)["InitialConfigurationToken"]
    answer = appconfig.get_latest_configuration(ConfigurationToken=token)
    content = answer["Configuration"].read()
    if content:  # empty: unchanged since the last answer
        flags = json.loads(content)
        if not isinstance(flags, dict):
            raise ValueError("the flags are not a JSON object")
        _session["flags"] = flags
    _session["token"] = answer["NextPollConfigurationToken"]
    _session["next_poll"] = now + int(answer.get("NextPollIntervalInSeconds") or POLL_SECONDS)
    return dict(_session.get("flags") or _deployed())
