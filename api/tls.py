"""HTTPS on a LAN with no public name: a local certificate authority and a server certificate.

Tablets need a secure context for the service worker (offline use) and for geolocation, and
a bureau's LAN server has no public DNS name a public CA would certify. ``watershed serve
--tls`` therefore either takes a certificate and key the bureau already has, or creates once,
under ``<var_dir>/tls/``:

- ``ca.crt`` / ``ca.key``: a local CA (ECDSA P-256, ten years), which each tablet is told to
  trust once (``/ca`` explains how and serves ``ca.crt``);
- ``server.crt`` / ``server.key``: a server certificate signed by it for the machine's names
  and addresses (localhost, host name, FQDN, loopback and LAN addresses, any extra names).

On restart both are reused; the server certificate alone is issued again when it is not
signed by the CA, expires within 30 days, or no longer covers the machine's names (a new
DHCP address), so tablets keep trusting the same CA. Validity is 825 days, Apple's limit for
TLS server certificates (iPadOS refuses longer ones even from a user-trusted CA), with the
serverAuth extended key usage Apple also requires.
"""

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
ORGANISATION = "流域底线管控平台"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    certfile: Path  # the server certificate followed by the CA's (the chain a client gets)
    keyfile: Path
    ca_certfile: Path | None  # None: a certificate the bureau supplied


def tls_dir(var_dir: Path) -> Path:
    return var_dir / "tls"


def ca_certificate_path(var_dir: Path) -> Path:
    return tls_dir(var_dir) / "ca.crt"


def machine_names(extra: list[str] | tuple[str, ...] = ()) -> tuple[list[str], list[IPAddress]]:
    """DNS names and IP addresses this machine answers to on the LAN.

    The host name, its FQDN, their addresses, the address of the interface that carries the
    default route (found with an unconnected UDP socket: no packet is sent), loopback, and
    ``extra`` (names or addresses given by the operator, e.g. a NAT address or a DNS alias).
    """
    names = {"localhost"}
    addresses: set[IPAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    host = socket.gethostname()
    for name in (host, socket.getfqdn()):
        if name and not _is_ip(name):
            names.add(name.lower())
    for name in set(names) - {"localhost"}:
        try:
            for *_, sockaddr in socket.getaddrinfo(name, None):
                addresses.add(ipaddress.ip_address(sockaddr[0].split("%")[0]))
        except OSError:
            pass
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))  # documentation addresses: routing only, nothing sent
                addresses.add(ipaddress.ip_address(sock.getsockname()[0].split("%")[0]))
        except OSError:
            pass
    for item in extra:
        if _is_ip(item):
            addresses.add(ipaddress.ip_address(item))
        elif item:
            names.add(item.lower())
    return sorted(names), sorted(addresses, key=lambda a: (a.version, int(a)))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ensure_local_certificates(
    var_dir: Path, names: list[str], addresses: list[IPAddress], now: dt.datetime | None = None
) -> TlsFiles:
    """The local CA and a server certificate covering ``names`` and ``addresses`` (reused when
    present and still right, created otherwise)."""
    now = now or dt.datetime.now(dt.UTC)
    directory = tls_dir(var_dir)
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert_path, ca_key_path = directory / "ca.crt", directory / "ca.key"
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    ca_cert, ca_key = _load_pair(ca_cert_path, ca_key_path)
    if ca_cert is None or ca_cert.not_valid_after_utc - RENEW_BEFORE < now:
        ca_cert, ca_key = _new_ca(now)
        _write_key(ca_key_path, ca_key)
        ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    server_cert, _ = _load_pair(cert_path, key_path)
    if server_cert is None or not _server_still_right(server_cert, ca_cert, names, addresses, now):
        key = ec.generate_private_key(ec.SECP256R1())
        server_cert = _new_server(key, ca_cert, ca_key, names, addresses, now)
        _write_key(key_path, key)
        chain = [server_cert, ca_cert]
        cert_path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    return TlsFiles(cert_path, key_path, ca_cert_path)


def subject_alternative_names(cert: x509.Certificate) -> tuple[set[str], set[IPAddress]]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), set(san.get_values_for_type(x509.IPAddress))


def _load_pair(cert_path: Path, key_path: Path):
    if not (cert_path.exists() and key_path.exists()):
        return None, None
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())  # the first of a chain
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except ValueError:
        return None, None  # damaged: made again
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return None, None
    return cert, key


def _server_still_right(cert, ca_cert, names, addresses, now) -> bool:
    if cert.issuer != ca_cert.subject or cert.not_valid_after_utc - RENEW_BEFORE < now:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, x509.InvalidSignature):
        return False
    dns, ips = subject_alternative_names(cert)
    return set(names) <= dns and set(addresses) <= ips


def _write_key(path: Path, key) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(0o600)


def _new_ca(now: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{ORGANISATION} 本地 CA（{host}）"[:64]),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _new_server(key, ca_cert, ca_key, names, addresses, now: dt.datetime) -> x509.Certificate:
    common = names[0] if names else "localhost"
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(a) for a in addresses]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                    x509.NameAttribute(NameOID.COMMON_NAME, common[:64]),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
