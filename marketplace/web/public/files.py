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
        document = documents.get_for_user(db.session, current_user, document_id)
    except NotFound:
        abort(404)
    path = documents.path_of(document)
    if not path.exists():
        abort(404)
    return document, path


def private_file(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    return response


@bp.route("/fichiers/<int:document_id>")
@login_required
def document_file(document_id: int):
    """A stored document: images inline (sandboxed), PDFs as a download."""
    document, path = _readable(document_id)
    # Files are bounded (10 MB), so reading them whole keeps the handling simple.
    response = Response(path.read_bytes(), mimetype=document.content_type)
    disposition = "inline" if document.content_type in (documents.PNG, documents.JPEG) else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(document.original_name)}"
    return private_file(response)


@bp.route("/fichiers/<int:document_id>/apercu/<int:page>")
@login_required
def document_preview(document_id: int, page: int):
    """One page of a stored PDF as an image, rendered on the server (nothing in the PDF runs anywhere)."""
    document, path = _readable(document_id)
    if document.content_type != documents.PDF or page >= MAX_PREVIEW_PAGES:
        abort(404)
    image = pdf.page_png(path.read_bytes(), page)
    if image is None:
        abort(404)
    return private_file(Response(image, mimetype="image/png"))
