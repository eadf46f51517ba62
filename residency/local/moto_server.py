"""The local target's emulator: moto's server, with the one fix residency needs to model AWS faithfully.

moto 5.2.5's KMS `ReplicateKey` makes the replica a shallow copy of the primary: the replica shares
the primary's alias table (an alias made for the primary answers in every replica region, and making
the same alias in a replica region fails with AlreadyExists), and it ignores the request's `Tags`,
`Description` and `Policy` (so the AWS provider waits 10 minutes for the replica's tags and then
fails: "waiting for KMS Replica Key ... tag update: timeout"). Seen with the HMAC key replicas every
region now has. Here a replica is a key of its replica region, as on AWS: its own aliases, grants and
tags, the requested description and policy, and the same key material (so a MAC is the same in every
region, which the directory relies on). Everything else is moto's own.

Run as `python -m residency.local.moto_server -H 127.0.0.1 -p PORT`, exactly like `moto.server`.
"""

from __future__ import annotations

import json
from copy import copy
from typing import Any

from moto.kms import models, responses
from moto.server import main


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


def install() -> None:
    models.KmsBackend.replicate_key = _replicate_key  # type: ignore[method-assign]
    responses.KmsResponse.replicate_key = _replicate_key_response  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    main()
