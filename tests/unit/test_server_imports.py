"""The serving process imports botocore without pyOpenSSL and uvicorn without watchfiles (server.py, issue #19):
neither is used, both stay importable afterwards. In a fresh interpreter, where nothing imported them yet."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from rootplane.core.config import ServerConfig
from rootplane.gateway.warmup import WarmingApp
from rootplane.server import _graceful_server, _import_botocore_without_pyopenssl

_graceful_server(WarmingApp(lambda: None, {}), ServerConfig(port=0))
_import_botocore_without_pyopenssl()
imported = {name: name in sys.modules for name in ('uvicorn', 'watchfiles', 'botocore.httpsession', 'OpenSSL')}
import OpenSSL, watchfiles
print(json.dumps(imported))
"""


def test_uvicorn_and_botocore_load_without_watchfiles_and_pyopenssl_which_stay_importable():
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "uvicorn": True, "watchfiles": False, "botocore.httpsession": True, "OpenSSL": False}


_SERVICE_PROBE = """
import json, sys
import rootplane.services.s3.provider, rootplane.services.sqs.provider, rootplane.services.sns.provider
print(json.dumps(sorted(name for name in sys.modules if name.startswith('rootplane.services.kms'))))
"""


def test_s3_sqs_and_sns_load_kms_only_with_their_first_encrypted_resource():
    """Their SSE-KMS checks import KMS when a resource has a KMS key (issue #19: a server that never meets one pays
    neither KMS's modules nor their memory)."""
    result = subprocess.run([sys.executable, "-c", _SERVICE_PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
