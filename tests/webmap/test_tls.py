"""HTTPS on the LAN (issue 18, point 1): the local CA and server certificate, their reuse,
the ``/ca`` page, and Chromium trusting the app through the CA alone."""

import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from playwright.sync_api import Error as PlaywrightError

from api.tls import (
    SERVER_DAYS,
    ensure_local_certificates,
    machine_names,
    subject_alternative_names,
)
from layers.db import libpq_url
from tests.conftest import free_port
from webmap.trust import fingerprint, trust_page

WATERSHED = str(Path(sys.executable).with_name("watershed"))
LAN = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("192.168.10.23")]
NAMES = ["localhost", "gis-server", "gis-server.zengdu.lan"]


def _certs(path):
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_server_certificate_covers_the_names_and_is_signed_by_the_ca(tmp_path):
    files = ensure_local_certificates(tmp_path, NAMES, LAN)
    server, ca_in_chain = _certs(files.certfile)
    (ca,) = _certs(files.ca_certfile)
    assert ca_in_chain == ca  # the chain a client gets: server, then CA
    assert subject_alternative_names(server) == (set(NAMES), set(LAN))
    server.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    lifetime = server.not_valid_after_utc - server.not_valid_before_utc
    assert lifetime <= dt.timedelta(days=825, hours=1) and SERVER_DAYS == 825  # Apple's limit
    for key in (files.keyfile, tmp_path / "tls" / "ca.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_certificates_are_reused_and_only_the_server_one_renewed(tmp_path):
    first = ensure_local_certificates(tmp_path, NAMES, LAN)
    ca_bytes, server_bytes = first.ca_certfile.read_bytes(), first.certfile.read_bytes()
    again = ensure_local_certificates(tmp_path, NAMES, LAN)  # a restart
    assert again.certfile.read_bytes() == server_bytes
    assert again.ca_certfile.read_bytes() == ca_bytes
    # a subset of the names (one interface down) needs no new certificate either
    ensure_local_certificates(tmp_path, NAMES[:1], LAN[:1])
    assert first.certfile.read_bytes() == server_bytes
    # a new DHCP address: a new server certificate from the same CA (tablets keep trusting)
    moved = [*LAN, ipaddress.ip_address("10.0.0.7")]
    ensure_local_certificates(tmp_path, NAMES, moved)
    server = _certs(first.certfile)[0]
    assert first.ca_certfile.read_bytes() == ca_bytes
    assert subject_alternative_names(server)[1] == set(moved)
    # 30 days before expiry: renewed, CA still the same
    late = dt.datetime.now(dt.UTC) + dt.timedelta(days=SERVER_DAYS - 29)
    ensure_local_certificates(tmp_path, NAMES, moved, now=late)
    renewed = _certs(first.certfile)[0]
    assert renewed.serial_number != server.serial_number
    assert renewed.not_valid_after_utc > late + dt.timedelta(days=800)
    assert first.ca_certfile.read_bytes() == ca_bytes
    # a damaged certificate file is made again rather than served
    first.certfile.write_text("garbage")
    ensure_local_certificates(tmp_path, NAMES, moved)
    _certs(first.certfile)[0].verify_directly_issued_by(_certs(first.ca_certfile)[0])


def test_machine_names_include_host_loopback_and_extra_names():
    names, addresses = machine_names(["gis.zengdu.lan", "10.1.2.3"])
    assert {"localhost", socket.gethostname().lower(), "gis.zengdu.lan"} <= set(names)
    assert {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
        ipaddress.ip_address("10.1.2.3"),
    } <= set(addresses)


def test_python_client_verifies_the_server_with_the_ca_only(tls_server, local_tls):
    context = ssl.create_default_context(cafile=str(local_tls.ca_certfile))
    with httpx.Client(base_url=tls_server.base_url, verify=context, timeout=20) as client:
        page = client.get("/ca")
        assert page.status_code == 200
        download = client.get("/ca.crt")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/x-x509-ca-cert"
    assert download.content == local_tls.ca_certfile.read_bytes()
    der = x509.load_pem_x509_certificate(download.content).public_bytes(Encoding.DER)
    digest = hashlib.sha256(der).hexdigest()
    shown = ":".join(digest[i : i + 2] for i in range(0, 64, 2)).upper()
    assert shown in page.text  # the fingerprint to compare on the tablet
    assert "Android" in page.text and "iPad" in page.text and 'href="/ca.crt"' in page.text
    with pytest.raises(httpx.ConnectError):  # without the CA: not trusted
        httpx.get(tls_server.base_url + "/ca", timeout=20)


def test_ca_page_without_a_local_ca(tmp_path):
    html = trust_page(None)
    assert "未使用本地 CA" in html and "/ca.crt" not in html


def test_chromium_trusts_the_app_through_the_installed_ca(tls_browser, browser, tls_server):
    context = tls_browser.new_context(locale="zh-CN")  # no ignore_https_errors
    page = context.new_page()
    response = page.goto(tls_server.base_url + "/ca")
    assert response.status == 200
    assert page.evaluate("window.isSecureContext") is True
    fingerprint = page.inner_text("#ws-ca-fingerprint")
    assert fingerprint.count(":") == 31
    context.close()
    # the same server in a browser that has not installed the CA: refused
    plain = browser.new_context()
    with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
        plain.new_page().goto(tls_server.base_url + "/ca")
    plain.close()


def test_fingerprint_matches_the_certificate(local_tls):
    cert = x509.load_pem_x509_certificate(local_tls.ca_certfile.read_bytes())
    assert (
        fingerprint(local_tls.ca_certfile).replace(":", "").lower()
        == cert.fingerprint(hashes.SHA256()).hex()
    )


def _serve_once(env, port, var_dir):
    """`watershed serve --tls` until it answers over HTTPS with the CA it made; the served
    certificate's bytes."""
    process = subprocess.Popen(
        [WATERSHED, "serve", "--tls", "--port", str(port), "--tls-name", "gis.zengdu.lan"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            ca = var_dir / "tls" / "ca.crt"
            try:
                if ca.exists():
                    trust = ssl.create_default_context(cafile=str(ca))
                    response = httpx.get(f"https://127.0.0.1:{port}/ca", verify=trust, timeout=2)
                    if response.status_code == 200:
                        break
            except (httpx.TransportError, ssl.SSLError):
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "watershed serve --tls did not answer"
            time.sleep(0.2)
        served = ssl.get_server_certificate(("127.0.0.1", port))
        return x509.load_pem_x509_certificate(served.encode()).public_bytes(Encoding.DER)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_tls_makes_the_ca_once_and_reuses_it_on_restart(engine, settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATERSHED_")}
    env |= {"DATABASE_URL": libpq_url(settings), "WATERSHED_VAR_DIR": str(tmp_path)}
    port = free_port()
    first = _serve_once(env, port, tmp_path)
    server = x509.load_der_x509_certificate(first)
    dns, ips = subject_alternative_names(server)
    assert {"localhost", "gis.zengdu.lan", socket.gethostname().lower()} <= dns
    assert ipaddress.ip_address("127.0.0.1") in ips
    ca_bytes = (tmp_path / "tls" / "ca.crt").read_bytes()
    assert _serve_once(env, port, tmp_path) == first  # a restart: the same certificate
    assert (tmp_path / "tls" / "ca.crt").read_bytes() == ca_bytes
