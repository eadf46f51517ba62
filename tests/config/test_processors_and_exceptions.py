"""`processors:` and the exactness of `exceptions:` as the loader enforces them (exit 65, with the line)."""

from __future__ import annotations

from residency.config import load_config
from tests.config.conftest import LoadError, WriteConfig
from tests.config.test_validation import rendered

BASE = """project: acme
regions:
  eu-central-1: {jurisdiction: EU, countries: [EU]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
"""
EXCEPTION = """exceptions:
  - rule: RES011
    resource: aws_lambda_function.api
    destination: hooks.partner.example
    reason: "DPO approved the partner webhook, ticket PRIV-7"
    expires: "2999-01-01"
"""


def test_a_processor_is_read_and_serves_its_hosts(write_config: WriteConfig) -> None:
    config = load_config(write_config(BASE + """processors:
  - name: mailer-eu
    hosts: [smtp.mailer.example.eu, "*.api.mailer.example.eu"]
    jurisdiction: EU
    purpose: transactional email
    regions: [eu-central-1]
"""))
    processor = config.processors[0]
    assert processor.serves("SMTP.mailer.example.eu.") and processor.serves("x.api.mailer.example.eu")
    assert not processor.serves("api.mailer.example.eu") and not processor.serves("evilsmtp.mailer.example.eu")


def test_a_processor_for_a_region_of_another_jurisdiction_is_refused(load_error: LoadError) -> None:
    text = BASE + ("processors:\n  - name: mailer-eu\n    hosts: [smtp.mailer.example.eu]\n    jurisdiction: EU\n"
                   "    purpose: transactional email\n    regions: [us-east-1]\n")
    assert rendered(load_error, text).startswith(
        "regions.yaml:10: processors[0].regions[0]: us-east-1 is in US, but mailer-eu processes in EU")


def test_a_processor_host_must_be_a_host_name(load_error: LoadError) -> None:
    text = BASE + ("processors:\n  - name: any\n    hosts: ['*']\n    jurisdiction: EU\n    purpose: everything\n")
    assert "processors[0].hosts[0]" in rendered(load_error, text)


def test_an_exception_without_a_workspace_is_refused(load_error: LoadError) -> None:
    assert "exceptions[0]: an exception names the workspace it was reviewed for" in rendered(
        load_error, BASE + EXCEPTION)


def test_an_exception_with_workspace_and_workspaces_is_refused(load_error: LoadError) -> None:
    text = BASE + EXCEPTION.replace("    destination:", "    workspace: eu-central-1\n    workspaces: [us-east-1]\n"
                                                        "    destination:")
    assert "an exception has `workspace` or `workspaces`, not both" in rendered(load_error, text)


def test_an_exception_without_a_destination_is_refused(load_error: LoadError) -> None:
    text = BASE + EXCEPTION.replace("    destination: hooks.partner.example\n", "    workspace: eu-central-1\n")
    assert rendered(load_error, text).startswith(
        "regions.yaml:6: exceptions[0].destination: required key 'destination' is missing")


def test_an_exception_names_each_workspace(write_config: WriteConfig, load_error: LoadError) -> None:
    config = load_config(write_config(BASE + EXCEPTION.replace(
        "    destination:", "    workspaces: [eu-central-1, us-east-1]\n    destination:")))
    exception = config.exceptions[0]
    assert exception.matches("RES011", "us-east-1", "aws_lambda_function.api", ("Hooks.Partner.Example",))
    assert not exception.matches("RES011", "us-east-1", "aws_lambda_function.api", ("other.partner.example",))
    assert not exception.matches("RES011", "global", "aws_lambda_function.api", ("hooks.partner.example",))
    text = BASE + EXCEPTION.replace("    destination:", "    workspaces: [eu-central-1, eu-west-9]\n    destination:")
    assert "exceptions[0].workspaces[1]: 'eu-west-9' is not a workspace" in rendered(load_error, text)
