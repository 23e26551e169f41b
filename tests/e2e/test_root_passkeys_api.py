"""The root user's passkeys and security keys (registered in the console) through IAM's API, as on AWS: listed by
ListMFADevices with their ``u2f/root`` serial, counted in GetAccountSummary, ``mfa_active`` in the credential
report, found by ``rootplane audit`` (an IAMAuditRootUserCredentials session) and removed by DeactivateMFADevice
(by the root user, or an IAMDeleteRootUserCredentials session).

A passkey is stored the way the console's registration stores it (``signin.repo.add_passkey``), straight into the
server's store: a browser's WebAuthn ceremony adds nothing these API paths look at (tests/console covers it).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import secrets
import time

import pytest
from root_access_org import ADMIN_POLICY, AUDIT, DELETE_CREDENTIALS, OrgWorld
from rootplane_cli import RootplaneCli

from harness import BOOT_ACCOUNT, error_of
from rootplane.schema import metadata
from rootplane.services.signin import repo as signin_repo
from rootplane.services.signin.tables import PasskeyRow
from rootplane.store.engine import Store, sqlite_url


def _add_passkey(server, account_id: str) -> str:
    """Store a root passkey of ``account_id`` as the console does; its serial number."""
    serial = f"arn:aws:iam::{account_id}:u2f/root/passkey-{secrets.token_hex(8)}"
    store = Store(sqlite_url(server.data_dir), metadata())
    try:
        with store.transaction() as session:
            signin_repo.add_passkey(session, PasskeyRow(
                credential_id=secrets.token_urlsafe(32), account_id=account_id, serial_number=serial,
                public_key=secrets.token_bytes(77), sign_count=0,
                created_at=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)))
    finally:
        store.dispose()
    return serial


def _root_mfa_active(iam) -> str:
    deadline = time.monotonic() + 30
    while iam.generate_credential_report()["State"] != "COMPLETE" and time.monotonic() < deadline:
        time.sleep(0.1)
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    return next(row for row in rows if row["user"] == "<root_account>")["mfa_active"]


def test_root_passkey_is_an_mfa_device_of_the_api(server):
    iam = server.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 0
    serial = _add_passkey(server, BOOT_ACCOUNT)

    [device] = iam.list_mfa_devices()["MFADevices"]
    assert device["SerialNumber"] == serial and "UserName" not in device
    assert abs(device["EnableDate"] - _dt.datetime.now(_dt.timezone.utc)) < _dt.timedelta(hours=1)
    got = iam.get_mfa_device(SerialNumber=serial)
    assert (got["SerialNumber"], got["EnableDate"]) == (serial, device["EnableDate"])
    assert "UserName" not in got and "Certifications" not in got
    iam.create_user(UserName="passkey-less")
    assert error_of(iam.get_mfa_device, SerialNumber=serial, UserName="passkey-less")[:3:2] == ("NoSuchEntity", 404)
    unknown = serial.rsplit("/", 1)[0] + "/passkey-unknown"
    assert error_of(iam.get_mfa_device, SerialNumber=unknown)[0] == "NoSuchEntity"
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 1
    assert summary["MFADevicesInUse"] == 1
    assert _root_mfa_active(iam) == "true"
    # Not a virtual device: ListVirtualMFADevices and DeleteVirtualMFADevice do not know it.
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert error_of(iam.delete_virtual_mfa_device, SerialNumber=serial)[0] == "NoSuchEntity"

    # Long-term root credentials cannot deactivate the root user's MFA (an AssumeRoot session must, see below).
    assert error_of(iam.deactivate_mfa_device, SerialNumber=serial)[:3:2] == ("ValidationError", 400)
    assert iam.list_mfa_devices()["MFADevices"] == [device]
    iam.delete_user(UserName="passkey-less")


@pytest.fixture(scope="module")
def org(server) -> tuple[OrgWorld, dict]:
    """An organization with centralized root access, and its management account's admin user's key."""
    world = OrgWorld(server)
    admin = world.user("passkey-admin", managed=ADMIN_POLICY)
    world.create_organization()
    world.trust_iam()
    server.client_for(admin, "iam").enable_organizations_root_credentials_management()
    return world, admin


def test_passkey_of_another_account_is_not_removed(server, org):
    world, admin = org
    serial = _add_passkey(server, world.create_account("passkey-other"))
    elsewhere = server.client_for(world.assume_root(admin, world.create_account("passkey-elsewhere"),
                                                    DELETE_CREDENTIALS), "iam")
    assert error_of(elsewhere.deactivate_mfa_device, SerialNumber=serial)[:3:2] == ("NoSuchEntity", 404)


def test_member_root_passkey_is_audited_and_removed_by_a_delete_session(server, org):
    world, admin = org
    member = world.create_account("passkey-member")
    serial = _add_passkey(server, member)

    status, report = RootplaneCli(server, admin).json("audit", "--output", "json", "--account", member)
    assert status == 1  # findings
    [entry] = report
    assert [device["SerialNumber"] for device in entry["MfaDevices"]] == [serial]
    assert entry["MfaDevices"][0]["EnableDate"]

    audit = server.client_for(world.assume_root(admin, member, AUDIT), "iam")
    assert error_of(audit.deactivate_mfa_device, SerialNumber=serial)[0] == "AccessDenied"
    delete = server.client_for(world.assume_root(admin, member, DELETE_CREDENTIALS), "iam")
    delete.deactivate_mfa_device(SerialNumber=serial)
    assert audit.list_mfa_devices()["MFADevices"] == []
