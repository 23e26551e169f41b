"""The bootstrap root access key is an ordinary root access key (issue #10, finding 2): listed, deactivated and
deleted with the AWS CLI as it is; ``test``/``test`` signs for it only while it is active; a restart never
brings it back; the first root-hardening control (no root access keys) can then be met."""

from __future__ import annotations

import pytest

from harness import BOOT_KEY_ID, Server, error_of, iam_user_key, start_server

INVALID_TOKEN = ("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: "
                 "The security token included in the request is invalid.")


@pytest.fixture(scope="module")
def own_server() -> Server:
    """A server of its own: this module revokes the bootstrap key."""
    running = start_server()
    yield running
    running.close()


def _caller(server: Server, **credentials: str):
    return server.cli("sts", "get-caller-identity", check=False, **credentials)


def test_bootstrap_key_is_an_ordinary_root_key(own_server):
    server = own_server
    admin = iam_user_key(server, "admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    admin_creds = {"access_key": admin["AccessKeyId"], "secret_key": admin["SecretAccessKey"]}

    [key] = server.cli_json("iam", "list-access-keys")["AccessKeyMetadata"]
    assert (key["AccessKeyId"], key["Status"], "UserName" in key) == (BOOT_KEY_ID, "Active", False)
    assert len(BOOT_KEY_ID) == 20 and BOOT_KEY_ID.startswith("AKIA")
    summary = server.cli_json("iam", "get-account-summary")["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1
    # the real id signs too (same secret); the alias is recorded under the real id
    assert server.client("sts", access_key=BOOT_KEY_ID).get_caller_identity()["Account"] == "000000000000"
    last_used = server.cli_json("iam", "get-access-key-last-used", "--access-key-id", BOOT_KEY_ID)
    assert last_used["AccessKeyLastUsed"]["ServiceName"] in ("sts", "iam")

    second = server.cli_json("iam", "create-access-key")["AccessKey"]
    root2 = {"access_key": second["AccessKeyId"], "secret_key": second["SecretAccessKey"]}

    # deactivate it with the AWS CLI, signing with test/test itself
    assert server.cli("iam", "update-access-key", "--access-key-id", BOOT_KEY_ID, "--status", "Inactive").stdout == ""
    result = _caller(server)
    assert result.returncode != 0 and INVALID_TOKEN in result.stderr
    assert INVALID_TOKEN in _caller(server, access_key=BOOT_KEY_ID).stderr
    statuses = {k["AccessKeyId"]: k["Status"] for k in
                server.cli_json("iam", "list-access-keys", **root2)["AccessKeyMetadata"]}
    assert statuses == {BOOT_KEY_ID: "Inactive", second["AccessKeyId"]: "Active"}

    # reactivated (by the other root key), test/test works again; then deleted with boto3, for good
    server.cli("iam", "update-access-key", "--access-key-id", BOOT_KEY_ID, "--status", "Active", **root2)
    assert _caller(server).returncode == 0
    server.client("iam").delete_access_key(AccessKeyId=BOOT_KEY_ID)
    assert INVALID_TOKEN in _caller(server).stderr
    code, message, status = error_of(server.client("iam").list_users)
    assert (code, status) == ("InvalidClientTokenId", 403)

    server.restart()
    assert INVALID_TOKEN in _caller(server).stderr
    keys = server.cli_json("iam", "list-access-keys", **root2)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [second["AccessKeyId"]]

    # the last root key deletes itself: no root access keys at all
    server.cli("iam", "delete-access-key", "--access-key-id", second["AccessKeyId"], **root2)
    summary = server.cli_json("iam", "get-account-summary", **admin_creds)["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 0
    server.restart()
    assert INVALID_TOKEN in _caller(server).stderr
    assert server.cli_json("iam", "get-account-summary", **admin_creds)["SummaryMap"]["AccountAccessKeysPresent"] == 0
