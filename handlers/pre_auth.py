"""Cognito pre-authentication trigger: only users whose home is this region may sign in here.

It runs before Cognito checks the password, so it only reads: it refuses an address the directory
shows confirmed in another region, and leaves every write to post_authentication, which runs once
the user has proved who they are.

Every rejection uses the message Cognito gives for a wrong password under
PreventUserExistenceErrors, so a rejection reveals neither that the account exists nor where.
An address Cognito does not know costs the same work as one it knows (its keys computed, the
directory read once), so the time taken does not tell them apart either.
"""

from __future__ import annotations

import time
from typing import Any

from handlers import directory, settings
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
    attributes = request.get("userAttributes") or {}
    try:
        outcome = _check(attributes.get("email") or str(event.get("userName") or ""), attributes,
                         setting(settings.HOME_REGION), known=not request.get("userNotFound"))
    except Exception as error:
        log_invocation("pre_auth", started, "error", trigger_source=source, error=type(error).__name__)
        raise SignInRejected(REJECTED) from None
    log_invocation("pre_auth", started, outcome, trigger_source=source)
    if outcome == "rejected":
        raise SignInRejected(REJECTED)
    return event


def _check(email: str, attributes: dict[str, str], home_region: str, *, known: bool) -> str:
    try:
        keys = directory.user_keys(email)
    except ValueError:
        return "rejected" if known else "user_not_found"
    entries = directory.lookup(keys)
    if not known:
        # Cognito answers unknown users itself with its wrong-password error; ours would differ.
        return "user_not_found"
    if attributes.get("custom:region") != home_region:
        return "rejected"
    if any(entry.state == directory.CONFIRMED and entry.home_region != home_region for entry in entries):
        return "rejected"
    if directory.confirmed_here(keys, entries, home_region):
        return "accepted"
    # Not (yet) confirmed here: post_authentication confirms it once the password is checked.
    return "accepted_unconfirmed"
