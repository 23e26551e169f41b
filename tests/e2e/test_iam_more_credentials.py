"""IAM operations beyond users/roles end to end: server certificates, SSH public keys, OIDC and SAML providers,
service-specific credentials, instance profile tags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from test_iam_entities import error_of

SAML_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"
  validUntil="2035-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
""" + "<!-- padding -->" * 60


@pytest.fixture(scope="module")
def pem(tmp_path_factory) -> dict[str, str]:
    """A self-signed certificate with its key (openssl) and an RSA SSH key pair (ssh-keygen)."""
    folder = tmp_path_factory.mktemp("keys")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=rootplane",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(folder / "id")], check=True)
    pem_public = subprocess.run(["ssh-keygen", "-e", "-m", "PKCS8", "-f", str(folder / "id.pub")], check=True,
                                capture_output=True, text=True).stdout
    fingerprint = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", str(folder / "id.pub")], check=True,
                                 capture_output=True, text=True).stdout.split()[1].removeprefix("MD5:")
    return {"cert": Path(folder / "cert.pem").read_text(), "key": Path(folder / "key.pem").read_text(),
            "ssh": Path(folder / "id.pub").read_text().strip(), "ssh_pem": pem_public, "fingerprint": fingerprint}


def test_server_certificate_lifecycle(server, unique, pem):
    iam = server.client("iam")
    name = f"web-{unique}"
    meta = iam.upload_server_certificate(ServerCertificateName=name, Path="/cloudfront/", CertificateBody=pem["cert"],
                                         PrivateKey=pem["key"], Tags=[{"Key": "env", "Value": "dev"}])
    assert meta["ServerCertificateMetadata"]["Arn"] == f"arn:aws:iam::000000000000:server-certificate/cloudfront/{name}"
    assert meta["ServerCertificateMetadata"]["ServerCertificateId"].startswith("ASCA")
    assert meta["ServerCertificateMetadata"]["Expiration"] > meta["ServerCertificateMetadata"]["UploadDate"]
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=pem["cert"], PrivateKey=pem["key"])
    assert error_of(excinfo)[:2] == ("EntityAlreadyExists", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName=f"{name}-x", CertificateBody="nope", PrivateKey=pem["key"])
    assert error_of(excinfo)[:2] == ("MalformedCertificate", 400)
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateBody"] == pem["cert"] and got["Tags"] == [{"Key": "env", "Value": "dev"}]
    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]
    assert [item["ServerCertificateName"] for item in listed] == [name]
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=f"{name}-2", NewPath="/")
    iam.tag_server_certificate(ServerCertificateName=f"{name}-2", Tags=[{"Key": "team", "Value": "a"}])
    iam.untag_server_certificate(ServerCertificateName=f"{name}-2", TagKeys=["env"])
    assert iam.list_server_certificate_tags(ServerCertificateName=f"{name}-2")["Tags"] == [{"Key": "team", "Value": "a"}]
    assert iam.get_account_summary()["SummaryMap"]["ServerCertificates"] >= 1
    iam.delete_server_certificate(ServerCertificateName=f"{name}-2")
    with pytest.raises(ClientError) as excinfo:
        iam.get_server_certificate(ServerCertificateName=f"{name}-2")
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"The Server Certificate with name {name}-2 cannot be found.")


def _openssl(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True, text=True).stdout


def test_server_certificate_private_key_must_match(server, unique, pem, tmp_path):
    """A private key that is not the certificate's is KeyPairMismatch, 400 (IAM API reference,
    UploadServerCertificate: "the public key certificate and the private key do not match"); the certificate's own
    key is accepted in PKCS#1 form too."""
    iam = server.client("iam")
    other_key = _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    (tmp_path / "ec.pem").write_text(_openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"))
    for index, key in enumerate((other_key, _openssl("rsa", "-traditional", stdin=other_key),
                                 (tmp_path / "ec.pem").read_text())):
        with pytest.raises(ClientError) as excinfo:
            iam.upload_server_certificate(ServerCertificateName=f"pair-{unique}-{index}", CertificateBody=pem["cert"],
                                          PrivateKey=key)
        assert error_of(excinfo) == ("KeyPairMismatch", 400,
                                     "The public key certificate and the private key do not match.")
    ec_cert = _openssl("req", "-x509", "-new", "-key", str(tmp_path / "ec.pem"), "-days", "30", "-subj", "/CN=ec")
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName=f"pair-{unique}-ec", CertificateBody=ec_cert,
                                      PrivateKey=pem["key"])
    assert error_of(excinfo)[:2] == ("KeyPairMismatch", 400)
    assert iam.list_server_certificates(PathPrefix=f"/{unique}/")["ServerCertificateMetadataList"] == []
    name = f"pkcs1-{unique}"
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=pem["cert"], Path=f"/{unique}/",
                                  PrivateKey=_openssl("rsa", "-traditional", stdin=pem["key"]))
    iam.delete_server_certificate(ServerCertificateName=name)


def test_server_certificate_chain_must_lead_from_the_certificate_upwards(server, unique, tmp_path):
    """The chain must start with the certificate's issuer, then each certificate's issuer in order: otherwise
    MalformedCertificate "Unable to validate certificate chain. The certificate chain must start with the immediate
    signing certificate, followed by any intermediaries in order. The index within the chain of the invalid
    certificate is: <n>" (-1: the certificate body's issuer is not the chain's first; AWS's answer recorded in
    mprahl/ansible-role-lets-encrypt-route-53#52)."""
    iam = server.client("iam")

    def issue(name: str, issuer: str | None) -> str:
        key, csr, cert = (str(tmp_path / f"{name}.{suffix}") for suffix in ("key", "csr", "pem"))
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={name}")
        extensions = str(tmp_path / "ca.ext")
        (tmp_path / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\n")
        if issuer is None:
            _openssl("x509", "-req", "-in", csr, "-signkey", key, "-days", "30", "-out", cert, "-extfile", extensions)
        else:
            _openssl("x509", "-req", "-in", csr, "-CA", str(tmp_path / f"{issuer}.pem"), "-CAkey",
                     str(tmp_path / f"{issuer}.key"), "-CAcreateserial", "-days", "30", "-out", cert,
                     "-extfile", extensions)
        return (tmp_path / f"{name}.pem").read_text()

    root, intermediate, other = issue("root", None), issue("intermediate", "root"), issue("other", None)
    leaf = issue("leaf", "intermediate")
    key = (tmp_path / "leaf.key").read_text()
    prefix = ("Unable to validate certificate chain. The certificate chain must start with the immediate signing "
              "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
              "certificate is: ")
    for index, chain in ((-1, root + intermediate), (-1, other), (0, intermediate + other)):
        with pytest.raises(ClientError) as excinfo:
            iam.upload_server_certificate(ServerCertificateName=f"chain-{unique}", CertificateBody=leaf,
                                          PrivateKey=key, CertificateChain=chain)
        assert error_of(excinfo) == ("MalformedCertificate", 400, f"{prefix}{index}")
    for number, chain in enumerate((intermediate, intermediate + root)):
        name = f"chain-{unique}-{number}"
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=leaf, PrivateKey=key,
                                      CertificateChain=chain)
        assert iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["CertificateChain"] == chain
        iam.delete_server_certificate(ServerCertificateName=name)


def test_ssh_public_keys(server, unique, pem):
    iam = server.client("iam")
    user = f"git-{unique}"
    iam.create_user(UserName=user)
    key = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pem["ssh"])["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 20
    assert key["Fingerprint"] == pem["fingerprint"] and key["Status"] == "Active"
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pem["ssh_pem"])
    assert error_of(excinfo)[:2] == ("DuplicateSSHPublicKey", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody="ssh-ed25519 AAAA")
    assert error_of(excinfo)[:2] == ("UnrecognizedPublicKeyEncoding", 400)
    as_ssh = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="SSH")
    assert as_ssh["SSHPublicKey"]["SSHPublicKeyBody"].split()[:2] == pem["ssh"].split()[:2]
    as_pem = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="PEM")
    assert as_pem["SSHPublicKey"]["SSHPublicKeyBody"].strip() == pem["ssh_pem"].strip()
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"], Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
    assert [(item["SSHPublicKeyId"], item["Status"]) for item in listed] == [(key["SSHPublicKeyId"], "Inactive")]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"])
    iam.delete_user(UserName=user)


def test_open_id_connect_providers(server, unique):
    iam = server.client("iam")
    url = f"https://oidc-{unique}.example.com"
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::000000000000:oidc-provider/oidc-{unique}.example.com"
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=["a" * 40])
    assert error_of(excinfo)[:2] == ("EntityAlreadyExists", 409)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (url[8:], ["app"], ["b" * 40])
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert arn in [item["Arn"] for item in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["k"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == []
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_saml_providers(server, unique):
    iam = server.client("iam")
    name = f"idp-{unique}"
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=SAML_METADATA,
                                   Tags=[{"Key": "k", "Value": "v"}])["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::000000000000:saml-provider/{name}"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == SAML_METADATA and got["ValidUntil"].year == 2035
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert arn in [item["Arn"] for item in iam.list_saml_providers()["SAMLProviderList"]]
    with pytest.raises(ClientError) as excinfo:
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument="x" * 1000)
    assert error_of(excinfo)[:2] == ("InvalidInput", 400)
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=SAML_METADATA)["SAMLProviderArn"] == arn
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k"])
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "a", "Value": "b"}]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_saml_provider(SAMLProviderArn=arn)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_service_specific_credentials(server, unique):
    iam = server.client("iam")
    user = f"cc-{unique}"
    iam.create_user(UserName=user)
    created = iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    credential = created["ServiceSpecificCredential"]
    assert credential["ServiceUserName"] == f"{user}-at-000000000000" and credential["ServicePassword"]
    credential_id = credential["ServiceSpecificCredentialId"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(UserName=user, ServiceName="s3.amazonaws.com")
    assert error_of(excinfo)[:2] == ("NotSupportedService", 404)
    reset = iam.reset_service_specific_credential(UserName=user, ServiceSpecificCredentialId=credential_id)
    assert reset["ServiceSpecificCredential"]["ServicePassword"] != credential["ServicePassword"]
    iam.update_service_specific_credential(UserName=user, ServiceSpecificCredentialId=credential_id, Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert [(item["ServiceSpecificCredentialId"], item["Status"]) for item in listed] == [(credential_id, "Inactive")]
    assert "ServicePassword" not in listed[0]
    iam.delete_service_specific_credential(UserName=user, ServiceSpecificCredentialId=credential_id)
    iam.delete_user(UserName=user)


def test_instance_profile_tags(server, unique):
    iam = server.client("iam")
    name = f"profile-{unique}"
    iam.create_instance_profile(InstanceProfileName=name)
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["a"])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "b", "Value": "2"}]
    iam.delete_instance_profile(InstanceProfileName=name)


def test_list_instance_profiles_leaves_out_tags(server, unique):
    """ListInstanceProfiles "does not return tags, even though they are an attribute of the returned object"
    (IAM API reference, ListInstanceProfiles); GetInstanceProfile does."""
    iam = server.client("iam")
    name = f"listed-{unique}"
    iam.create_instance_profile(InstanceProfileName=name, Path=f"/{unique}/", Tags=[{"Key": "team", "Value": "a"}])
    listed = iam.list_instance_profiles(PathPrefix=f"/{unique}/")["InstanceProfiles"]
    assert [sorted(profile) for profile in listed] == [
        ["Arn", "CreateDate", "InstanceProfileId", "InstanceProfileName", "Path", "Roles"]]
    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert got["Tags"] == [{"Key": "team", "Value": "a"}]
    iam.delete_instance_profile(InstanceProfileName=name)
