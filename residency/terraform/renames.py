"""A rename keeps the resource: when a plan deletes a resource and creates one of the same type that is the same
thing in AWS (the same bucket, table, queue, topic, function, role, key alias, log group...), it was renamed in
the configuration, not replaced in AWS. residency then writes a `moved` block for it into the workspace
(MOVES_FILE) and plans again, so Terraform keeps the resource, its data and its state under the new address.

The same thing in AWS: every identifying attribute (IDENTIFYING) known on both sides agrees, one at least names it,
and the created one names itself no other way. A resource that names itself by nothing it is given (a KMS key) is
the same when it is the only one of its type deleted and the only one created, and every attribute the plan
already knows is what it was. A match must be one to one; what is ambiguous stays as planned (and protection.py
judges it). Attributes that come from a renamed resource are only known once it is moved, so the plan is
repeated while new renames appear (at most MAX_ROUNDS times).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency.files import MOVES_FILE, write_atomically
from residency.terraform.change_set import SENSITIVE, UNKNOWN, ChangeSet, ResourceChange

MAX_ROUNDS = 25  # plans of one workspace in a row; each keeps one more renamed resource at least
# Attributes that name a resource in AWS (alone or together): the bucket, the table, the queue's or role's name,
# the function a permission is on, the record's zone, name, type and set...
IDENTIFYING = ("bucket", "name", "function_name", "role", "policy_arn", "statement_id", "user_pool_id",
               "rest_api_id", "api_id", "zone_id", "type", "set_identifier", "log_group_name", "queue_url",
               "topic_arn", "resource_arn", "key_id", "target_key_id", "domain", "identifier", "secret_id",
               "stage_name", "resource_id", "http_method", "event_source_arn", "rule", "target_id",
               "event_bus_name", "web_acl_arn", "certificate_arn", "distribution_id", "table_name")
# Identifying attributes AWS assigns (a key's id): unknown in any creation, they do not tell resources apart.
ASSIGNED = ("key_id",)
# Agreeing on these alone does not make two resources one (many records are of type "A").
WEAK = ("type", "http_method", "stage_name", "event_bus_name")
# Attributes a plan cannot know, or that say nothing of what the resource is.
NOT_COMPARED = ("id", "arn", "tags_all", "timeouts")


@dataclass(frozen=True)
class Move:
    from_address: str
    to_address: str
    because: str  # what makes them the same: `bucket = "docs-eu"`

    def describe(self) -> str:
        return f"{self.from_address} -> {self.to_address} (the same {self.because})"


def renames(change_set: ChangeSet) -> list[Move]:
    """The deletions in the plan that are renames: each with the creation that is the same resource in AWS."""
    deleted = [change for change in change_set.changes if change.actions == ("delete",)]
    created = [change for change in change_set.changes if change.actions == ("create",)]
    candidates: dict[str, list[tuple[ResourceChange, str]]] = defaultdict(list)
    for old in deleted:
        for new in created:
            if new.type == old.type:
                because = _same_resource(old, new, deleted, created)
                if because:
                    candidates[old.address].append((new, because))
    claimed: dict[str, int] = defaultdict(int)
    for matches in candidates.values():
        for new, _ in matches:
            claimed[new.address] += 1
    return [Move(address, matches[0][0].address, matches[0][1]) for address, matches in candidates.items()
            if len(matches) == 1 and claimed[matches[0][0].address] == 1]


def write_moves(directory: Path, moves: Iterable[Move], synthesized: Mapping[str, Any]) -> Path:
    """The workspace's moves file holding a `moved` block per move (replacing what it held). A move to where the
    configuration already moves something (an address of an earlier residency) starts that chain instead: Terraform
    allows one source per address, and follows chains."""
    earlier = {block["to"]: block["from"] for block in _moved_blocks(synthesized)
               if isinstance(block.get("to"), str) and isinstance(block.get("from"), str)}
    blocks = []
    for move in moves:
        to, seen = move.to_address, {move.to_address}
        while to in earlier and earlier[to] not in seen:
            to = earlier[to]
            seen.add(to)
        blocks.append({"from": move.from_address, "to": to})
    path = directory / MOVES_FILE
    write_atomically(path, json.dumps({"moved": blocks}, indent=2) + "\n")
    return path


def _moved_blocks(synthesized: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = synthesized.get("moved")
    return [block for block in blocks if isinstance(block, dict)] if isinstance(blocks, list) else []


def forget_moves(directory: Path) -> None:
    """Remove the moves file of an earlier plan: each plan finds its own renames again."""
    (directory / MOVES_FILE).unlink(missing_ok=True)


def holds_only_moves(text: bytes) -> bool:
    """Whether a moves file holds nothing but `moved` blocks (what else a plan carries is configuration)."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    blocks = document.get("moved") if isinstance(document, dict) and set(document) == {"moved"} else None
    return isinstance(blocks, list) and all(
        isinstance(block, dict) and set(block) == {"from", "to"} and all(isinstance(v, str) for v in block.values())
        for block in blocks)


def _same_resource(old: ResourceChange, new: ResourceChange, deleted: list[ResourceChange],
                   created: list[ResourceChange]) -> str:
    """What makes `old` and `new` the same resource in AWS ("" when they are not shown to be). An identifying
    attribute the plan does not know yet in `new` (it comes from what is still being created) neither proves nor
    disproves it; every one known on both sides must agree."""
    before, after = _values(old.before), _values(new.after)
    both = {key: before[key] for key in IDENTIFYING if _names(before.get(key)) and _names(after.get(key))}
    if both:
        if any(after[key] != value for key, value in both.items()) or set(both) <= set(WEAK):
            return ""
        return ", ".join(f"{key} = {json.dumps(value, default=str)}" for key, value in both.items())
    if any(_names(after.get(key)) for key in IDENTIFYING):
        return ""  # it names itself, and not as the deleted one did
    if any(_names(before.get(key)) for key in IDENTIFYING if key not in ASSIGNED):
        return ""  # the deleted one was named (its bucket...) and the new one's name is not known: not the same
    if sum(change.type == old.type for change in deleted) != 1 or sum(
            change.type == old.type for change in created) != 1:
        return ""
    compared = {key: value for key, value in after.items() if key not in NOT_COMPARED and _known(value)}
    if compared and all(before.get(key) == value for key, value in compared.items()):
        return f"{old.type} (the only one deleted and created; {', '.join(sorted(compared)[:4])} unchanged)"
    return ""


def _values(values: Any) -> Mapping[str, Any]:
    return values if isinstance(values, dict) else {}


def _names(value: Any) -> bool:
    """Whether an identifying attribute holds a name (a string or number the plan knows)."""
    return isinstance(value, (str, int)) and not isinstance(value, bool) and _known(value)


def _known(value: Any) -> bool:
    return value not in (None, "", [], {}, UNKNOWN, SENSITIVE)
