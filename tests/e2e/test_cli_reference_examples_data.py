"""The AWS CLI command reference's Examples (docs.aws.amazon.com/cli/latest/reference/<service>/<command>.html) for
the data and detection services, replayed with the CLI: each test cites its page and checks the documented output."""

from __future__ import annotations

import pytest

from docs_cli import BOOT_KEY, Cli


@pytest.fixture(scope="module")
def cli(server) -> Cli:
    return Cli(server, BOOT_KEY)


def test_support_describe_services_general_info(cli):
    """support/describe-services.html, "To list AWS services and service categories"."""
    services = cli.json("support", "describe-services", "--service-code-list", "general-info")["services"]
    assert services == [{"code": "general-info", "name": "General Info and Getting Started", "categories": [
        {"code": "charges", "name": "How Will I Be Charged?"},
        {"code": "gdpr-queries", "name": "Data Privacy Query"},
        {"code": "reserved-instances", "name": "Reserved Instances"},
        {"code": "resource", "name": "Where is my Resource?"},
        {"code": "using-aws", "name": "Using AWS & Services"},
        {"code": "free-tier", "name": "Free Tier"},
        {"code": "security-and-compliance", "name": "Security & Compliance"},
        {"code": "account-structure", "name": "Account Structure"}]}]
