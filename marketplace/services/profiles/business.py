"""Step 6: legal form, SIRET, VAT regime and number (key checked against the SIREN), IBAN, billing address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from stdnum import bic as stdnum_bic
from stdnum.exceptions import ValidationError

from marketplace.db import utcnow
from marketplace.domain import LegalForm, VatRegime
from marketplace.errors import DomainError
from marketplace.formatting import euros
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.platform import mail
from marketplace.platform.identifiers import (
    validate_fr_vat,
    validate_iban,
    validate_siret,
)
from marketplace.services.profiles.rules import (
    MAX_OFF_PLATFORM_TURNOVER_CENTS,
    MAX_SHARE_CAPITAL_CENTS,
)
from marketplace.services.profiles.steps import (
    Edit,
    StepResult,
    announce_changes,
    one_line,
)


@dataclass
class BusinessData:
    business_name: str = ""
    legal_form: str | None = None
    siret: str = ""
    vat_regime: str | None = None
    vat_number: str = ""
    vat_debits_option: bool = False
    iban: str = ""
    bic: str = ""
    billing_address_line: str = ""
    billing_postal_code: str = ""
    billing_city: str = ""
    off_platform_turnover_cents: int | None = None
    share_capital_cents: int | None = None  # EURL, SASU: printed on invoices with the RCS city
    rcs_city: str = ""


def save_business(
    session: Session, profile: FreelancerProfile, data: BusinessData, *, actor: User | None = None,
    ip_address: str | None = None,
) -> StepResult:
    """Legal form, SIRET, VAT regime and number (key checked against the SIREN), IBAN, billing address."""
    edit = Edit(profile)
    previous_iban = profile.iban
    edit.set("business_name", one_line(data.business_name, 200))

    if not data.legal_form:
        edit.set("legal_form", None)
    elif data.legal_form not in LegalForm.values():
        edit.fail(DomainError(_l("Choisissez une forme juridique dans la liste."), "legal_form"))
    else:
        edit.set("legal_form", data.legal_form)

    siret = profile.siret
    if not (data.siret or "").strip():
        edit.set("siret", None)
        siret = None
    else:
        try:
            siret = validate_siret(data.siret)
            edit.set("siret", siret)
        except DomainError as exc:
            edit.fail(exc)

    regime = data.vat_regime or None
    if regime is not None and regime not in VatRegime.values():
        edit.fail(DomainError(_l("Choisissez un régime de TVA."), "vat_regime"))
        regime = profile.vat_regime
    else:
        edit.set("vat_regime", regime)
    if regime == VatRegime.LIABLE.value:
        if not (data.vat_number or "").strip():
            edit.set("vat_number", None)
        else:
            try:
                edit.set("vat_number", validate_fr_vat(data.vat_number, siret[:9] if siret else None))
            except DomainError as exc:
                edit.fail(exc)
        edit.set("vat_debits_option", bool(data.vat_debits_option))
    else:
        # Under the franchise the invoices carry the art. 293 B mention and no VAT number.
        edit.set("vat_number", None)
        edit.set("vat_debits_option", False)

    if not (data.iban or "").strip():
        edit.set("iban", None)
    else:
        try:
            edit.set("iban", validate_iban(data.iban))
        except DomainError as exc:
            edit.fail(exc)
    bic = "".join((data.bic or "").split()).upper()
    if not bic:
        edit.set("bic", None)
    else:
        try:
            edit.set("bic", stdnum_bic.validate(bic))
        except ValidationError:
            edit.fail(DomainError(_l("Ce BIC n'est pas valide (8 ou 11 caractères, ex. BNPAFRPP)."), "bic"))

    edit.set("billing_address_line", one_line(data.billing_address_line, 200))
    postal_code = "".join((data.billing_postal_code or "").split())
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        edit.fail(DomainError(_l("Le code postal doit comporter 5 chiffres."), "billing_postal_code"))
    else:
        edit.set("billing_postal_code", postal_code)
    edit.set("billing_city", one_line(data.billing_city, 120))
    if data.share_capital_cents is not None and not 0 < data.share_capital_cents <= MAX_SHARE_CAPITAL_CENTS:
        edit.fail(DomainError(_l("Indiquez un capital entre 1 € et %(amount)s.", amount=euros(MAX_SHARE_CAPITAL_CENTS)), "share_capital"))
    else:
        edit.set("share_capital_cents", data.share_capital_cents)
    edit.set("rcs_city", one_line(data.rcs_city, 120) or None)
    if data.off_platform_turnover_cents is not None:
        if not 0 <= data.off_platform_turnover_cents <= MAX_OFF_PLATFORM_TURNOVER_CENTS:
            edit.fail(DomainError(
                _l("Indiquez un montant entre 0 et %(amount)s.", amount=euros(MAX_OFF_PLATFORM_TURNOVER_CENTS)), "off_platform_turnover"))
        else:
            edit.set("off_platform_turnover_cents", data.off_platform_turnover_cents)

    user = actor or profile.user
    announce_changes(session, profile, edit.result.changed, user, ip_address)
    if "iban" in edit.result.changed and previous_iban:
        # Payouts follow the IBAN: a change is told to the account holder, whoever made it.
        mail.send(
            session, to=profile.user.email, subject=_l("Vos coordonnées bancaires ont été modifiées"),
            template="iban_changed", user_id=profile.user_id, profile=profile, changed_at=utcnow(),
        )
    return edit.result
