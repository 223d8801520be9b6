"""The freelancer's payouts: what the platform paid them for each invoice, and Stripe Connect onboarding.

« Configurer mes versements » sends them to Stripe's hosted onboarding page
(``connect.onboarding_link``); Stripe sends them back to ``freelancer.payouts_return``
(the account is read again from Stripe) or, when the single-use link has expired, to
``freelancer.payouts_onboard``, which makes a new one. Without Stripe keys they are paid
by bank transfer to the IBAN of their profile.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db
from marketplace.services.payments import connect
from marketplace.services.payments import queries as payment_queries
from marketplace.web.boundary import attempt
from marketplace.web.context import add_nav_item
from marketplace.web.forms import BaseForm
from marketplace.web.freelancer import billing as _billing  # noqa: F401  (« Factures » comes first in the menu)
from marketplace.web.freelancer import bp
from marketplace.web.payment_views import (
    PAYOUT_STATUS_LABELS,
    cards_configured,
    connect_status,
    refresh_connect,
)

add_nav_item("freelancer", "freelancer.payouts", _l("Versements"))

# Payouts listed on the page, latest first.
PAGE = 60


def _profile():
    profile = current_user.freelancer_profile
    if profile is None:  # every freelancer account is created with its profile
        abort(404)
    return profile


@bp.route("/versements")
def payouts():
    """Each payout (invoice, amount, fee, status, date) and how the freelancer is paid: Stripe or transfer."""
    profile = _profile()
    return render_template(
        "payments/freelancer_payouts.html", profile=profile, connect=connect_status(profile),
        payouts=payment_queries.payouts_for_freelancer(db.session, profile.id, limit=PAGE),
        status_labels=PAYOUT_STATUS_LABELS, form=BaseForm(),
    )


@bp.route("/versements/configurer", methods=["GET", "POST"])
def payouts_onboard():
    """« Configurer mes versements »: Stripe's hosted onboarding (Stripe's refresh_url too: a new link)."""
    profile = _profile()
    if not cards_configured():
        flash(_("Les versements automatiques ne sont pas activés sur la plateforme : vous êtes payé par virement."),
              "info")
        return redirect(url_for("freelancer.payouts"))
    if request.method == "POST":
        if not BaseForm().validate():
            return redirect(url_for("freelancer.payouts"))
    elif not profile.stripe_account_id:
        # A link followed rather than the button: no account is created behind the freelancer's back.
        return redirect(url_for("freelancer.payouts"))
    done = attempt(lambda: connect.onboarding_link(db.session, profile))
    if not done:
        return redirect(url_for("freelancer.payouts"))
    return redirect(done.value.url, code=303)


@bp.route("/versements/retour")
def payouts_return():
    """Back from Stripe's onboarding: the account is read from Stripe, and what it still needs is said."""
    profile = _profile()
    if cards_configured() and profile.stripe_account_id:
        done = attempt(lambda: refresh_connect(profile))
        if done:
            status = connect_status(profile)
            if status.state == "enabled":
                flash(_("Versements activés : chaque facture payée vous est reversée automatiquement par Stripe, "
                      "frais de service déduits."), "success")
            elif status.missing:
                flash(_("Stripe a encore besoin de : %(join)s. Reprenez la configuration quand vous les avez sous la main ; d'ici là, vous êtes payé par virement.", join=', '.join(status.missing)), "warning")
            else:
                flash(_("Stripe vérifie vos informations : vos versements seront activés dès qu'il les aura validées."),
                      "info")
    return redirect(url_for("freelancer.payouts"))
