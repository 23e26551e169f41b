"""The AWS CLI's own documented behaviour against the server: output formats, ``--query``, client-side paging
(``--max-items``, ``--page-size``, ``--starting-token``, ``--no-paginate``), waiters, and credentials taken
from environment variables only (no ``aws configure``).
"""

from __future__ import annotations

import pytest

from docs_cli import BOOT_KEY, Cli
from orgs_helpers import create_member


@pytest.fixture(scope="module")
def root(server) -> Cli:
    iam = server.client("iam")
    for index in range(5):
        iam.create_user(UserName=f"pager-{index}", Path="/pager/")
    return Cli(server, BOOT_KEY)


def test_paging_iam_list_users(root):
    prefix = ("iam", "list-users", "--path-prefix", "/pager/")
    everything = [user["UserName"] for user in root.json(*prefix)["Users"]]
    assert everything == [f"pager-{index}" for index in range(5)]
    first = root.json(*prefix, "--max-items", "2")
    assert [u["UserName"] for u in first["Users"]] == everything[:2] and first["NextToken"]
    second = root.json(*prefix, "--max-items", "2", "--starting-token", first["NextToken"])
    assert [u["UserName"] for u in second["Users"]] == everything[2:4]
    last = root.json(*prefix, "--max-items", "2", "--starting-token", second["NextToken"])
    assert [u["UserName"] for u in last["Users"]] == everything[4:] and "NextToken" not in last
    assert [u["UserName"] for u in root.json(*prefix, "--page-size", "1")["Users"]] == everything
    raw = root.json(*prefix, "--no-paginate", "--cli-input-json", '{"MaxItems": 2}')
    assert raw["IsTruncated"] is True and raw["Marker"] and len(raw["Users"]) == 2
    assert root.text(*prefix, "--query", "length(Users)") == "5"


def test_paging_organizations_accounts(server, root):
    root.json("organizations", "create-organization", "--feature-set", "ALL")
    orgs = server.client("organizations")
    members = {create_member(orgs, f"paged-{index}") for index in range(3)}
    ids = root.text("organizations", "list-accounts", "--page-size", "1", "--query", "Accounts[].Id").split()
    assert set(ids) == members | {"000000000000"} and len(ids) == 4
    first = root.json("organizations", "list-accounts", "--max-items", "3")
    rest = root.json("organizations", "list-accounts", "--starting-token", first["NextToken"])
    assert [a["Id"] for a in first["Accounts"] + rest["Accounts"]] == ids


def test_output_formats(root):
    assert root.text("iam", "get-user", "--user-name", "pager-0", "--query", "User.[UserName,Path]") == \
        "pager-0\t/pager/"
    table = root.run("iam", "list-users", "--path-prefix", "/pager/", "--query", "Users[].UserName",
                     output="table").stdout
    assert "pager-4" in table and "ListUsers" in table
    yaml_like = root.run("sts", "get-caller-identity", output="text").stdout.split()
    assert yaml_like == ["000000000000", "arn:aws:iam::000000000000:root", "000000000000"]


def test_waiters(root):
    assert root.run("iam", "wait", "user-exists", "--user-name", "pager-3").returncode == 0
    root.json("iam", "create-role", "--role-name", "waited", "--assume-role-policy-document",
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
              '"Action":"sts:AssumeRole"}]}')
    assert root.run("iam", "wait", "role-exists", "--role-name", "waited").returncode == 0


def test_environment_credentials_only(server, root):
    key = root.json("iam", "create-access-key", "--user-name", "pager-0")["AccessKey"]
    assert Cli(server, key).json("sts", "get-caller-identity")["Arn"] == \
        "arn:aws:iam::000000000000:user/pager/pager-0"
    error = Cli(server, {**key, "SecretAccessKey": "wrong" * 8}).error("sts", "get-caller-identity")
    assert error.code == "SignatureDoesNotMatch"
    error = Cli(server, {"AccessKeyId": "AKIANOSUCHKEY0000000", "SecretAccessKey": "x" * 40}).error(
        "iam", "list-users")
    assert (error.code, error.message) == ("InvalidClientTokenId", "The security token included in the request "
                                                                   "is invalid.")
