"""Files: uploads sniffed from their bytes and bounded, stored outside the web root.

Each file lives under ``instance/uploads/`` with a random name; the database keeps
its original name, sniffed type, size and SHA-256. Reading one goes through
:func:`get_for_user`, which only returns it to its owner (the freelancer profile, the
SME it was issued to) and to admins.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import warnings
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, NotFound
from marketplace.models.documents import Document, DocumentKind
from marketplace.models.users import User
from marketplace.platform import events

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ACCEPTED = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
CHUNK = 64 * 1024


def sniff(content: bytes) -> str | None:
    """The type of ``content`` judged from its bytes (never from a file name)."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in content[-64:]:
        return PNG
    if content.startswith(b"\xff\xd8\xff") and content.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        return JPEG
    return None


# What a document must never carry: PDF actions and scripts, attachments, forms that submit.
ACTIVE_PDF_NAMES = frozenset({
    "JavaScript", "JS", "OpenAction", "AA", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia",
    "XFA", "SubmitForm", "ImportData", "GoToR", "GoToE", "Sound", "Movie",
})
# Markup a browser would run if the file were ever taken for a web page (HTML/PDF polyglots).
_MARKUP = re.compile(rb"<\s*(?:html|script|svg|iframe|body|object|embed|\?xml)\b", re.IGNORECASE)
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{1,40})")


def _pdf_names(content: bytes) -> set[str]:
    """Every name written in the file (``/J#61vaScript`` read as ``/JavaScript``), compressed objects included."""
    names = {_unescape(m.group(1)) for m in _PDF_NAME.finditer(content)}
    try:
        from pypdf import PdfReader

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
        seen: set[int] = set()
        stack = [reader.trailer]
        while stack and len(seen) < 50_000:  # a bounded walk: 10 MB files, no endless graph
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, dict):
                names.update(str(key).lstrip("/") for key in node.keys())
                names.update(str(v).lstrip("/") for v in node.values() if str(v).startswith("/"))
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    except Exception:  # unreadable structure: the raw scan above stands, and the vetting flags the file
        pass
    return names


def _unescape(raw: bytes) -> str:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def active_content(content: bytes, content_type: str) -> list[str]:
    """What in ``content`` could act rather than be read (script, action, attachment, markup); [] when none."""
    found = []
    if _MARKUP.search(content):
        found.append("markup")
    if content_type == PDF:
        found += sorted(ACTIVE_PDF_NAMES & _pdf_names(content))
    return found


def upload_root() -> Path:
    return Path(current_app.instance_path) / "uploads"


def path_of(document: Document) -> Path:
    """Where the bytes of ``document`` are stored."""
    return upload_root() / document.storage_key[:2] / document.storage_key


def clean_name(name: str) -> str:
    """A displayable file name: no path, no control characters, bounded."""
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    return (name or "document")[:200]


def read_bounded(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; a longer stream is refused before it fills memory."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise DomainError(
                f"Le fichier dépasse la taille autorisée ({max_bytes // (1024 * 1024)} Mo au plus).", "file"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _write(content: bytes) -> str:
    key = secrets.token_hex(16)
    folder = upload_root() / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a crash never leaves a half-written file under its name.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(tmp, 0o600)
    os.replace(tmp, folder / key)
    return key


def store_upload(
    session: Session,
    *,
    owner: User,
    kind: DocumentKind | str,
    stream: BinaryIO,
    filename: str,
    profile_id: int | None = None,
    issued_on: date | None = None,
    expires_on: date | None = None,
    security_code: str | None = None,
    accepted: tuple[str, ...] = ACCEPTED,
) -> Document:
    """Validate and keep an uploaded file; a previous file of the same kind is superseded."""
    kind = DocumentKind(kind)
    content = read_bounded(stream, current_app.config["UPLOAD_MAX_BYTES"])
    if not content:
        raise DomainError("Le fichier est vide.", "file")
    content_type = sniff(content)
    if content_type not in accepted:
        raise DomainError(
            "Format non accepté : envoyez un PDF, un JPEG ou un PNG (le contenu du fichier est vérifié).", "file"
        )
    if active_content(content, content_type):
        raise DomainError(
            "Ce fichier contient du contenu actif (script, action automatique ou pièce jointe) : "
            "envoyez une version simple, par exemple le document réimprimé en PDF ou scanné.", "file"
        )
    if issued_on and expires_on and expires_on < issued_on:
        raise DomainError("La date d'expiration précède la date d'émission.", "expires_on")
    document = Document(
        owner_id=owner.id,
        profile_id=profile_id,
        kind=kind.value,
        original_name=clean_name(filename),
        storage_key=_write(content),
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        issued_on=issued_on,
        expires_on=expires_on,
        security_code=(security_code or "").strip() or None,
    )
    if profile_id is not None:
        for previous in session.scalars(
            select(Document).where(
                Document.profile_id == profile_id, Document.kind == kind.value, Document.superseded_at.is_(None)
            )
        ):
            previous.superseded_at = utcnow()
    session.add(document)
    session.flush()
    events.document_uploaded.send(session, document=document)
    return document


def store_generated(
    session: Session,
    *,
    kind: DocumentKind | str,
    content: bytes,
    filename: str,
    content_type: str = PDF,
    owner_id: int | None = None,
    profile_id: int | None = None,
    company_id: int | None = None,
) -> Document:
    """Keep a file the platform produced (a contract or invoice PDF)."""
    document = Document(
        owner_id=owner_id,
        profile_id=profile_id,
        company_id=company_id,
        kind=DocumentKind(kind).value,
        original_name=clean_name(filename),
        storage_key=_write(content),
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    session.add(document)
    session.flush()
    return document


def live_for_profile(session: Session, profile_id: int, kinds) -> dict[str, Document]:
    """A profile's live (not superseded) document of each of ``kinds``, the latest winning."""
    rows = session.scalars(
        select(Document)
        .where(
            Document.profile_id == profile_id,
            Document.superseded_at.is_(None),
            Document.kind.in_([DocumentKind(k).value for k in kinds]),
        )
        .order_by(Document.created_at, Document.id)
    )
    return {doc.kind: doc for doc in rows}


def read(document: Document) -> bytes:
    return path_of(document).read_bytes()


def store_bytes(content: bytes) -> str:
    """Keep bytes that are no Document (a data export archive) under a new random key; returns it."""
    return _write(content)


def path_of_key(key: str) -> Path:
    """Where the file stored under ``key`` lives."""
    return upload_root() / key[:2] / key


def remove(key: str) -> bool:
    """Delete the file stored under ``key`` (erasure, expiry); False when it was already gone."""
    try:
        path_of_key(key).unlink()
    except FileNotFoundError:
        return False
    return True


def can_read(user: User, document: Document) -> bool:
    """Owners, the freelancer profile and SME it belongs to, and admins."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.ADMIN.value:
        return True
    if document.owner_id is not None and document.owner_id == user.id:
        return True
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    if profile is not None and document.profile_id == profile.id:
        return True
    return user.role == Role.SME.value and document.company_id is not None and document.company_id == user.company_id


def get_for_user(session: Session, user: User, document_id: int) -> Document:
    """The document if ``user`` may read it; NotFound otherwise (no existence oracle)."""
    document = session.get(Document, document_id)
    if document is None or not can_read(user, document):
        raise NotFound()
    return document
