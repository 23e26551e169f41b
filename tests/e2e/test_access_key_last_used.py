"""GetAccessKeyLastUsed reflects real use of a key through the gateway."""

from __future__ import annotations


def test_last_used_is_recorded_on_first_use(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"lu-{unique}")
    key = iam.create_access_key(UserName=f"lu-{unique}")["AccessKey"]
    unused = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert unused["ServiceName"] == "N/A" and "LastUsedDate" not in unused
    server.client_for(key, "sts", region="eu-west-1").get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert used["UserName"] == f"lu-{unique}"
    assert used["AccessKeyLastUsed"]["ServiceName"] == "sts"
    assert used["AccessKeyLastUsed"]["Region"] == "eu-west-1"
    assert used["AccessKeyLastUsed"]["LastUsedDate"] is not None


def test_root_key_use_is_recorded(server):
    iam = server.client("iam")
    key = iam.create_access_key()["AccessKey"]
    try:
        server.client_for(key, "iam").list_users()
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        assert "UserName" not in used or used["UserName"] in ("root", "<root_account>")
        assert used["AccessKeyLastUsed"]["ServiceName"] == "iam"
        assert used["AccessKeyLastUsed"]["LastUsedDate"] is not None
    finally:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
