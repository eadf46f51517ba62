"""Cognito post-authentication trigger: a member who proved who they are binds their address here.

Cognito runs it after the password (and MFA) are checked and before it issues tokens, so an error
raised here fails the sign-in. When the directory does not show the member's address confirmed here
under the current key (a sign-in right after sign-up, before this region's copy has the entry; a
verified email change; an entry under an older key version, which moves to the current one; a
claim left pending), it confirms it at the primary, which refuses only an address confirmed in
another region. An address the user has not verified is never confirmed. A failure to reach the
directory does not fail the sign-in (pre_auth already found no confirmed claim elsewhere): the next
sign-in confirms.
"""

from __future__ import annotations

import time
from typing import Any

from handlers import account_claims, directory, settings
from handlers.pre_auth import REJECTED, SignInRejected  # any refused sign-in answers alike
from handlers.runtime import log_invocation, setting

HANDLED = {"PostAuthentication_Authentication"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    source = event.get("triggerSource")
    if source not in HANDLED:
        log_invocation("post_authentication", started, "ignored", trigger_source="other")
        return event
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    try:
        outcome = _bind(attributes, setting(settings.HOME_REGION))
    except Exception as error:
        log_invocation("post_authentication", started, "error", trigger_source=source, error=type(error).__name__)
        return event
    log_invocation("post_authentication", started, outcome, trigger_source=source)
    if outcome == "held_elsewhere":
        raise SignInRejected(REJECTED)
    return event


def _bind(attributes: dict[str, str], home_region: str) -> str:
    if attributes.get("email_verified") != "true":
        return "unverified"
    keys = directory.user_keys(attributes.get("email", ""))
    sub = str(attributes.get("sub") or "")
    if directory.confirmed_here(keys, directory.lookup(keys), home_region):
        outcome = "confirmed_before"
    elif directory.confirm(keys, home_region, account=sub or None):
        outcome = "confirmed"
    else:
        return "held_elsewhere"
    if sub:
        _keep_only_this_address(sub, keys, home_region)
    return outcome


def _keep_only_this_address(sub: str, keys: list[directory.UserKey], home_region: str) -> None:
    """The account's address is confirmed here: record it, and release the addresses it held before (a verified
    email change), so no address stays bound to a region without an account behind it."""
    account_claims.remember(sub, keys[0])
    current = {key.value for key in keys}
    for earlier in account_claims.claimed(sub):
        if earlier.value not in current:
            directory.release_for(earlier, home_region, sub)
            account_claims.forget(sub, earlier)
