"""Cognito post-authentication trigger: a member who proved who they are binds their address here.

Cognito runs it after the password (and MFA) are checked and before it issues tokens, so an error
raised here fails the sign-in. When the directory does not show the member's address confirmed here
under the current key (a sign-in right after sign-up, before this region's copy has the entry; a
verified email change; an entry under an older key version, which moves to the current one; a
claim left pending), it confirms it at the primary, which refuses only an address confirmed in
another region. An address the user has not verified is never confirmed. A failure to reach the
directory does not fail the sign-in (pre_auth already found no confirmed claim elsewhere): the next
sign-in confirms.

A sign-in can be in flight while DELETE /me runs (or an operator disables or deletes the user): DELETE /me disables
the user before it releases the claims, so once the claim is written here the account is read back, and a
disabled or deleted one has the claim released again and the sign-in refused. Either the release came after this
confirmation (and removed it), or the account was already disabled when read back.
"""

from __future__ import annotations

import time
from typing import Any

from handlers import account_claims, directory, settings
from handlers.pre_auth import REJECTED, SignInRejected  # any refused sign-in answers alike
from handlers.runtime import client, log_invocation, setting

HANDLED = {"PostAuthentication_Authentication"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    source = event.get("triggerSource")
    if source not in HANDLED:
        log_invocation("post_authentication", started, "ignored", trigger_source="other")
        return event
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    try:
        outcome = _bind(attributes, setting(settings.HOME_REGION), _Account.of(event))
    except Exception as error:
        log_invocation("post_authentication", started, "error", trigger_source=source, error=type(error).__name__)
        return event
    log_invocation("post_authentication", started, outcome, trigger_source=source)
    if outcome in ("held_elsewhere", "account_gone"):
        raise SignInRejected(REJECTED)
    return event


class _Account:
    """The user signing in, as the pool holds it now."""

    def __init__(self, pool_id: str, username: str) -> None:
        self.pool_id, self.username = pool_id, username

    @classmethod
    def of(cls, event: dict[str, Any]) -> _Account:
        return cls(str(event.get("userPoolId") or ""), str(event.get("userName") or ""))

    def still_enabled(self, sub: str) -> bool:
        """Whether the account still exists, is enabled, and is the one the event names."""
        if not self.pool_id or not self.username:
            return False
        cognito = client("cognito-idp", setting(settings.HOME_REGION))
        try:
            user = cognito.admin_get_user(UserPoolId=self.pool_id, Username=self.username)
        except cognito.exceptions.UserNotFoundException:
            return False
        current = {attribute["Name"]: attribute["Value"] for attribute in user.get("UserAttributes", [])}
        return bool(user.get("Enabled")) and current.get("sub") == sub


def _bind(attributes: dict[str, str], home_region: str, account: _Account) -> str:
    if attributes.get("email_verified") != "true":
        return "unverified"
    sub = str(attributes.get("sub") or "")
    if not sub:  # Cognito always sends it: without an account to record the claim under, nothing is bound
        return "no_account"
    email = attributes.get("email", "")
    keys = directory.user_keys(email)
    entries = directory.lookup(keys)
    if directory.confirmed_here(keys, entries, home_region, sub):
        account_claims.remember(sub, keys[0])  # a claim confirmed before accounts were recorded gets its record
        outcome = "confirmed_before"
    else:
        if not any(entry.home_region == home_region for entry in entries) and not _acceptable_new(email):
            # A changed address sign-up would have refused: bound under this key it could be a second home for an
            # address the pool or the mail system treats as one already bound elsewhere.
            return "ambiguous_address"
        account_claims.remember(sub, keys[0])  # before the claim binds, so the reconciler can always find it
        if not directory.confirm(keys, home_region, account=sub):
            return "held_elsewhere"
        outcome = "confirmed"
    try:
        _keep_only_this_address(sub, keys, home_region)
        alive = account.still_enabled(sub)
    except Exception:
        if outcome == "confirmed_before":
            raise  # nothing was bound by this sign-in: it goes on
        alive = False  # what this sign-in bound cannot be shown to have an account behind it
    if not alive:
        _release(sub, keys[0], home_region)
        return "account_gone"
    return outcome


def _acceptable_new(email: str) -> bool:
    try:
        directory.normalize_email(email, new_address=True)
    except ValueError:
        return False
    return True


def _release(sub: str, key: directory.UserKey, home_region: str) -> None:
    """Release what this sign-in bound; if that fails too, the account's record stays, and the reconciler releases
    the claim once the account is gone."""
    try:
        directory.release_for(key, home_region, sub)
        account_claims.forget(sub, key)
    except Exception:  # noqa: BLE001 - the sign-in is refused either way
        return


def _keep_only_this_address(sub: str, keys: list[directory.UserKey], home_region: str) -> None:
    """The account's address is confirmed here (and recorded): release the addresses it held before (a verified
    email change), so no address stays bound to a region without an account behind it."""
    current = {key.value for key in keys}
    for earlier in account_claims.claimed(sub):
        if earlier.value not in current:
            directory.release_for(earlier, home_region, sub)
            account_claims.forget(sub, earlier)
