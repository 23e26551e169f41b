"""Revision 0028 (KMS key rotation): a key made before it keeps its material, the ciphertexts made before it still
decrypt, and it rotates afterwards (SQLite and PostgreSQL)."""

import datetime as _dt
import secrets
from types import SimpleNamespace

from alembic import command
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text

from rootplane.services.kms.crypto_ops import CryptoOperations
from rootplane.services.kms.key_ops import KeyOperations
from rootplane.services.kms.master import seal
from rootplane.store.migrate import alembic_config

ACCOUNT, KEY_ID = "000000000000", "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


def _old_blob(material: bytes, plaintext: bytes) -> bytes:
    """A ciphertext as the server made it before revision 0028: 0x01 | key id | nonce | AES-GCM (key ARN, {})."""
    nonce = secrets.token_bytes(12)
    return b"\x01" + KEY_ID.encode() + nonce + AESGCM(material).encrypt(nonce, plaintext, ARN.encode() + b"\n{}")


def test_keys_and_ciphertexts_of_before_rotation_still_work(empty_store, tmp_path):
    config = alembic_config(empty_store.engine)
    command.upgrade(config, "0027")
    server = SimpleNamespace(master_key=None, data_dir=str(tmp_path))
    material = secrets.token_bytes(32)
    with empty_store.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO kms_keys (key_id, account_id, region, arn, key_spec, key_usage, state, description, policy, "
            "sealed_material, rotation_enabled, tags_json, created_at, origin) VALUES (:key_id, :account, "
            "'us-east-1', :arn, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'Enabled', '', '{}', :sealed, :false, '{}', "
            ":now, 'AWS_KMS')"),
            {"key_id": KEY_ID, "account": ACCOUNT, "arn": ARN, "sealed": seal(server, material, ARN), "now": NOW,
             "false": False})
    command.upgrade(config, "head")

    old = _old_blob(material, b"made before")
    with empty_store.transaction() as session:
        ctx = SimpleNamespace(session=session, config=server, region="us-east-1", account_id=ACCOUNT, audit={},
                              authorizer=None, now=lambda: NOW)
        before = CryptoOperations().decrypt(ctx, {"CiphertextBlob": old})
        assert (before["Plaintext"], before["KeyId"]) == (b"made before", ARN)
        assert KeyOperations().rotate_key_on_demand(ctx, {"KeyId": KEY_ID}) == {"KeyId": ARN}
        new = CryptoOperations().encrypt(ctx, {"KeyId": KEY_ID, "Plaintext": b"made after"})["CiphertextBlob"]
        after = CryptoOperations().decrypt(ctx, {"CiphertextBlob": new})
        assert after["Plaintext"] == b"made after" and after["KeyMaterialId"] != before["KeyMaterialId"]
        assert CryptoOperations().decrypt(ctx, {"CiphertextBlob": old})["Plaintext"] == b"made before"
