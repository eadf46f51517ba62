"""SQS queues: every message, read for the export without deleting it (Terraform deletes a queue with its
messages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError
from residency.flows.store_kinds.aws_calls import aws_call
from residency.flows.store_kinds.export_files import safe_name, write_lines
from residency.flows.store_kinds.handler import Exported, StoreCount, StoreHandler, counted
from residency.personal_data import DeclaredStore, StoreKind

_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
# A message read for the export stays hidden this long; a failed export leaves it to reappear, whole.
_EXPORT_VISIBILITY_SECONDS = 3600
_QUEUE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed")


class QueueHandler(StoreHandler):
    kind = StoreKind.QUEUE
    service = "sqs"
    record = "message"

    def count(self, store: DeclaredStore, client: Any) -> StoreCount:
        return StoreCount(store, _queued(client, store.name))

    def refuse_unexportable(self, store: DeclaredStore, client: Any) -> None:
        """An export reads every message; one being handled or delayed cannot be read until it is visible again."""
        with aws_call(f"queue {store.name}", _GONE):
            attributes = client.get_queue_attributes(QueueUrl=store.name,
                                                     AttributeNames=list(_QUEUE_COUNTS))["Attributes"]
            hidden = sum(int(attributes.get(name, 0)) for name in _QUEUE_COUNTS[1:])
            if hidden:
                raise ResidencyError(
                    f"queue {store.name} has {counted(hidden, 'message')} being handled or delayed, which cannot be "
                    "read for the export until visible again; nothing was exported",
                    hint="stop what receives from it and run it again once its visibility timeout or delay has "
                         "passed, or pass --force to destroy them unexported")

    def export(self, store: DeclaredStore, client: Any, staging: Path) -> Exported:
        queue_name = store.name.rstrip("/").rsplit("/", 1)[-1]
        return Exported(write_lines(staging / "sqs" / f"{safe_name(queue_name)}.jsonl",
                                    _messages(client, store.name)))

    def empty_for_destroy(self, store: DeclaredStore, client: Any) -> None:
        pass  # Terraform deletes a queue with its messages


def _queued(sqs: Any, queue_url: str) -> int:
    """Every message in the queue: waiting, being handled (not visible) and delayed."""
    with aws_call(f"queue {queue_url}", _GONE):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=list(_QUEUE_COUNTS))["Attributes"]
        return sum(int(attributes.get(name, 0)) for name in _QUEUE_COUNTS)
    return 0


def _messages(sqs: Any, queue_url: str) -> Iterator[dict[str, Any]]:
    """Each message once, read without deleting it: it stays hidden for an hour, then reappears."""
    seen: set[str] = set()
    with aws_call(f"queue {queue_url}", _GONE):
        while True:
            received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           VisibilityTimeout=_EXPORT_VISIBILITY_SECONDS,
                                           AttributeNames=["All"], MessageAttributeNames=["All"])
            fresh = [message for message in received.get("Messages", []) if message["MessageId"] not in seen]
            if not fresh:
                return
            for message in fresh:
                seen.add(message["MessageId"])
                yield {"MessageId": message["MessageId"], "Body": message["Body"],
                       "Attributes": message.get("Attributes", {}),
                       "MessageAttributes": message.get("MessageAttributes", {})}
