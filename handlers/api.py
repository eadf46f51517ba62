"""The region's API backend (API Gateway HTTP API, payload format 2.0).

For now it answers the health check; the profile routes arrive with the full architecture.
"""

from __future__ import annotations

import json
import os
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    route = event.get("routeKey")
    if not route or route == "$default":
        route = _route_from_request(event)
    if route == "GET /health":
        return _response(200, {"status": "ok", "region": os.environ.get("AWS_REGION", "unknown")})
    return _response(404, {"message": "not found"})


def _route_from_request(event: dict[str, Any]) -> str:
    http = event.get("requestContext", {}).get("http", {})
    return f"{http.get('method', '')} {event.get('rawPath', '')}"


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }
