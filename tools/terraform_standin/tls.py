"""The stand-in's server certificate for go-plugin's automatic mutual TLS.

Terraform (the go-plugin client) sets PLUGIN_CLIENT_CERT and then trusts exactly the certificate
the plugin sends in its handshake line, for the name "localhost". go-plugin's own servers make a
fresh one per process; the stand-in makes one per mirror instead (``mirror.build``), because
importing ``cryptography`` costs about 0.1 s and Terraform starts a provider process up to nine
times per stack. The key never leaves the mirror directory and the server only listens on
127.0.0.1. Terraform's client certificate is not demanded.
"""

from __future__ import annotations

import datetime
from pathlib import Path

KEY_FILE = "server-key.pem"
CERT_FILE = "server-cert.pem"


def write_server_certificate(directory: Path, valid_for: datetime.timedelta = datetime.timedelta(days=2)) -> None:
    """A self-signed ECDSA P-256 certificate for "localhost" in ``directory``, usable for TLS
    server auth (and marked as a CA, since the client adds it as its only root)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=True,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + valid_for)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def read_server_certificate(directory: Path) -> tuple[bytes, bytes, str]:
    """(key PEM, certificate PEM, certificate for the handshake line).

    The handshake carries the DER certificate in base64 without padding (go-plugin decodes it
    with base64.RawStdEncoding); a PEM body is that DER in padded base64, so no parsing is needed.
    """
    cert_pem = (directory / CERT_FILE).read_bytes()
    body = b"".join(line for line in cert_pem.splitlines() if line and not line.startswith(b"-----"))
    return (directory / KEY_FILE).read_bytes(), cert_pem, body.decode().rstrip("=")
