"""Cognito pre-sign-up trigger: makes a pending claim on the user's address for this region.

The claim binds the address only once the user proves it (post_confirmation) or, unproven, until it
expires (PENDING_CLAIM_SECONDS): a stranger who signs someone else's address up in the wrong region
blocks that address for at most that long, never for good.

Why custom:region is validated, not set: a pre-sign-up trigger's response can only auto-confirm
or auto-verify; Cognito ignores changes to request.userAttributes. So the trigger cannot stamp the
region on the user. Instead the client sends custom:region (front ends read it from GET /config)
and the trigger refuses any value other than this pool's region. Every user created in this pool
therefore carries this pool's region, which the API (defence in depth behind the JWT authorizer)
and pre_auth (replication lag) rely on. That only holds if app clients cannot write custom:region
after sign-up, which the user pool's client write-attributes must ensure.

Federated users (PreSignUp_ExternalProvider) get no say in their attributes unless mapped, so a
missing custom:region is accepted there: the federated identity's home is this pool.
"""

from __future__ import annotations

import time
from typing import Any

from handlers import directory, settings
from handlers.runtime import log_invocation, setting

HANDLED = {"PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"}

REGION_MISMATCH = "custom:region does not match this region; send the region from GET /config."
REGION_MISSING = "custom:region is required; send the region from GET /config."
EMAIL_INVALID = "A valid email address is required."
# Must not say where the account lives. That an address is taken somewhere is revealed, as by every
# sign-up form (Cognito's own answers UsernameExistsException in the same pool); see the README.
ALREADY_ELSEWHERE = settings.SIGN_UP_CLAIMED_ELSEWHERE
UNAVAILABLE = "Sign-up is temporarily unavailable. Please try again."


class SignUpRejected(Exception):
    """Cognito shows the message of an exception raised by the trigger to the client."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    source = event.get("triggerSource")
    if source not in HANDLED:
        log_invocation("pre_signup", started, "ignored", trigger_source="other")
        return event
    try:
        _admit(event, source, setting(settings.HOME_REGION))
    except SignUpRejected:
        log_invocation("pre_signup", started, "rejected", trigger_source=source)
        raise
    except Exception as error:
        # `from None`: the cause's message is not shown to the client nor logged with the trace.
        log_invocation("pre_signup", started, "error", trigger_source=source, error=type(error).__name__)
        raise SignUpRejected(UNAVAILABLE) from None
    log_invocation("pre_signup", started, "accepted", trigger_source=source)
    return event


def _admit(event: dict[str, Any], source: str, home_region: str) -> None:
    attributes = event.get("request", {}).get("userAttributes") or {}
    region = attributes.get("custom:region")
    if region is None:
        if source != "PreSignUp_ExternalProvider":
            raise SignUpRejected(REGION_MISSING)
    elif region != home_region:
        raise SignUpRejected(REGION_MISMATCH)
    try:
        keys = directory.user_keys(attributes.get("email", ""), new_address=True)
    except ValueError:
        raise SignUpRejected(EMAIL_INVALID) from None
    if not directory.claim_pending(keys, home_region, pending_seconds=int(setting(settings.PENDING_CLAIM_SECONDS))):
        raise SignUpRejected(ALREADY_ELSEWHERE)
