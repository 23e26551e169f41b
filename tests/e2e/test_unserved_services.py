"""A client of a service rootplane does not serve gets AWS's unknown-operation error in its own protocol, naming the
service and the operation (issue #13 B.2): JSON, query and REST clients alike (EC2 is served: tests/e2e/test_ec2_regions.py), through boto3 itself."""

from __future__ import annotations

import pytest

from harness import error_of


@pytest.mark.parametrize(("service", "call", "code", "status", "operation"), [
    ("ecs", lambda c: c.list_clusters(), "UnknownOperationException", 400, "ListClusters"),
    ("dynamodb", lambda c: c.list_tables(), "UnknownOperationException", 400, "ListTables"),
    ("rds", lambda c: c.describe_db_instances(), "InvalidAction", 400, "DescribeDBInstances"),
    ("elasticache", lambda c: c.describe_cache_clusters(), "InvalidAction", 400, "DescribeCacheClusters"),
    ("lambda", lambda c: c.list_functions(), "UnknownOperationException", 404, "GET /2015-03-31/functions"),
    ("route53", lambda c: c.list_hosted_zones(), "NotImplemented", 501, "GET /2013-04-01/hostedzone"),
])
def test_unserved_service_answers_in_the_clients_protocol(server, service, call, code, status, operation):
    client = server.client(service)
    assert error_of(call, client) == (
        code, f"rootplane does not serve the '{service}' service (operation {operation}).", status)
