"""Identifiers against the vectors of LEGAL.md."""

import pytest

from marketplace.errors import DomainError
from marketplace.platform.identifiers import (
    validate_fr_vat,
    validate_iban,
    validate_siren,
    validate_siret,
    vat_number_for_siren,
)


def test_siret_vectors():
    assert validate_siret("732 829 320 00074") == "73282932000074"
    with pytest.raises(DomainError, match="clé de contrôle") as exc:
        validate_siret("73282932000079")
    assert exc.value.field == "siret"
    with pytest.raises(DomainError, match="14 chiffres"):
        validate_siret("7328293200007")


def test_la_poste_siret_exception():
    # La Poste's establishments fail Luhn but pass when the digit sum is divisible by 5.
    assert validate_siret("35600000000048") == "35600000000048"


def test_siren_vectors():
    assert validate_siren("404833048") == "404833048"
    with pytest.raises(DomainError):
        validate_siren("404833047")


def test_vat_key_must_match_the_siren():
    assert vat_number_for_siren("732829320") == "FR44732829320"
    assert validate_fr_vat("FR 44 732829320", siren="732829320") == "FR44732829320"
    with pytest.raises(DomainError, match="ne correspond pas à votre SIREN"):
        validate_fr_vat("FR44732829320", siren="404833048")
    with pytest.raises(DomainError, match="pas valide"):
        validate_fr_vat("FR45732829320")


def test_iban():
    assert validate_iban("FR76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    with pytest.raises(DomainError, match="IBAN"):
        validate_iban("FR76 3000 6000 0112 3456 7890 188")
