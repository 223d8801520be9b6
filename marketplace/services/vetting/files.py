"""Is an uploaded file what it claims to be, intact and readable?

PDFs are opened with pypdf (pages counted, text of the first pages extracted);
PNG and JPEG images are walked chunk by chunk, so a truncated or forged file is
caught without an imaging library. Parsing happens in the vetting worker, never in
a web request.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any

from marketplace.models.documents import Document
from marketplace.platform import storage as document_store
from marketplace.services.vetting import rules

TEXT_PAGES = 3
MAX_TEXT_CHARS = 20_000


@dataclass
class Inspection:
    """What the bytes of a stored document turned out to be."""

    readable: bool
    problem: str | None = None  # French, for the operator
    warning: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def details(self) -> dict[str, Any]:
        out = dict(self.facts)
        out["readable"] = self.readable
        if self.problem:
            out["problem"] = self.problem
        if self.warning:
            out["warning"] = self.warning
        return out


def inspect_document(document: Document) -> Inspection:
    """Check a stored document's presence, integrity, sniffed type and readability."""
    try:
        content = document_store.read(document)
    except FileNotFoundError:
        return Inspection(False, "Fichier introuvable sur le stockage.")
    if hashlib.sha256(content).hexdigest() != document.sha256:
        return Inspection(False, "Le fichier a été modifié depuis son dépôt (empreinte différente).")
    sniffed = document_store.sniff(content)
    if sniffed is None or sniffed != document.content_type:
        return Inspection(False, "Le contenu du fichier ne correspond pas à un PDF, JPEG ou PNG valide.")
    if sniffed == document_store.PDF:
        result = inspect_pdf(content)
    elif sniffed == document_store.PNG:
        result = inspect_png(content)
    else:
        result = inspect_jpeg(content)
    result.facts.setdefault("type", sniffed)
    result.facts["size_bytes"] = len(content)
    return result


def inspect_pdf(content: bytes) -> Inspection:
    """Open a PDF, count its pages and extract the text of the first ones."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf reports recoverable oddities through logging and warnings; a vetting job
    # judges the file, it does not fail on them.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return Inspection(False, "PDF protégé par un mot de passe : impossible de le lire.")
            pages = len(reader.pages)
            if pages == 0:
                return Inspection(False, "Le PDF ne contient aucune page.")
            parts = []
            for page in reader.pages[:TEXT_PAGES]:
                parts.append(page.extract_text() or "")
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, struct.error, zlib.error) as exc:
            return Inspection(False, f"PDF illisible ({type(exc).__name__}).")
    text = "\n".join(parts)[:MAX_TEXT_CHARS]
    inspection = Inspection(True, facts={"pages": pages, "text_chars": len(text.strip())}, text=text)
    if not text.strip():
        inspection.warning = "PDF sans texte (scan) : à lire à l'œil."
    return inspection


def inspect_png(content: bytes) -> Inspection:
    """Walk a PNG's chunks, verify their CRCs and that the image data decompresses."""
    position, width, height, idat = 8, 0, 0, []
    seen_end = False
    while position + 8 <= len(content):
        length, kind = struct.unpack(">I4s", content[position : position + 8])
        data = content[position + 8 : position + 8 + length]
        crc = content[position + 8 + length : position + 12 + length]
        if len(data) != length or len(crc) != 4:
            return Inspection(False, "Image PNG tronquée.")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + data) & 0xFFFFFFFF:
            return Inspection(False, "Image PNG corrompue (somme de contrôle invalide).")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            seen_end = True
            break
        position += 12 + length
    if not seen_end or not width or not height or not idat:
        return Inspection(False, "Image PNG incomplète.")
    try:
        # Bounded: proves the data is a valid stream without inflating a bomb.
        zlib.decompressobj().decompress(b"".join(idat), 1_000_000)
    except zlib.error:
        return Inspection(False, "Image PNG corrompue (données illisibles).")
    return _image_result(width, height)


SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def inspect_jpeg(content: bytes) -> Inspection:
    """Walk a JPEG's segments up to the image data and read its dimensions."""
    position = 2
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return Inspection(False, "Image JPEG corrompue.")
        marker = content[position + 1]
        if marker == 0xFF:  # padding
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack(">H", content[position + 2 : position + 4])[0]
        if length < 2 or position + 2 + length > len(content):
            return Inspection(False, "Image JPEG tronquée.")
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            if not width or not height:
                return Inspection(False, "Image JPEG sans dimensions.")
            return _image_result(width, height)
        if marker == 0xDA:
            break
        position += 2 + length
    return Inspection(False, "Image JPEG incomplète (aucune image trouvée).")


def _image_result(width: int, height: int) -> Inspection:
    inspection = Inspection(True, facts={"width": width, "height": height})
    if min(width, height) < rules.MIN_IMAGE_SIDE_PX:
        inspection.warning = f"Image de faible résolution ({width} × {height} px) : probablement illisible."
    return inspection
