"""Serving stored files to the people allowed to read them."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, request
from flask_login import current_user, login_required

from marketplace.db import db
from marketplace.errors import NotFound
from marketplace.platform import storage as documents
from marketplace.web.public import bp


@bp.route("/fichiers/<int:document_id>")
@login_required
def document_file(document_id: int):
    """A stored document, inline (or as a download with ``?telecharger=1``)."""
    try:
        document = documents.get_for_user(db.session, current_user, document_id)
    except NotFound:
        abort(404)
    path = documents.path_of(document)
    if not path.exists():
        abort(404)
    # Files are bounded (10 MB), so reading them whole keeps the handling simple.
    response = Response(path.read_bytes(), mimetype=document.content_type)
    disposition = "attachment" if request.args.get("telecharger") else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(document.original_name)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
