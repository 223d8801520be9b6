"""Provider webhooks: the raw body is verified before anything is stored (CSRF does not apply: Stripe signs)."""

from __future__ import annotations

from flask import abort, jsonify, request

from marketplace.db import db
from marketplace.extensions import csrf
from marketplace.services.payments import gateway as provider
from marketplace.services.payments import webhooks
from marketplace.web.boundary import attempt
from marketplace.web.public import bp

MAX_BODY = 512 * 1024  # Stripe events are a few kilobytes


@bp.route("/webhooks/stripe", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """A Stripe event: 400 on a bad signature (nothing stored), 200 once stored (or already known)."""
    if not provider.configured():
        abort(404)
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    payload = request.get_data(cache=False)
    done = attempt(lambda: webhooks.receive(db.session, payload, request.headers.get("Stripe-Signature")), quiet=True)
    if not done:
        return jsonify(error="invalid_event", message=done.error.message), 400
    stored, new = done.value
    return jsonify(received=stored.event_id, duplicate=not new), 200
