"""The platform's seal on final PDFs: a PAdES signature that makes any later change visible.

Once both parties have signed a contract, :func:`seal_pdf` appends a PAdES baseline B
signature of the platform as an incremental update; a PDF reader (or
:func:`verify_seal`) then shows whether the file is still exactly what was sealed.

The sealing identity comes from the configuration (:func:`load_identity`):

* **production**: ``SEAL_KEY_PATH`` and ``SEAL_CERT_PATH`` name a PEM private key
  (encrypted with ``SEAL_KEY_PASSWORD`` if given) and its certificate, followed by the
  rest of its chain. The certificate must allow non-repudiation, as the verifier
  requires it of a seal;
* **embedded** (neither path set): a self-signed platform certificate generated once
  under ``<instance>/seal/`` and reused afterwards. It proves the file was not changed
  to whoever trusts that certificate; it is not a qualified seal.

No timestamp authority is reachable, so the signing time is the one the platform states
(baseline B); a seal cannot be checked after its certificate expires.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import os
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from marketplace.errors import ConfigurationError
from marketplace.formatting import datetime_fr
from marketplace.legal import PLATFORM_NAME

log = logging.getLogger(__name__)

FIELD_NAME = "CachetPlateforme"
SEAL_COMMON_NAME = f"{PLATFORM_NAME} – cachet de la plateforme"
EMBEDDED_VALIDITY = timedelta(days=3653)  # ten years, leap days included
EMBEDDED_FILE = "platform.pem"  # the key and its self-signed certificate


@dataclass(frozen=True)
class SealIdentity:
    """The platform's sealing key and its certificate chain, the sealing certificate first."""

    key: asn1_keys.PrivateKeyInfo = field(repr=False)  # never in a log or a traceback
    chain: tuple[asn1_x509.Certificate, ...]

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self.chain[0]

    @property
    def trust_root(self) -> asn1_x509.Certificate:
        """The top of the configured chain: what a verifier of our seals trusts."""
        return self.chain[-1]

    @property
    def signer_name(self) -> str:
        return _common_name(self.certificate)


@dataclass(frozen=True)
class SealCheck:
    """What :func:`verify_seal` found; ``summary`` says it in French."""

    valid: bool
    intact: bool
    signer: str
    signed_at: datetime | None
    covers_whole_file: bool
    reason: str | None
    summary: str


# --- identity -------------------------------------------------------------------------

_identities: dict[tuple, SealIdentity] = {}
_identities_lock = threading.Lock()


def load_identity(config: Mapping, instance_path: Path) -> SealIdentity:
    """The sealing identity the configuration names, loaded once per process."""
    key_path = config.get("SEAL_KEY_PATH") or None
    cert_path = config.get("SEAL_CERT_PATH") or None
    password = config.get("SEAL_KEY_PASSWORD") or None
    if bool(key_path) != bool(cert_path):
        raise ConfigurationError(
            "SEAL_KEY_PATH et SEAL_CERT_PATH vont ensemble : donnez la clé du cachet et son "
            "certificat, ou aucun des deux pour le certificat autosigné de la plateforme."
        )
    if key_path:
        cache_key: tuple = ("pem", str(key_path), str(cert_path), password)
    else:
        cache_key = ("embedded", str(Path(instance_path).resolve() / "seal"))
    with _identities_lock:
        identity = _identities.get(cache_key)
        if identity is None:
            if key_path:
                identity = _load_pem_identity(Path(key_path), Path(cert_path), password)
            else:
                identity = _embedded_identity(Path(cache_key[1]))
            _identities[cache_key] = identity
    return identity


def configured_identity() -> SealIdentity:
    """The identity the running application is configured with (jobs call this)."""
    from flask import current_app

    config = current_app.config
    if config.get("MARKETPLACE_ENV") == "production" and not config.get("SEAL_KEY_PATH"):
        raise ConfigurationError(
            "En production, le cachet des contrats exige SEAL_KEY_PATH et SEAL_CERT_PATH (clé et certificat "
            "de la plateforme) : le certificat autosigné ne sert qu'au mode embarqué."
        )
    return load_identity(config, Path(current_app.instance_path))


def clear_identity_cache() -> None:
    """Forget the loaded identities (tests; a rotated key is read on the next call)."""
    with _identities_lock:
        _identities.clear()


def _load_pem_identity(key_path: Path, cert_path: Path, password: str | None) -> SealIdentity:
    try:
        key_bytes = key_path.read_bytes()
        cert_bytes = cert_path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"Fichier du cachet illisible : {exc.filename} ({exc.strerror}).") from exc
    try:
        private_key = serialization.load_pem_private_key(
            key_bytes, password=password.encode() if password else None
        )
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"La clé du cachet ({key_path}) ne se lit pas : fichier PEM attendu, et "
            "SEAL_KEY_PASSWORD si et seulement si la clé est chiffrée."
        ) from exc
    try:
        certificates = list(load_certs_from_pemder_data(cert_bytes))
    except ValueError as exc:
        raise ConfigurationError(f"Le certificat du cachet ({cert_path}) ne se lit pas.") from exc

    # The sealing certificate is the one holding our public key; the others are its chain.
    ours = _public_der(private_key.public_key())
    leaf = [c for c in certificates if _public_der(_pyca(c).public_key()) == ours]
    if not leaf:
        raise ConfigurationError(
            f"Aucun certificat de {cert_path} ne correspond à la clé {key_path}."
        )
    usages = leaf[0].key_usage_value.native if leaf[0].key_usage_value else []
    if "non_repudiation" not in usages:
        raise ConfigurationError(
            "Le certificat du cachet doit autoriser la non-répudiation (keyUsage "
            "nonRepudiation) : sans elle, aucun lecteur ne validerait le cachet."
        )
    chain = (leaf[0], *[c for c in certificates if c is not leaf[0]])
    return SealIdentity(key=_asn1_key(private_key), chain=chain)


def _embedded_identity(folder: Path) -> SealIdentity:
    """Read, or create once, the self-signed identity of the embedded mode."""
    path = folder / EMBEDDED_FILE
    if not path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_exclusively(path, _self_signed_pem())
    return _read_embedded(path)


def _create_exclusively(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` unless another process already did.

    The bytes go to a private temporary file first, then a hard link publishes it:
    like ``open(path, "x")`` the link fails when ``path`` exists, so two processes
    starting together keep one key, and the loser never reads a half-written file.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won: its key is the platform's
    finally:
        temporary.unlink(missing_ok=True)


def _read_embedded(path: Path) -> SealIdentity:
    key = None
    chain = []
    for kind, _headers, der in pem.unarmor(path.read_bytes(), multiple=True):
        if kind == "PRIVATE KEY":
            key = asn1_keys.PrivateKeyInfo.load(der)
        elif kind == "CERTIFICATE":
            chain.append(asn1_x509.Certificate.load(der))
    if key is None or not chain:
        raise ConfigurationError(
            f"{path} est incomplet : supprimez-le pour qu'un nouveau cachet soit créé."
        )
    return SealIdentity(key=key, chain=tuple(chain))


def _self_signed_pem() -> bytes:
    """A new P-256 key and its ten-year self-signed certificate, as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, SEAL_COMMON_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, PLATFORM_NAME),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
    ])
    # A little before now, so a verifier whose clock is slightly behind still accepts it.
    valid_from = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + EMBEDDED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + certificate.public_bytes(serialization.Encoding.PEM)


# --- sealing --------------------------------------------------------------------------


def seal_pdf(
    pdf: bytes,
    identity: SealIdentity,
    *,
    reason: str,
    location: str = "France",
    contact: str | None = None,
    field_name: str = FIELD_NAME,
) -> bytes:
    """``pdf`` with the platform's invisible PAdES seal appended as an incremental update."""
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        contact_info=contact,
    )
    signer = signers.SimpleSigner(
        signing_cert=identity.certificate,
        signing_key=identity.key,
        cert_registry=SimpleCertificateStore.from_certs(identity.chain),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = _run(lambda: signers.PdfSigner(metadata, signer=signer).async_sign_pdf(writer, output=io.BytesIO()))
    return output.getvalue()


def _run(coroutine_factory):
    """Run one of pyhanko's coroutines to completion from synchronous code.

    pyhanko's synchronous helpers call ``asyncio.run``, which refuses to start inside a
    thread whose event loop is already running (an async server, a browser driver in
    the tests); the coroutine then runs on a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_factory())).result()


# --- verification ---------------------------------------------------------------------


def verify_seal(
    pdf: bytes,
    trust_roots: Iterable,
    *,
    field_name: str | None = FIELD_NAME,
) -> SealCheck:
    """Whether ``pdf`` carries an intact seal, by a trusted certificate, over the whole file.

    ``trust_roots`` are certificates (asn1crypto or cryptography objects); ``field_name``
    names the seal's field, ``None`` takes the last signature of the file. Never raises
    on a bad file: the check says what is wrong with it.
    """
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # any parse failure of untrusted bytes means "no seal to check"
        log.info("PDF illisible pour la vérification du cachet", exc_info=True)
        return _refused("Le fichier n'est pas un PDF lisible : aucun cachet ne peut y être vérifié.")
    if field_name is None:
        embedded = signatures[-1] if signatures else None
    else:
        embedded = next((s for s in signatures if s.field_name == field_name), None)
    if embedded is None:
        return _refused("Ce PDF ne porte pas le cachet de la plateforme.")

    context = ValidationContext(trust_roots=[_asn1_cert(c) for c in trust_roots], allow_fetching=False)
    try:
        status = _run(lambda: async_validate_pdf_signature(embedded, context))
    except Exception:  # a malformed signature dictionary or CMS blob
        log.info("Cachet illisible", exc_info=True)
        return _refused("Le cachet de ce PDF est illisible : il a été altéré ou n'a pas été posé par la plateforme.")

    reason = embedded.sig_object.get("/Reason")
    signer = _common_name(status.signing_cert)
    signed_at = status.signer_reported_dt
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        summary = "Le document a été modifié après la pose du cachet : son contenu ne correspond plus à celui qui a été scellé."
    elif not status.valid:
        summary = "La signature du cachet est invalide : elle ne correspond pas au document."
    elif not status.trusted:
        summary = f"Le cachet est intact mais son certificat (« {signer} ») n'est pas reconnu comme celui de la plateforme, ou n'est plus valable."
    elif not covers_whole_file:
        summary = f"Le cachet de {signer} est authentique, mais le fichier a été complété après le {datetime_fr(signed_at)} : ce qui a été ajouté depuis n'est pas couvert par le cachet."
    elif not status.bottom_line:
        summary = "Le cachet ne satisfait pas les contraintes de son champ de signature."
    else:
        summary = f"Cachet valide : posé par {signer} le {datetime_fr(signed_at)}, le document n'a pas été modifié depuis."
    return SealCheck(
        valid=status.bottom_line and covers_whole_file,
        intact=status.intact,
        signer=signer,
        signed_at=signed_at,
        covers_whole_file=covers_whole_file,
        reason=str(reason) if reason is not None else None,
        summary=summary,
    )


def _refused(summary: str) -> SealCheck:
    return SealCheck(
        valid=False, intact=False, signer="", signed_at=None, covers_whole_file=False,
        reason=None, summary=summary,
    )


# --- conversions between cryptography's objects and asn1crypto's (pyHanko's) ---------


def _common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _asn1_cert(certificate) -> asn1_x509.Certificate:
    if isinstance(certificate, asn1_x509.Certificate):
        return certificate
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _pyca(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def _asn1_key(private_key) -> asn1_keys.PrivateKeyInfo:
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
