import json

from handlers.api import handler


def http_event(method: str, path: str) -> dict:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}},
    }


def test_health_reports_ok_and_the_functions_region(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    response = handler(http_event("GET", "/health"), None)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok", "region": "eu-central-1"}
    assert response["headers"]["content-type"] == "application/json"


def test_route_comes_from_the_request_behind_a_default_route():
    event = http_event("GET", "/health")
    event["routeKey"] = "$default"
    assert handler(event, None)["statusCode"] == 200
    del event["routeKey"]
    assert handler(event, None)["statusCode"] == 200
    event["rawPath"] = "/nope"
    assert handler(event, None)["statusCode"] == 404


def test_unknown_route_is_404():
    response = handler(http_event("POST", "/health"), None)
    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {"message": "not found"}
