"""What `residency output` prints of a workspace's outputs: never a sensitive value."""

from residency.flows.workspace_access import SENSITIVE, shown_outputs


def test_sensitive_values_are_never_shown():
    document = {
        "api_endpoint": {"value": "https://x.example", "type": "string", "sensitive": False},
        "signing_secret": {"value": "s3cr3t", "type": "string", "sensitive": True},
        "regions_served": {"value": {"eu-west-1": ["IE"]}, "type": ["map", ["list", "string"]]},
        "garbage": "not an output",
    }
    shown = shown_outputs(document)
    assert shown == {"api_endpoint": "https://x.example", "signing_secret": SENSITIVE,
                     "regions_served": {"eu-west-1": ["IE"]}}
    assert "s3cr3t" not in repr(shown)
