"""Files: uploads sniffed from their bytes and bounded, stored outside the web root.

Every stored file (uploaded documents, contract and invoice PDFs, data export archives)
has a random key; the database keeps its original name, sniffed type, size and SHA-256.
The bytes live in one of two backends, chosen by ``STORAGE_BACKEND``:

* ``local`` (default): ``<instance>/uploads/<2 hex>/<key>``, on this machine's disk;
* ``s3``: the object ``<S3_PREFIX><key>`` of ``S3_BUCKET`` in any S3-compatible object
  store (AWS, Scaleway, OVH, MinIO…), so web and RQ processes on several machines share
  the files without a shared disk. This module is the only one that talks to boto3.

The rest of the code only sees keys and bytes (:func:`read`, :func:`open_stream`,
:func:`store_bytes`, :func:`remove`); a library that wants a path gets a temporary copy
(:func:`local_copy`). Files are never handed out as bucket URLs: reading one goes through
:func:`get_for_user`, which only returns it to its owner (the freelancer profile, the SME
it was issued to) and to admins, and the access-checked routes stream its bytes.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import ConfigurationError, DomainError, NotFound
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
    backend().put(key, content)
    return key


def inspect_upload(stream: BinaryIO, accepted: tuple[str, ...] = ACCEPTED) -> tuple[bytes, str]:
    """Read an uploaded file and judge it (size, type sniffed from its bytes, no active content), storing nothing.

    Returns its content and type; a DomainError on the field ``file`` says what is wrong.
    """
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
    return content, content_type


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
    content, content_type = inspect_upload(stream, accepted)
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
    """The bytes of ``document``; FileNotFoundError when the storage lost them."""
    return backend().get(document.storage_key)


def read_key(key: str) -> bytes:
    """The bytes stored under ``key`` (a data export archive); FileNotFoundError when gone."""
    return backend().get(key)


def open_stream(document: Document) -> StoredStream:
    """The bytes of ``document`` as chunks to stream to a client; FileNotFoundError when gone."""
    return backend().open(document.storage_key)


def exists(key: str) -> bool:
    return backend().exists(key)


def store_bytes(content: bytes) -> str:
    """Keep bytes that are no Document (a data export archive) under a new random key; returns it."""
    return _write(content)


def remove(key: str) -> bool:
    """Delete the file stored under ``key`` (erasure, expiry); False when it was already gone."""
    return backend().delete(key)


@contextmanager
def local_copy(key: str) -> Iterator[Path]:
    """A private temporary file holding the bytes stored under ``key``, for a library that wants a path.

    Deleted on leaving the block, whatever the backend.
    """
    content = backend().get(key)
    fd, name = tempfile.mkstemp(prefix="marketplace-file-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def path_of(document: Document) -> Path:
    """Where the local backend keeps ``document`` (the embedded mode, the tests); code that serves
    or processes files uses :func:`read` / :func:`open_stream`, which work with every backend."""
    return path_of_key(document.storage_key)


def path_of_key(key: str) -> Path:
    files = backend()
    if not isinstance(files, LocalFiles):
        raise RuntimeError("files are in an object store: read them with storage.read(), not by path")
    return files.path(key)


# --- the backends -------------------------------------------------------------------------


@dataclass
class StoredStream:
    """A stored file opened for reading: its size and its bytes in chunks (closed at the end)."""

    size: int
    chunks: Iterator[bytes]


class FileBackend(Protocol):
    def put(self, key: str, content: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> StoredStream: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> bool: ...


class LocalFiles:
    """Files under ``root/<2 hex>/<key>``, private to the app's user, written then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        folder = self.path(key).parent
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a half-written file under its name.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o600)
        os.replace(tmp, folder / key)

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str) -> StoredStream:
        fh = self.path(key).open("rb")
        return StoredStream(os.fstat(fh.fileno()).st_size, _file_chunks(fh))

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True


def _file_chunks(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class S3Files:
    """Objects ``<prefix><key>`` of one bucket of an S3-compatible store (boto3 client, thread-safe)."""

    MISSING = frozenset({"NoSuchKey", "404", "NotFound"})

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config) -> S3Files:
        import boto3
        from botocore.config import Config

        bucket = config.get("S3_BUCKET")
        if not bucket:
            raise ConfigurationError("S3_BUCKET est obligatoire avec STORAGE_BACKEND=s3.")
        endpoint = config.get("S3_ENDPOINT_URL") or None
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                signature_version="s3v4",
                # Other S3-compatible stores (MinIO, a local test server) answer on one host name.
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )
        return cls(client, bucket, config.get("S3_PREFIX") or "")

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _missing(self, exc: Exception) -> bool:
        return getattr(exc, "response", {}).get("Error", {}).get("Code") in self.MISSING

    def put(self, key: str, content: bytes) -> None:
        # One PUT: the object appears whole or not at all.
        self.client.put_object(
            Bucket=self.bucket, Key=self.name(key), Body=content, ContentType="application/octet-stream"
        )

    def _get(self, key: str) -> dict:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as exc:
            if self._missing(exc):
                raise FileNotFoundError(self.name(key)) from exc
            raise

    def get(self, key: str) -> bytes:
        body = self._get(key)["Body"]
        with body:
            return body.read()

    def open(self, key: str) -> StoredStream:
        answer = self._get(key)
        return StoredStream(int(answer["ContentLength"]), _body_chunks(answer["Body"]))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        # DELETE succeeds on a missing object too: ask first, to tell the caller.
        if not self.exists(key):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self.name(key))
        return True


def _body_chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


BACKENDS = ("local", "s3")


def make_backend(config, instance_path: str | Path) -> FileBackend:
    """The backend ``config`` names (``STORAGE_BACKEND``)."""
    kind = (config.get("STORAGE_BACKEND") or "local").strip().lower()
    if kind == "s3":
        return S3Files.from_config(config)
    if kind == "local":
        return LocalFiles(Path(instance_path) / "uploads")
    raise ConfigurationError(f"STORAGE_BACKEND doit valoir « local » ou « s3 » (reçu : {kind!r}).")


def backend() -> FileBackend:
    """The current application's file backend (made on first use, then shared by its threads)."""
    files = current_app.extensions.get("marketplace.storage")
    if files is None:
        files = make_backend(current_app.config, current_app.instance_path)
        current_app.extensions["marketplace.storage"] = files
    return files


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
