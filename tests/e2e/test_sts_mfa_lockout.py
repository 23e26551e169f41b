"""MFA brute force (issue #10, finding 12): wrong codes sent to STS lock the device with back-off, the lock is
stored (it holds across requests, AssumeRole and GetSessionToken, and a server restart), and a code is accepted
once. Rules: services/iam/mfa_check.py; AWS's messages: aws-captures/mfa.json."""

from __future__ import annotations

import json

import pyotp
import pytest

from harness import drop_postgres_database, required_postgres_database
from harness import error_of, start_server
from server_clock import STEP_SECONDS, ServerClock

ACCOUNT = "000000000000"
WRONG = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ", 403)
REFUSED = ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
           "serial number is valid and associated with this user.", 403)
LOCK_SECONDS = 30


class MfaUser:
    """An IAM user with an access key and an enabled virtual MFA device, on the server's clock."""

    def __init__(self, server, name: str) -> None:
        iam = server.client("iam")
        iam.create_user(UserName=name)
        self.key = iam.create_access_key(UserName=name)["AccessKey"]
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        self.serial, self.totp = device["SerialNumber"], pyotp.TOTP(device["Base32StringSeed"].decode())
        self.clock = ServerClock(server)
        step = self.clock.step()
        iam.enable_mfa_device(UserName=name, SerialNumber=self.serial, AuthenticationCode1=self.code(step - 1),
                              AuthenticationCode2=self.code(step))
        self.clock.advance(STEP_SECONDS)  # the enabling code is spent
        self.sts = server.client_for(self.key, "sts")

    def code(self, step: int | None = None) -> str:
        return self.totp.generate_otp(self.clock.step() if step is None else step)

    def wrong_code(self) -> str:
        """A code of none of the steps the server accepts now."""
        step = self.clock.step()
        return next(code for code in (f"{n:06d}" for n in range(10)) if all(
            code != self.code(step + offset) for offset in range(-3, 4)))

    def session_token(self, code: str):
        return self.sts.get_session_token(SerialNumber=self.serial, TokenCode=code)

    def refused(self, code: str) -> tuple[str, str, int]:
        return error_of(self.session_token, code)


def test_an_accepted_code_cannot_be_used_again(server):
    user = MfaUser(server, "mfa-single-use")
    code = user.code()
    assert user.session_token(code)["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert user.refused(code) == WRONG
    user.clock.advance(STEP_SECONDS)  # still within the ±2 steps window: spent all the same
    assert user.refused(code) == WRONG


def test_wrong_codes_lock_the_device_even_for_the_right_code(server):
    user = MfaUser(server, "mfa-brute-force")
    for _ in range(3):
        assert user.refused(user.wrong_code()) == WRONG
    for _ in range(20):  # locked: nothing is judged, the right code included
        assert user.refused(user.wrong_code()) == REFUSED
    right = user.code()
    assert user.refused(right) == REFUSED
    user.clock.advance(LOCK_SECONDS)
    assert user.refused(user.wrong_code()) == WRONG  # the lock is over; this failure locks again, for twice as long
    user.clock.advance(LOCK_SECONDS)
    assert user.refused(user.code()) == REFUSED
    user.clock.advance(LOCK_SECONDS)
    assert user.session_token(user.code())["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert user.refused(user.wrong_code()) == WRONG  # a success starts the count again
    assert user.refused(user.wrong_code()) == WRONG
    assert user.session_token(user.code(user.clock.step() + 1))["Credentials"]["SessionToken"]


def test_assume_role_and_get_session_token_share_the_lock(server):
    user = MfaUser(server, "mfa-assume")
    iam = server.client("iam")
    trust = {"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}
    role_arn = iam.create_role(RoleName="MfaLockout", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_user_policy(UserName="mfa-assume", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))

    def assume(code: str):
        return user.sts.assume_role(RoleArn=role_arn, RoleSessionName="locked", SerialNumber=user.serial, TokenCode=code)

    code = user.code()
    assert assume(code)["AssumedRoleUser"]["Arn"].endswith(":assumed-role/MfaLockout/locked")
    assert error_of(assume, code) == WRONG  # spent by AssumeRole, for AssumeRole ...
    assert user.refused(code) == WRONG      # ... and for GetSessionToken
    assert error_of(assume, user.wrong_code()) == WRONG  # the third wrong code in a row locks
    assert error_of(assume, user.code()) == REFUSED
    assert user.refused(user.code()) == REFUSED


def test_codes_of_another_users_device_are_refused_uncounted(server):
    owner = MfaUser(server, "mfa-owner")
    other = MfaUser(server, "mfa-other")
    for _ in range(5):
        assert error_of(other.sts.get_session_token, SerialNumber=owner.serial, TokenCode=owner.code()) == REFUSED
    assert owner.session_token(owner.code())["Credentials"]["AccessKeyId"].startswith("ASIA")
    missing = f"arn:aws:iam::{ACCOUNT}:mfa/no-such-device"
    assert error_of(owner.sts.get_session_token, SerialNumber=missing, TokenCode="123456") == REFUSED


@pytest.fixture(params=["sqlite", "postgresql"])
def travelling_store_server(request):
    """A --time-travel server on SQLite and on PostgreSQL (restartable on the same store)."""
    url = None
    if request.param == "postgresql":
        url = required_postgres_database()
    running = start_server(database_url=url, args=("--time-travel",))
    yield running
    running.close()
    if url is not None:
        drop_postgres_database(url)


def test_the_lock_is_stored_and_survives_a_restart(travelling_store_server):
    server = travelling_store_server
    user = MfaUser(server, "mfa-restart")
    for _ in range(3):
        assert user.refused(user.wrong_code()) == WRONG
    user.clock.advance(LOCK_SECONDS)
    assert user.refused(user.wrong_code()) == WRONG  # locked for 60 s from here
    locked_for = LOCK_SECONDS + 2 * LOCK_SECONDS
    server.restart()  # the server clock starts again from the wall clock, before the end of the lock
    user.clock = ServerClock(server)
    user.sts = server.client_for(user.key, "sts")
    assert user.refused(user.code()) == REFUSED
    user.clock.advance(locked_for + STEP_SECONDS)
    assert user.session_token(user.code())["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_a_code_of_non_ascii_digits_is_a_wrong_code(server):
    user = MfaUser(server, "mfa-unicode")
    assert user.refused("\u0661\u0662\u0663\u0664\u0665\u0666") == WRONG
