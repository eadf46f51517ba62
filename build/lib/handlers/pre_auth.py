"""Cognito pre-authentication trigger: only users whose home is this region may sign in here.

Every rejection uses the message Cognito gives for a wrong password under
PreventUserExistenceErrors, so a rejection reveals neither that the account exists nor where.
"""

from __future__ import annotations

import time
from typing import Any

from handlers import directory
from handlers.runtime import log_invocation, setting

HANDLED = {"PreAuthentication_Authentication"}
REJECTED = "Incorrect username or password."


class SignInRejected(Exception):
    """Cognito shows the message of an exception raised by the trigger to the client."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    source = event.get("triggerSource")
    if source not in HANDLED:
        log_invocation("pre_auth", started, "ignored", trigger_source="other")
        return event
    request = event.get("request") or {}
    if request.get("userNotFound"):
        # Cognito answers unknown users itself with its own wrong-password error; adding ours would differ.
        log_invocation("pre_auth", started, "user_not_found", trigger_source=source)
        return event
    try:
        outcome = _check(request.get("userAttributes") or {}, setting("HOME_REGION"))
    except Exception as error:
        log_invocation("pre_auth", started, "error", trigger_source=source, error=type(error).__name__)
        raise SignInRejected(REJECTED) from None
    log_invocation("pre_auth", started, outcome, trigger_source=source)
    if outcome == "rejected":
        raise SignInRejected(REJECTED)
    return event


def _check(attributes: dict[str, str], home_region: str) -> str:
    try:
        key = directory.user_key(attributes.get("email", ""))
    except ValueError:
        return "rejected"
    home = directory.home_region_of(key)
    if home == home_region:
        return "accepted"
    # Right after sign-up this region's replica may not have the entry yet; the user's own
    # custom:region, which pre_signup only lets equal the pool's region, vouches for it meanwhile.
    if home is None and attributes.get("custom:region") == home_region:
        return "accepted_pending_replication"
    return "rejected"
