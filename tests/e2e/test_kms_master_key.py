"""The KMS master key: keys survive restarts (SQLite and PostgreSQL); servers given the same --master-key share keys;
material sealed under another master key is never opened."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile

from harness import error_of, start_server

MASTER_KEY = base64.b64encode(b"k" * 32).decode()
OTHER_KEY = base64.b64encode(b"o" * 32).decode()


def test_keys_survive_a_restart_and_need_the_same_master_key(store_server):
    store_server.args = ("--master-key", MASTER_KEY)
    store_server.restart()
    kms = store_server.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"durable")["CiphertextBlob"]
    assert not os.path.exists(os.path.join(store_server.data_dir, "kms-master.key"))

    # A second server on the same store with its own data directory: the same --master-key opens the keys.
    data_dir = tempfile.mkdtemp(prefix="rootplane-test-")
    try:
        if store_server.database_url:
            twin = start_server(data_dir=data_dir, database_url=store_server.database_url,
                                args=("--master-key", MASTER_KEY))
            try:
                assert twin.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"] == b"durable"
            finally:
                twin.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    store_server.restart()
    assert store_server.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"] == b"durable"
    store_server.args = ("--master-key", OTHER_KEY)
    store_server.restart()
    code, message, status = error_of(store_server.client("kms").decrypt, CiphertextBlob=blob)
    assert (code, status) == ("KMSInternalException", 500) and "durable" not in message
    assert "durable" not in store_server.log()


def test_a_malformed_master_key_is_refused_at_start():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "rootplane.cli", "serve", "--master-key", "too-short"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Invalid value for '--master-key': must be 32 bytes in base64" in result.stderr
