"""What every handler shares: settings, cached boto3 clients, one JSON log line per invocation."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import boto3
from botocore.config import Config

# Cognito gives a trigger 5 s in total, so a slow AWS call must fail fast rather than retry at length.
# total_max_attempts counts the first try (botocore's max_attempts would allow one more).
CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 2, "mode": "standard"})

# Module level so that warm invocations reuse connections, and what a cold start did once.
_clients: dict[tuple[str, str], Any] = {}
_done: set[str] = set()

logger = logging.getLogger("handlers")
logger.setLevel(logging.INFO)


def setting(name: str) -> str:
    """An environment variable the infrastructure sets, read at call time."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set")
    return value


def client(service: str, region: str) -> Any:
    key = (service, region)
    if key not in _clients:
        _clients[key] = boto3.client(service, region_name=region, config=CLIENT_CONFIG)
    return _clients[key]


def done(what: str) -> bool:
    """Whether this process (a warm container) has already done `what` (see `note_done`)."""
    return what in _done


def note_done(what: str) -> None:
    _done.add(what)


def clear_clients() -> None:
    """A cold start: no cached client, nothing done yet."""
    _clients.clear()
    _done.clear()


def log_invocation(handler: str, started: float, outcome: str, **fields: str | int) -> None:
    """Callers pass only non-personal fields: never an email, user key, claim or body."""
    record = {"handler": handler, **fields, "outcome": outcome,
              "duration_ms": round((time.monotonic() - started) * 1000, 1)}
    logger.info(json.dumps(record, sort_keys=True))
