"""Passkeys (WebAuthn, the ``webauthn`` package) as a root user's second kind of MFA device in the console.

Registration and sign-in are two round trips: the server makes options with a fresh challenge (kept in the
person's console state until it is answered, once), the browser's authenticator answers (static/passkey.js), and the
server verifies the answer against the challenge, this console's origin and relying party id (the host name), and,
at sign-in, the stored public key and signature counter.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets

from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options, generate_registration_options, options_to_json, verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
    UserVerificationRequirement,
)

from rootplane.services.signin import repo
from rootplane.services.signin.tables import PasskeyRow

__all__ = ["RP_NAME", "is_passkey", "registration_options", "register", "authentication_options", "authenticate"]

RP_NAME = "rootplane"
_INVALID = (InvalidRegistrationResponse, InvalidAuthenticationResponse, ValueError, KeyError, TypeError)


def is_passkey(serial_number: str) -> bool:
    return ":u2f/" in serial_number


def _descriptors(session: Session, account_id: str) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))
            for row in repo.list_passkeys(session, account_id)]


def registration_options(session: Session, account_id: str, email: str, rp_id: str) -> tuple[str, str]:
    """(options as JSON for the browser, the challenge to keep) for a new passkey of the account's root user."""
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=account_id.encode(), user_name=email, user_display_name=email,
        exclude_credentials=_descriptors(session, account_id),
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED,
                                                               user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(session: Session, account_id: str, answer: str, challenge: str, origin: str, rp_id: str,
             now: _dt.datetime) -> str | None:
    """Store the passkey the browser created for ``challenge``; its serial number, or None if the answer fails."""
    if not answer or not challenge:
        return None
    try:
        verified = verify_registration_response(credential=answer, expected_challenge=base64url_to_bytes(challenge),
                                                expected_origin=origin, expected_rp_id=rp_id)
    except _INVALID:
        return None
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.get(PasskeyRow, credential_id) is not None:
        return None
    serial = f"arn:aws:iam::{account_id}:u2f/root/passkey-{secrets.token_hex(8)}"
    repo.add_passkey(session, PasskeyRow(credential_id=credential_id, account_id=account_id, serial_number=serial,
                                         public_key=verified.credential_public_key, sign_count=verified.sign_count,
                                         created_at=now))
    return serial


def authentication_options(session: Session, account_id: str, rp_id: str) -> tuple[str, str]:
    """(options as JSON for the browser, the challenge to keep) to sign in with one of the root user's passkeys."""
    options = generate_authentication_options(rp_id=rp_id, allow_credentials=_descriptors(session, account_id),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(session: Session, account_id: str, answer: str, challenge: str, origin: str, rp_id: str) -> bool:
    """Whether ``answer`` is a valid assertion of one of the account's passkeys for ``challenge`` (the counter is
    then advanced; a counter that goes backwards, a cloned authenticator, is refused)."""
    if not answer or not challenge:
        return False
    try:
        credential_id = bytes_to_base64url(base64url_to_bytes(_credential_id(answer)))
        row = repo.find_passkey(session, account_id, credential_id)
        if row is None:
            return False
        verified = verify_authentication_response(
            credential=answer, expected_challenge=base64url_to_bytes(challenge), expected_origin=origin,
            expected_rp_id=rp_id, credential_public_key=row.public_key, credential_current_sign_count=row.sign_count)
    except _INVALID:
        return False
    row.sign_count = verified.new_sign_count
    return True


def _credential_id(answer: str) -> str:
    return json.loads(answer)["id"]
