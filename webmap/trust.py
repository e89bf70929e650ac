"""The page that tells a field team how to trust the local CA (``/ca``, api/tls.py)."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from webmap import assets
from webmap.page import TITLE
from webmap.signin import _environment

CA_DOWNLOAD = "/ca.crt"


def fingerprint(cert_path: Path) -> str:
    """SHA-256 of the CA certificate, as the tablets' certificate screens show it."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def trust_page(ca_cert: Path | None) -> str:
    """How to install and trust the CA on Android and iPadOS, with the download link; without
    a local CA (plain HTTP, or the bureau's own certificate) says so."""
    return (
        _environment()
        .get_template("trust.html")
        .render(
            title=TITLE,
            favicon=assets.FAVICON,
            bootstrap_css=assets.BOOTSTRAP_CSS,
            app_css=assets.APP_CSS,
            download=CA_DOWNLOAD if ca_cert else None,
            fingerprint=fingerprint(ca_cert) if ca_cert else None,
        )
    )
