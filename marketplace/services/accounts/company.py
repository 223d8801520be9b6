"""The company's own details: name, headcount, SIRET, address, billing contact; edited by its owners, audited.

What an invoice says of the buyer is frozen when it is issued (``billing.identities``):
a change here reaches the invoices issued afterwards, never those already issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.errors import DomainError, NotFound, PermissionDenied, raise_if_any
from marketplace.geo import find_commune
from marketplace.models.companies import Company
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.platform.identifiers import validate_siret, vat_number_for_siren
from marketplace.services.accounts.operations import normalize_email

# The bounds of each field (the columns' sizes; a headcount the platform can serve and beyond).
NAME_MAX = 200
ADDRESS_MAX = 200
CONTACT_MAX = 160
HEADCOUNT_MAX = 100_000
# The fields an edit may change, in the order the audit lists them.
FIELDS = ("legal_name", "headcount", "siret", "siren", "vat_number", "address_line", "postal_code", "city",
          "commune_code", "latitude", "longitude", "billing_contact_name", "billing_email")


@dataclass
class CompanyData:
    legal_name: str
    headcount: int | None
    siret: str
    address_line: str = ""
    postal_code: str = ""
    city: str = ""
    billing_contact_name: str = ""
    billing_email: str = ""


def may_edit(user: User, company: Company) -> bool:
    """The company's owners edit its details; its other members read them."""
    return user.company_id == company.id and user.is_company_owner


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def update(session: Session, company: Company, actor: User, data: CompanyData) -> dict[str, list]:
    """Check every field at once (InvalidInput lists each refusal), then save and audit; the changes made."""
    if actor.company_id != company.id:
        raise NotFound()
    if not may_edit(actor, company):
        raise PermissionDenied(_l("Seuls les titulaires du compte de l'entreprise modifient ses informations."))
    errors: list[DomainError] = []
    values: dict[str, object] = {}

    name = _one_line(data.legal_name)
    if not name:
        errors.append(DomainError(_l("Indiquez la raison sociale de l'entreprise."), "legal_name"))
    elif len(name) > NAME_MAX:
        errors.append(DomainError(_l("La raison sociale tient en %(NAME_MAX)s caractères au plus.", NAME_MAX=NAME_MAX), "legal_name"))
    else:
        values["legal_name"] = name

    if data.headcount is None:
        errors.append(DomainError(_l("Indiquez l'effectif."), "headcount"))
    elif not 1 <= data.headcount <= HEADCOUNT_MAX:
        errors.append(DomainError(_l("L'effectif doit être compris entre 1 et 100\u202f000 personnes."), "headcount"))
    else:
        values["headcount"] = data.headcount

    try:
        siret = validate_siret(data.siret)
    except DomainError as exc:
        errors.append(exc)
    else:
        taken = session.scalar(select(Company.id).where(Company.siret == siret, Company.id != company.id))
        if taken is not None:
            errors.append(DomainError(_l("Ce SIRET est déjà celui d'une autre entreprise inscrite."), "siret"))
        else:
            values["siret"], values["siren"] = siret, siret[:9]
            if company.vat_number and siret[:9] != company.siren:
                # The intra-EU VAT number is derived from the SIREN: it follows it.
                values["vat_number"] = vat_number_for_siren(siret[:9])

    address = _one_line(data.address_line)
    if len(address) > ADDRESS_MAX:
        errors.append(DomainError(_l("L'adresse tient en %(ADDRESS_MAX)s caractères au plus.", ADDRESS_MAX=ADDRESS_MAX), "address_line"))
    else:
        values["address_line"] = address
    postal_code = "".join((data.postal_code or "").split())
    if postal_code and not (postal_code.isascii() and postal_code.isdigit() and len(postal_code) == 5):
        errors.append(DomainError(_l("Le code postal compte 5 chiffres."), "postal_code"))
    else:
        values["postal_code"] = postal_code

    commune = find_commune(_one_line(data.city)) if _one_line(data.city) else None
    if commune is None:
        errors.append(DomainError(_l("Ville inconnue : choisissez une commune dans la liste proposée."), "city"))
    elif commune.name != company.city:
        values.update(city=commune.name, latitude=commune.latitude, longitude=commune.longitude, commune_code=None)

    contact = _one_line(data.billing_contact_name)
    if len(contact) > CONTACT_MAX:
        errors.append(DomainError(_l("Le nom du contact tient en %(CONTACT_MAX)s caractères au plus.", CONTACT_MAX=CONTACT_MAX),
                                  "billing_contact_name"))
    else:
        values["billing_contact_name"] = contact or None
    if not (data.billing_email or "").strip():
        errors.append(DomainError(_l("Indiquez l'adresse e-mail où envoyer les factures."), "billing_email"))
    else:
        try:
            values["billing_email"] = normalize_email(data.billing_email, "billing_email")
        except DomainError as exc:
            errors.append(exc)

    raise_if_any(errors)
    changes = {key: [getattr(company, key), values[key]] for key in FIELDS
               if key in values and getattr(company, key) != values[key]}
    if not changes:
        return {}
    for key, (_before, after) in changes.items():
        setattr(company, key, after)
    try:
        session.flush()
    except IntegrityError as exc:  # another company took this SIRET meanwhile (the boundary rolls back)
        raise DomainError(_l("Ce SIRET est déjà celui d'une autre entreprise inscrite."), "siret") from exc
    audited = {key: value for key, value in changes.items() if key not in ("latitude", "longitude", "commune_code")}
    record(session, actor, "company.updated", company, details={"changes": audited})
    return changes
