"""The platform's seal: a sealed PDF validates, and any later change is detected."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from marketplace.errors import ConfigurationError
from marketplace.platform import seal
from marketplace.platform.seal import (
    clear_identity_cache,
    load_identity,
    seal_pdf,
    verify_seal,
)

REASON = "Contrat de cadrage signé par les deux parties"


@pytest.fixture(autouse=True)
def fresh_identities():
    clear_identity_cache()
    yield
    clear_identity_cache()


@pytest.fixture()
def identity(tmp_path):
    return load_identity({}, tmp_path)


def contract_pdf(pages: int = 3) -> bytes:
    """A small PDF whose pages carry readable, uncompressed text."""
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        content = StreamObject()
        content.set_data(
            f"BT /F1 14 Tf 72 760 Td (Article {number} - Prix de la mission : 450 EUR par jour) Tj ET".encode()
        )
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})
        })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    """The /ByteRange of the seal, as (start, end) pairs."""
    reader = PdfReader(io.BytesIO(pdf))
    field = next(f for f in reader.get_fields().values() if f.get("/FT") == "/Sig")
    start1, length1, start2, length2 = field["/V"]["/ByteRange"]
    return [(start1, start1 + length1), (start2, start2 + length2)]


# --- sealing and checking -------------------------------------------------------------


def test_a_sealed_pdf_validates_and_covers_the_whole_file(identity):
    original = contract_pdf()
    sealed = seal_pdf(original, identity, reason=REASON, contact="contact@om-partage.fr")

    # An incremental update: the original bytes are untouched at the start of the file.
    assert sealed.startswith(original) and len(sealed) > len(original)
    assert b"/ETSI.CAdES.detached" in sealed
    assert len(PdfReader(io.BytesIO(sealed)).pages) == 3
    assert signed_ranges(sealed)[-1][1] == len(sealed)

    check = verify_seal(sealed, [identity.trust_root])
    assert check.valid and check.intact and check.covers_whole_file
    assert check.signer == "OM Partagé – cachet de la plateforme"
    assert check.reason == REASON
    assert abs(check.signed_at - datetime.now(timezone.utc)) < timedelta(minutes=2)
    assert check.summary.startswith("Cachet valide : posé par OM Partagé – cachet de la plateforme le ")


def test_one_flipped_byte_in_a_signed_content_stream_breaks_the_seal(identity):
    sealed = seal_pdf(contract_pdf(), identity, reason=REASON)
    position = sealed.index(b"450 EUR")
    assert any(start <= position < end for start, end in signed_ranges(sealed))

    tampered = sealed[:position] + b"9" + sealed[position + 1:]  # 450 EUR → 950 EUR
    assert PdfReader(io.BytesIO(tampered)).pages[0].extract_text().count("950 EUR") == 1

    check = verify_seal(tampered, [identity.trust_root])
    assert not check.intact
    assert not check.valid
    assert "modifié après la pose du cachet" in check.summary


def test_an_update_appended_after_the_seal_is_reported(identity):
    sealed = seal_pdf(contract_pdf(), identity, reason=REASON)

    # What an editor saving "incrementally" does: new content for page 1, appended.
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    page = writer.root["/Pages"]["/Kids"][0]
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 14 Tf 72 760 Td (Article 1 - Prix de la mission : 950 EUR par jour) Tj ET"
    ))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    changed = out.getvalue()
    assert changed.startswith(sealed)
    assert "950 EUR" in PdfReader(io.BytesIO(changed)).pages[0].extract_text()

    check = verify_seal(changed, [identity.trust_root])
    assert check.intact  # the sealed revision itself is unchanged …
    assert not check.covers_whole_file  # … but the file goes beyond it
    assert not check.valid
    assert "complété après le" in check.summary


def test_a_seal_by_a_certificate_nobody_trusts_is_not_valid(identity, tmp_path):
    sealed = seal_pdf(contract_pdf(), identity, reason=REASON)
    stranger = load_identity({}, tmp_path / "other-instance")
    assert stranger.certificate.dump() != identity.certificate.dump()

    check = verify_seal(sealed, [stranger.trust_root])
    assert check.intact and check.covers_whole_file
    assert not check.valid
    assert "n'est pas reconnu" in check.summary


@pytest.mark.parametrize("content, message", [
    (contract_pdf(), "ne porte pas le cachet"),
    (b"", "pas un PDF lisible"),
    (b"%PDF-1.7\nnot really a PDF", "pas un PDF lisible"),
])
def test_a_file_without_a_readable_seal_is_reported_without_raising(identity, content, message):
    check = verify_seal(content, [identity.trust_root])
    assert not check.valid and not check.intact
    assert message in check.summary


def test_a_truncated_sealed_file_is_reported_without_raising(identity):
    sealed = seal_pdf(contract_pdf(), identity, reason=REASON)
    for size in (len(sealed) // 2, len(sealed) - 40):
        check = verify_seal(sealed[:size], [identity.trust_root])
        assert not check.valid
        assert check.summary


# --- the embedded identity ------------------------------------------------------------


def test_the_embedded_identity_is_generated_once_and_reused(tmp_path):
    first = load_identity({}, tmp_path)
    assert load_identity({}, tmp_path) is first  # cached in the process

    key_file = tmp_path / "seal" / "platform.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()

    clear_identity_cache()  # as a new process would
    again = load_identity({}, tmp_path)
    assert again is not first
    assert again.certificate.dump() == first.certificate.dump()
    assert again.key.dump() == first.key.dump()
    assert key_file.read_bytes() == written
    assert sorted(p.name for p in (tmp_path / "seal").iterdir()) == ["platform.pem"]


def test_the_embedded_certificate_says_who_seals_and_for_what(identity):
    certificate = x509.load_der_x509_certificate(identity.certificate.dump())
    assert certificate.subject == certificate.issuer
    assert certificate.subject.rfc4514_string() == "C=FR,O=OM Partagé,CN=OM Partagé – cachet de la plateforme"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3654)
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert "PrivateKeyInfo" not in repr(identity)  # no key material in logs or tracebacks


def test_the_process_that_loses_the_race_keeps_the_winners_key(tmp_path, monkeypatch):
    winner = seal._self_signed_pem()
    own = seal._self_signed_pem

    def generate_while_another_process_writes():
        # The other process publishes its key after we found none and before we link ours.
        (tmp_path / "seal" / "platform.pem").write_bytes(winner)
        return own()

    monkeypatch.setattr(seal, "_self_signed_pem", generate_while_another_process_writes)
    loaded = load_identity({}, tmp_path)
    assert loaded.certificate.dump() == _pem_cert(winner)
    assert sorted(p.name for p in (tmp_path / "seal").iterdir()) == ["platform.pem"]


def _pem_cert(bundle: bytes) -> bytes:
    start = bundle.index(b"-----BEGIN CERTIFICATE-----")
    return x509.load_pem_x509_certificate(bundle[start:]).public_bytes(serialization.Encoding.DER)


def _certificate_digest(instance: str) -> str:
    """Run in another process: the embedded certificate that process ends up with."""
    return hashlib.sha256(load_identity({}, Path(instance)).certificate.dump()).hexdigest()


def test_processes_starting_together_keep_one_key(tmp_path):
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        digests = list(pool.map(_certificate_digest, [str(tmp_path)] * 4))
    assert len(set(digests)) == 1
    assert digests[0] == hashlib.sha256(load_identity({}, tmp_path).certificate.dump()).hexdigest()
    assert sorted(p.name for p in (tmp_path / "seal").iterdir()) == ["platform.pem"]


# --- a configured key and certificate chain -------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OM Partagé"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
    ])


def _key_usage(**granted) -> x509.KeyUsage:
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )
    return x509.KeyUsage(**(flags | granted))


def _issue(subject: str, key, issuer: str, issuer_key, *, ca: bool, usage: x509.KeyUsage) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


@pytest.fixture()
def issued(tmp_path):
    """A seal key and certificate issued by a test CA, written as production would have them."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("Autorité de test", ca_key, "Autorité de test", ca_key, ca=True,
                usage=_key_usage(key_cert_sign=True, crl_sign=True))
    key = ec.generate_private_key(ec.SECP384R1())
    leaf = _issue("OM Partagé – cachet de production", key, "Autorité de test", ca_key, ca=False,
                  usage=_key_usage(digital_signature=True, content_commitment=True))
    key_path = tmp_path / "seal-key.pem"
    cert_path = tmp_path / "seal-chain.pem"
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"mot de passe"),
    ))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    config = {"SEAL_KEY_PATH": str(key_path), "SEAL_CERT_PATH": str(cert_path), "SEAL_KEY_PASSWORD": "mot de passe"}
    return config, ca, ca_key


def test_a_configured_key_and_chain_are_used(issued, tmp_path):
    config, ca, _ca_key = issued
    instance = tmp_path / "instance"
    identity = load_identity(config, instance)
    assert identity.signer_name == "OM Partagé – cachet de production"
    assert len(identity.chain) == 2
    assert identity.trust_root.dump() == ca.public_bytes(serialization.Encoding.DER)
    assert not (instance / "seal").exists()  # no embedded key made

    sealed = seal_pdf(contract_pdf(), identity, reason=REASON)
    check = verify_seal(sealed, [ca])  # a cryptography certificate works too
    assert check.valid and check.intact and check.covers_whole_file
    assert check.signer == "OM Partagé – cachet de production"

    embedded_root = load_identity({}, tmp_path / "elsewhere").trust_root
    assert not verify_seal(sealed, [embedded_root]).valid


def test_a_half_configured_seal_refuses_to_load(issued, tmp_path):
    config, _ca, _ca_key = issued
    with pytest.raises(ConfigurationError, match="vont ensemble"):
        load_identity({"SEAL_KEY_PATH": config["SEAL_KEY_PATH"]}, tmp_path)
    with pytest.raises(ConfigurationError, match="ne se lit pas"):
        load_identity(config | {"SEAL_KEY_PASSWORD": "faux"}, tmp_path)
    with pytest.raises(ConfigurationError, match="illisible"):
        load_identity(config | {"SEAL_CERT_PATH": str(tmp_path / "absent.pem")}, tmp_path)


def test_a_certificate_that_does_not_match_the_key_refuses_to_load(issued, tmp_path):
    config, _ca, ca_key = issued
    other = tmp_path / "other-key.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    with pytest.raises(ConfigurationError, match="ne correspond"):
        load_identity({"SEAL_KEY_PATH": str(other), "SEAL_CERT_PATH": config["SEAL_CERT_PATH"]}, tmp_path)


def test_a_certificate_without_non_repudiation_refuses_to_load(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _issue("Sans non-répudiation", key, "Sans non-répudiation", key, ca=False,
                         usage=_key_usage(digital_signature=True))
    key_path, cert_path = tmp_path / "k.pem", tmp_path / "c.pem"
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(ConfigurationError, match="non-répudiation"):
        load_identity({"SEAL_KEY_PATH": str(key_path), "SEAL_CERT_PATH": str(cert_path)}, tmp_path)
