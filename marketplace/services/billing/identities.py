"""Who sells and who buys, as printed on an invoice: the freelancer, the SME, the platform.

Each party is frozen on the invoice when it is issued (``Invoice.seller`` / ``buyer``),
so a later change of address or name never alters an issued document. What a seller
must show comes from LEGAL.md: a sole trader's name carries « EI » and the mention
« Entrepreneur individuel »; a company its legal form, share capital and RCS city.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace.domain import LegalForm
from marketplace.errors import DomainError
from marketplace.formatting import euros
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.services.billing.document import Party

SOLE_TRADER_FORMS = (LegalForm.MICRO.value, LegalForm.EI.value)
COMPANY_FORMS = {LegalForm.EURL.value: "EURL", LegalForm.SASU.value: "SASU"}


def freelancer_party(profile: FreelancerProfile) -> Party:
    """The freelancer as the seller (or as the buyer of the platform's fee); DomainError when incomplete."""
    missing = []
    if not profile.siret:
        missing.append("SIRET")
    if not (profile.billing_address_line and profile.billing_postal_code and profile.billing_city):
        missing.append("adresse de facturation")
    if profile.legal_form in COMPANY_FORMS and not (profile.share_capital_cents and profile.rcs_city):
        missing.append("capital social et ville du RCS")
    if missing:
        raise DomainError(_l("Identité de facturation incomplète (%(join)s) : le freelance doit compléter l'étape « Entreprise » de son profil.", join=', '.join(missing)))
    base = (profile.business_name or profile.display_name).strip()
    if profile.legal_form in SOLE_TRADER_FORMS:
        name = base if base.endswith(" EI") or " EI " in base else f"{base} EI"
        mention = "Entrepreneur individuel"
    elif profile.legal_form in COMPANY_FORMS:
        name = base
        mention = (f"{COMPANY_FORMS[profile.legal_form]} au capital de {euros(profile.share_capital_cents)} – "
                   f"RCS {profile.rcs_city}")
    else:  # portage: the umbrella company invoices; the platform never reaches here for it
        name, mention = base, ""
    return Party(
        name=name, legal_mention=mention, siren=profile.siret[:9], siret=profile.siret,
        vat_number=profile.vat_number or None, address_line=profile.billing_address_line,
        postal_code=profile.billing_postal_code, city=profile.billing_city, email=profile.user.email,
        iban=profile.iban or None, bic=profile.bic or None,
    )


def company_party(company: Company) -> Party:
    """The SME as the buyer: name, SIREN, SIRET, address."""
    return Party(
        name=company.legal_name, legal_mention="", siren=company.siren, siret=company.siret,
        vat_number=company.vat_number or None, address_line=company.address_line,
        postal_code=company.postal_code or "", city=company.city, email=company.billing_email or None,
    )


def platform_party() -> Party:
    """The platform as the seller of its fee invoices (configured: PLATFORM_*)."""
    config = current_app.config
    siret = config["PLATFORM_SIRET"]
    return Party(
        name=config["PLATFORM_LEGAL_NAME"], legal_mention=config["PLATFORM_LEGAL_MENTION"], siren=siret[:9],
        siret=siret, vat_number=config["PLATFORM_VAT_NUMBER"], address_line=config["PLATFORM_ADDRESS_LINE"],
        postal_code=config["PLATFORM_POSTAL_CODE"], city=config["PLATFORM_CITY"],
        email=config["PLATFORM_BILLING_EMAIL"], iban="".join((config.get("PLATFORM_IBAN") or "").split()) or None,
        bic=config.get("PLATFORM_BIC") or None,
    )


def frozen(party: Party) -> dict:
    """A party as stored on the invoice."""
    return asdict(party)


def thawed(data: dict) -> Party:
    return Party(**data)
