"""The kinds of personal-data store, each as one handler that counts, exports and empties its stores in AWS.

What a kind is without AWS (its Terraform type, the attribute that names it, its noun, its guards) is its
`StoreFacts` in `residency/personal_data.py`. A new kind: its member of `StoreKind` and its facts there, one
module here with its `StoreHandler`, and its line in HANDLERS.
"""

from __future__ import annotations

from collections.abc import Mapping

from residency.flows.store_kinds.bucket import BucketHandler
from residency.flows.store_kinds.handler import StoreHandler
from residency.flows.store_kinds.queue import QueueHandler
from residency.flows.store_kinds.table import TableHandler
from residency.flows.store_kinds.user_pool import UserPoolHandler
from residency.personal_data import StoreKind

# In this order `empty_for_destroy` goes kind by kind: the buckets are emptied (which their policy or Object Lock
# may refuse) before any table's or pool's deletion protection is lifted.
HANDLERS: Mapping[StoreKind, StoreHandler] = {handler.kind: handler for handler in (
    BucketHandler(),
    TableHandler(),
    UserPoolHandler(),
    QueueHandler(),
)}


def handler_of(kind: StoreKind) -> StoreHandler:
    return HANDLERS[kind]
