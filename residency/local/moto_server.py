"""The local target's emulator: moto's server, with the one fix residency needs to model AWS faithfully.

moto 5.2.5's KMS `ReplicateKey` makes the replica a shallow copy of the primary: the replica shares
the primary's alias table (an alias made for the primary answers in every replica region, and making
the same alias in a replica region fails with AlreadyExists), and it ignores the request's `Tags`,
`Description` and `Policy` (so the AWS provider waits 10 minutes for the replica's tags and then
fails: "waiting for KMS Replica Key ... tag update: timeout"). Seen with the HMAC key replicas every
region now has. Here a replica is a key of its replica region, as on AWS: its own aliases, grants and
tags, the requested description and policy, and the same key material (so a MAC is the same in every
region, which the directory relies on).

moto's server also answers every request on its own thread, but its models are plain dicts that are
not safe to share: under parallel applies a request that iterates a dict while another request adds
to it fails with "RuntimeError: dictionary changed size during iteration" (an HTTP 500; seen in
IAM's role lookups, which Lambda's CreateFunction and every IAM request make), and check-then-create
code such as CreateRole's name check can let two creates through. The AWS SDK retries a 500, so a
create whose first attempt had already stored the resource is answered "already exists". Here one
request at a time reaches moto's models (the answers take milliseconds; the provider's waits, which
are most of an apply, happen in the provider), while connections are still accepted in parallel.
SQS long polling is the one place moto waits inside a request: it waits without the lock.
An answer can still be lost on the way back (a connection reset on a loaded machine); the AWS SDK
then sends the request again with the same `amz-sdk-invocation-id`, and moto would answer a create
it already made "already exists" (seen: Lambda's CreateFunction answered 201, then 409 for the retry,
and the provider gave up after 5 minutes). Here a retry of a request that changed something and
succeeded gets the first answer again, as the operation already happened; a request without that
header, or a new call of the operation (a new id), is moto's to answer.
moto's Cognito `UpdateUserPool` replaces the pool's whole configuration with the request, so it
forgets what AWS fixes when a pool is created and no update carries (`UsernameAttributes`,
`AliasAttributes`, `UsernameConfiguration`) and the tags; the provider then reads
`username_attributes = []`, which forces a replacement that `prevent_destroy` refuses, and no tags
(seen when a new trigger was added to an existing pool). Here an update keeps them, as on AWS.
The request log names no S3 object key or query string (they may name people).
Everything else is moto's own.

Run as `python -m residency.local.moto_server -H 127.0.0.1 -p PORT`, exactly like `moto.server`.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from copy import copy
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend
from moto.kms import models, responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler
from moto.server import main
from moto.sqs.models import Queue
from werkzeug.wsgi import get_input_stream

_ONE_REQUEST_AT_A_TIME = threading.Lock()
# Enough for every create in flight: the SDK retries within seconds of the lost answer.
REMEMBERED_ANSWERS = 2048
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


class _Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: list[bytes]) -> None:
        self.status, self.headers, self.body = status, headers, body


_answers: OrderedDict[str, _Answer] = OrderedDict()


def _replicate_key(self: models.KmsBackend, key_id: str, replica_region: str) -> models.Key:
    primary = self.keys[key_id]
    replica = copy(primary)
    replica.region = replica_region
    replica.arn = primary.arn.replace(f":{primary.region}:", f":{replica_region}:", 1)
    replica.aliases = {}
    replica.grants = {}
    replica.rotations = []
    configuration = primary.multi_region_configuration
    if not any(item["Region"] == replica_region for item in configuration["ReplicaKeys"]):
        configuration["ReplicaKeys"].append({"Arn": replica.arn, "Region": replica_region})
    replica.multi_region_configuration = {**configuration, "MultiRegionKeyType": "REPLICA"}
    models.kms_backends[self.account_id][replica_region].keys[replica.id] = replica
    return replica


def _replicate_key_response(self: responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    replica_region = self._get_param("ReplicaRegion")
    replica = self.kms_backend.replicate_key(key_id, replica_region)
    if self._get_param("Description") is not None:
        replica.description = self._get_param("Description")
    if self._get_param("Policy"):
        replica.policy = self._get_param("Policy")
    tags: list[dict[str, Any]] = self._get_param("Tags") or []
    if tags:
        models.kms_backends[self.current_account][replica_region].tagger.tag_resource(replica.id, tags)
    return json.dumps({"ReplicaKeyMetadata": replica.to_dict()["KeyMetadata"], "ReplicaPolicy": replica.policy})


def _retry_key(environ: dict[str, Any]) -> str | None:
    invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
    if not invocation or environ.get("REQUEST_METHOD", "GET") in READ_ONLY_METHODS:
        return None
    return f"{invocation} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO', '')}"


def _serialized(answer: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    def one_at_a_time(self: DomainDispatcherApplication, environ: dict[str, Any],
                      start_response: Callable[..., Any]) -> list[bytes]:
        key = _retry_key(environ)
        with _ONE_REQUEST_AT_A_TIME:
            earlier = _answers.get(key) if key else None
            if earlier is not None:
                get_input_stream(environ).read()  # the connection carries the next request after it
                environ["residency.replayed"] = True
                start_response(earlier.status, earlier.headers)
                return earlier.body
            started: list[tuple[str, list[tuple[str, str]]]] = []

            def remembering(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                started.append((status, list(headers)))
                return start_response(status, headers, *rest)

            body = answer(self, environ, remembering)
            try:
                whole = list(body)  # the whole answer is built while the models are ours
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            if key and started and started[-1][0].startswith("2"):
                _answers[key] = _Answer(started[-1][0], started[-1][1], whole)
                while len(_answers) > REMEMBERED_ANSWERS:
                    _answers.popitem(last=False)
            return whole
    return one_at_a_time


def _waiting_without_the_lock(wait: Callable[[Queue, int], None]) -> Callable[[Queue, int], None]:
    def wait_for_messages(self: Queue, timeout: int) -> None:
        _ONE_REQUEST_AT_A_TIME.release()
        try:
            wait(self, timeout)
        finally:
            _ONE_REQUEST_AT_A_TIME.acquire()
    return wait_for_messages


def _request_line_without_keys(self: MotoRequestHandler, code: int | str = "-", size: int | str = "-") -> None:
    """Log the method, the first path segment (an S3 bucket, an API version) and the status only:
    S3 object keys and query strings are caller-chosen and may name people ("profiles/ada.json")."""
    first = self.path.split("?", 1)[0].lstrip("/").split("/", 1)
    shown = "/" + first[0] + ("/…" if len(first) > 1 and first[1] else "")
    host = (self.headers.get("Host") or "").split(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", ""):  # virtual-hosted S3: the path is all key
        shown = "/…" if self.path not in ("", "/") else "/"
    replayed = " (a retry: the first answer again)" if self.environ.get("residency.replayed") else ""
    self.log("info", '"%s %s" %s %s%s', self.command, shown, code, size, replayed)


# What AWS sets when a user pool is created and an UpdateUserPool request cannot change.
FIXED_AT_CREATION = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
# What an UpdateUserPool request may change but AWS keeps when the request leaves it out.
KEPT_UNLESS_GIVEN = ("UserPoolTags",)


def _updating_what_aws_lets_change(update: Callable[[CognitoIdpBackend, str, dict[str, Any]], None]
                                   ) -> Callable[[CognitoIdpBackend, str, dict[str, Any]], None]:
    def update_user_pool(self: CognitoIdpBackend, user_pool_id: str, extended_config: dict[str, Any]) -> None:
        current = self.describe_user_pool(user_pool_id).extended_config
        kept = {name: current[name] for name in FIXED_AT_CREATION if name in current}
        untouched = {name: current[name] for name in KEPT_UNLESS_GIVEN
                     if name in current and name not in extended_config}
        update(self, user_pool_id, {**extended_config, **untouched, **kept})
    return update_user_pool


def install() -> None:
    models.KmsBackend.replicate_key = _replicate_key  # type: ignore[method-assign]
    responses.KmsResponse.replicate_key = _replicate_key_response  # type: ignore[method-assign]
    DomainDispatcherApplication.__call__ = _serialized(  # type: ignore[method-assign]
        DomainDispatcherApplication.__call__)
    Queue.wait_for_messages = _waiting_without_the_lock(  # type: ignore[method-assign,assignment]
        Queue.wait_for_messages)
    MotoRequestHandler.log_request = _request_line_without_keys  # type: ignore[method-assign,assignment]
    CognitoIdpBackend.update_user_pool = _updating_what_aws_lets_change(  # type: ignore[method-assign,assignment]
        CognitoIdpBackend.update_user_pool)


if __name__ == "__main__":
    install()
    main()
