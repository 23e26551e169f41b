"""``rootplane cert``: a self-signed certificate for localhost/127.0.0.1 and a private key only its owner reads."""

import ipaddress
import os
import ssl
import stat

from click.testing import CliRunner
from cryptography import x509

from rootplane.cli import main


def test_cert_writes_a_certificate_for_localhost_and_a_private_key(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    result = CliRunner().invoke(main, ["cert", "--cert", str(cert), "--key", str(key)])
    assert result.exit_code == 0, result.output
    certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    context = ssl.create_default_context(cafile=str(cert))  # usable as a trust anchor
    context.load_cert_chain(str(cert), str(key))  # and the key matches


def test_serve_needs_both_tls_files(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    result = CliRunner().invoke(main, ["serve", "--tls-cert", str(cert)])
    assert result.exit_code == 2 and "--tls-cert and --tls-key go together" in result.output
