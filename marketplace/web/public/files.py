"""Serving stored files to the people allowed to read them, without ever running what they contain.

PDFs are downloaded (``Content-Disposition: attachment``); images are shown inline
under ``Content-Security-Policy: sandbox``. To look at a PDF without opening it, the
console shows its pages as images rendered on the server (:func:`document_preview`).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort
from flask_login import current_user, login_required

from marketplace.db import db
from marketplace.errors import NotFound
from marketplace.platform import pdf
from marketplace.platform import storage as documents
from marketplace.web.public import bp

# A sandboxed document runs no script and opens nothing, whatever it holds.
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
MAX_PREVIEW_PAGES = 20


def _readable(document_id: int):
    try:
        return documents.get_for_user(db.session, current_user, document_id)
    except NotFound:
        abort(404)


def stream_file(document, disposition: str) -> Response:
    """The document's bytes streamed from the storage (local or object store); 404 when they are gone."""
    try:
        stored = documents.open_stream(document)
    except FileNotFoundError:
        abort(404)
    response = Response(stored.chunks, mimetype=document.content_type, direct_passthrough=True)
    response.content_length = stored.size
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(document.original_name)}"
    return private_file(response)


def private_file(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    return response


@bp.route("/fichiers/<int:document_id>")
@login_required
def document_file(document_id: int):
    """A stored document: images inline (sandboxed), PDFs as a download."""
    document = _readable(document_id)
    return stream_file(document, "inline" if document.content_type in (documents.PNG, documents.JPEG) else "attachment")


@bp.route("/fichiers/<int:document_id>/apercu/<int:page>")
@login_required
def document_preview(document_id: int, page: int):
    """One page of a stored PDF as an image, rendered on the server (nothing in the PDF runs anywhere)."""
    document = _readable(document_id)
    if document.content_type != documents.PDF or page >= MAX_PREVIEW_PAGES:
        abort(404)
    try:
        content = documents.read(document)
    except FileNotFoundError:
        abort(404)
    image = pdf.page_png(content, page)
    if image is None:
        abort(404)
    return private_file(Response(image, mimetype="image/png"))
