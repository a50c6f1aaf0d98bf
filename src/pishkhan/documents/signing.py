"""PAdES signatures with pyHanko, made with the city's key and certificate.

Production names the files: ``PISHKHAN_SIGNING_KEY`` and ``PISHKHAN_SIGNING_CERT`` (PEM;
the chain, when there is one, in ``PISHKHAN_SIGNING_CHAIN``), the key's passphrase in
``PISHKHAN_SIGNING_PASSPHRASE`` or the file named by ``PISHKHAN_SIGNING_PASSPHRASE_FILE``.
Without them (the demo, the tests, a developer's machine) a self-signed demo certificate
is made on first use under ``PISHKHAN_SIGNING_DEMO_DIR`` (``var/signing``), its name
saying it is a demo; documents signed with it record so and the verification page says
so. ``manage.py check --deploy`` warns when production runs on the demo certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEMO_COMMON_NAME = "Pishkhan DEMO signing certificate - not for real documents"
DEMO_KEY = "demo-signing-key.pem"
DEMO_CERT = "demo-signing-cert.pem"
SIGNATURE_FIELD = "PishkhanSignature"
# Room for the CMS signature: an RSA-3072 signature and a certificate chain fit in 16 KB.
SIGNATURE_BYTES = 16384


@dataclass(frozen=True)
class SigningIdentity:
    key_path: Path
    cert_path: Path
    chain_paths: tuple[Path, ...]
    passphrase: bytes | None
    demo: bool


def configured_identity() -> SigningIdentity:
    key = settings.PISHKHAN_SIGNING_KEY
    cert = settings.PISHKHAN_SIGNING_CERT
    if bool(key) != bool(cert):
        raise ImproperlyConfigured("Set both PISHKHAN_SIGNING_KEY and PISHKHAN_SIGNING_CERT.")
    if key:
        passphrase = settings.PISHKHAN_SIGNING_PASSPHRASE
        return SigningIdentity(
            Path(key),
            Path(cert),
            tuple(Path(p) for p in settings.PISHKHAN_SIGNING_CHAIN),
            passphrase.encode() if passphrase else None,
            demo=False,
        )
    folder = Path(settings.PISHKHAN_SIGNING_DEMO_DIR)
    key_path, cert_path = folder / DEMO_KEY, folder / DEMO_CERT
    if not (key_path.exists() and cert_path.exists()):
        make_self_signed(key_path, cert_path, DEMO_COMMON_NAME)
    return SigningIdentity(key_path, cert_path, (), None, demo=True)


def make_self_signed(
    key_path: Path, cert_path: Path, common_name: str, *, days: int = 3650
) -> None:
    """A self-signed RSA-3072 certificate fit for signing documents (digital signature
    and non-repudiation), the key unencrypted and readable by its owner only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pishkhan"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp_key = key_path.with_suffix(".tmp")
    tmp_key.touch(mode=0o600)
    tmp_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.with_suffix(".tmp").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp_key.replace(key_path)
    cert_path.with_suffix(".tmp").replace(cert_path)


@cache
def _signer(identity: SigningIdentity) -> Any:
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load(
            str(identity.key_path),
            str(identity.cert_path),
            ca_chain_files=[str(p) for p in identity.chain_paths] or None,
            key_passphrase=identity.passphrase,
        )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"the signing key cannot be loaded: {error}") from error
    if signer is None:
        raise ImproperlyConfigured("the signing key or certificate cannot be read")
    return signer


def run_coroutine(make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run pyHanko's coroutine to its end from sync code: here, or — when this thread
    already runs an event loop (an async caller, a browser test) — in a thread of its
    own, since asyncio.run refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signer: str  # the certificate's subject, as the verification page names it
    demo: bool


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> Signed:
    """The PDF with a PAdES baseline (B-B) signature over all of it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    identity = configured_identity()
    signer = _signer(identity)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    out = run_coroutine(
        lambda: signers.async_sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES)
    )
    return Signed(out.getvalue(), signer.signing_cert.subject.human_friendly, identity.demo)


def signing_certificate() -> Any:
    """The certificate documents are signed with (asn1crypto), for validators to trust."""
    return _signer(configured_identity()).signing_cert
