"""Cognito post-confirmation trigger: the user proved the address, so its claim becomes binding.

Only a confirmed claim binds an address to a region for good; until then it is pending and expires
(pre_signup). When the address was confirmed in another region meanwhile (the pending claim here
expired first), the confirmation is refused: Cognito then reports an error to the client and
pre_auth never lets the user in here. Any other failure is not shown to the user: the next sign-in
confirms the claim (pre_auth).
"""

from __future__ import annotations

import time
from typing import Any

from handlers import account_claims, directory, settings
from handlers.pre_signup import ALREADY_ELSEWHERE as HELD_ELSEWHERE  # as sign-up says it: never where
from handlers.runtime import log_invocation, setting

HANDLED = {"PostConfirmation_ConfirmSignUp"}


class ConfirmationRejected(Exception):
    """Cognito shows the message of an exception raised by the trigger to the client."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    source = event.get("triggerSource")
    if source not in HANDLED:
        log_invocation("post_confirmation", started, "ignored", trigger_source="other")
        return event
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    try:
        refusal = _unbindable(attributes)
        if refusal:
            # The claim stays pending; the next sign-in binds the address once it is verified (post_authentication).
            log_invocation("post_confirmation", started, refusal, trigger_source=source)
            return event
        keys = directory.user_keys(attributes["email"])
        sub = attributes["sub"]
        account_claims.remember(sub, keys[0])  # before the claim binds, so the reconciler can always find it
        confirmed = directory.confirm(keys, setting(settings.HOME_REGION), account=sub)
    except Exception as error:
        log_invocation("post_confirmation", started, "error", trigger_source=source, error=type(error).__name__)
        return event
    if not confirmed:
        log_invocation("post_confirmation", started, "held_elsewhere", trigger_source=source)
        raise ConfirmationRejected(HELD_ELSEWHERE)
    log_invocation("post_confirmation", started, "confirmed", trigger_source=source)
    return event


def _unbindable(attributes: dict[str, str]) -> str | None:
    """Why the confirmation cannot bind the address: only the owner of a verified address binds it (an
    AdminConfirmSignUp leaves the address unverified), for an account the claim can be recorded under, and only an
    address sign-up accepts."""
    if attributes.get("email_verified") != "true":
        return "unverified"
    if not attributes.get("sub"):
        return "no_account"
    try:
        directory.normalize_email(str(attributes.get("email", "")), new_address=True)
    except ValueError:
        return "ambiguous_address"
    return None
