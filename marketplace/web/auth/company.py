"""« Mon entreprise » in the account settings: the company's details, edited by its owners.

The settings page (``auth/settings.html``) shows this card through the template global
``company_settings_form()``: the owners get the form (the one they just sent, errors and
typing kept, after a refusal), the other members read the details.
"""

from __future__ import annotations

from flask import abort, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, StringField
from wtforms.validators import InputRequired, Length, Optional

from marketplace.db import db
from marketplace.platform.identifiers import format_siret
from marketplace.services.accounts import company as company_details
from marketplace.web.auth import bp, privacy
from marketplace.web.authz import company_owner_required
from marketplace.web.boundary import submit
from marketplace.web.fields import FrenchIntegerField
from marketplace.web.forms import REQUIRED, BaseForm


class CompanyForm(BaseForm):
    legal_name = StringField(_l("Raison sociale"), validators=[InputRequired(REQUIRED), Length(max=200)])
    headcount = FrenchIntegerField(_l("Effectif (salariés)"), validators=[InputRequired(_l("Indiquez l'effectif."))],
                                   minimum=1, maximum=company_details.HEADCOUNT_MAX)
    siret = StringField(_l("SIRET du siège"), validators=[InputRequired(REQUIRED), Length(max=20)],
                        description=_l("14 chiffres, sur votre Kbis ou l'avis de situation INSEE."))
    address_line = StringField(_l("Adresse"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Code postal"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("Ville"), validators=[InputRequired(REQUIRED), Length(max=120)],
                       render_kw={"list": "communes-list", "autocomplete": "off", "data-commune-search": "1"})
    billing_contact_name = StringField(_l("Contact de facturation (nom)"), validators=[Optional(), Length(max=160)])
    billing_email = EmailField(_l("E-mail de facturation"), validators=[InputRequired(REQUIRED), Length(max=254)],
                               description=_l("Les factures et les avis de paiement y sont envoyés."))


def _form_for(company) -> CompanyForm:
    return CompanyForm(prefix="co", formdata=None, data={
        "legal_name": company.legal_name, "headcount": company.headcount,
        "siret": format_siret(company.siret) if company.siret else "", "address_line": company.address_line,
        "postal_code": company.postal_code, "city": company.city,
        "billing_contact_name": company.billing_contact_name or "", "billing_email": company.billing_email or "",
    })


@bp.app_template_global("company_settings_form")
def company_settings_form() -> CompanyForm | None:
    """The company card's form for an owner (the refused one when there is one); None for anybody else."""
    if not (current_user.is_authenticated and current_user.is_company_owner and current_user.company):
        return None
    return g.get("company_form") or _form_for(current_user.company)


@bp.route("/parametres/entreprise", methods=["POST"])
@company_owner_required
def company_settings():
    """Save the company's details: every error at once, beside its field, what was typed kept."""
    company = current_user.company
    if company is None:
        abort(404)
    form = CompanyForm(prefix="co")
    done = submit(form, lambda: company_details.update(db.session, company, current_user, company_details.CompanyData(
        legal_name=form.legal_name.data or "", headcount=form.headcount.data, siret=form.siret.data or "",
        address_line=form.address_line.data or "", postal_code=form.postal_code.data or "",
        city=form.city.data or "", billing_contact_name=form.billing_contact_name.data or "",
        billing_email=form.billing_email.data or "",
    )), success=lambda changes: (_("Informations de l'entreprise enregistrées : elles figureront sur les prochaines "
                                    "factures.") if changes else _("Aucune modification.")))
    if done:
        return redirect(url_for("auth.settings") + "#entreprise")
    g.company_form = form
    return privacy.render_settings(), 422
