"""French business identifiers, checked with python-stdnum, with French messages."""

from __future__ import annotations

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from marketplace.errors import DomainError


def clean_digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if not ch.isspace() and ch not in ".-")


def validate_siret(value: str, field: str = "siret") -> str:
    """A valid SIRET (14 digits, Luhn; La Poste exception), compact; else DomainError."""
    compact = clean_digits(value)
    if not compact.isdigit() or len(compact) != 14:
        raise DomainError("Le SIRET doit comporter 14 chiffres.", field)
    try:
        return stdnum_siret.validate(compact)
    except ValidationError as exc:
        raise DomainError("Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas.", field) from exc


def validate_siren(value: str, field: str = "siren") -> str:
    """A valid SIREN (9 digits, Luhn), compact; else DomainError."""
    compact = clean_digits(value)
    if not compact.isdigit() or len(compact) != 9:
        raise DomainError("Le SIREN doit comporter 9 chiffres.", field)
    try:
        return stdnum_siren.validate(compact)
    except ValidationError as exc:
        raise DomainError("Ce SIREN n'est pas valide : la clé de contrôle ne correspond pas.", field) from exc


def vat_number_for_siren(siren: str) -> str:
    """The French VAT number of a SIREN: FR + key + SIREN."""
    return "FR" + stdnum_siren.to_tva(siren)


def validate_fr_vat(value: str, siren: str | None = None, field: str = "vat_number") -> str:
    """A valid French VAT number whose key matches ``siren`` when given."""
    compact = clean_digits(value).upper().removeprefix("FR")
    try:
        compact = "FR" + stdnum_tva.validate(compact)
    except ValidationError as exc:
        raise DomainError(
            "Ce numéro de TVA intracommunautaire n'est pas valide (format FR + clé + SIREN).", field
        ) from exc
    if siren and compact[4:] != siren:
        raise DomainError(
            f"Ce numéro de TVA ne correspond pas à votre SIREN {siren} "
            f"(attendu : {vat_number_for_siren(siren)}).",
            field,
        )
    return compact


def validate_iban(value: str, field: str = "iban") -> str:
    """A valid IBAN (checksum and country format), compact; else DomainError."""
    compact = clean_digits(value).upper()
    try:
        return stdnum_iban.validate(compact)
    except ValidationError as exc:
        raise DomainError("Cet IBAN n'est pas valide : vérifiez sa saisie (clé de contrôle).", field) from exc


def format_iban(value: str) -> str:
    return stdnum_iban.format(value)


def format_siret(value: str) -> str:
    return stdnum_siret.format(value)


PHONE_MESSAGE = "Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +33 6 12 34 56 78)."
# Longest text a phone field reads (« +33 (0)6 12 34 56 78 poste 123 » fits).
MAX_PHONE_CHARS = 32


def normalize_phone(value: str | None, field: str = "phone", region: str = "FR") -> str | None:
    """A valid phone number in E.164 (« 06 11 22 33 44 » → ``+33611223344``); blank gives None.

    Numbers without a country code are read as French; others need their ``+`` prefix.
    """
    raw = (value or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_PHONE_CHARS:
        raise DomainError(PHONE_MESSAGE, field)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise DomainError(PHONE_MESSAGE, field) from exc
    if not phonenumbers.is_valid_number(number):
        raise DomainError(PHONE_MESSAGE, field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

