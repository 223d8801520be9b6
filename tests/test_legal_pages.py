"""The legal pages are real: configured publisher and host, the intermediary role, the mandate, data and cookies."""

from __future__ import annotations

import html
import re

import pytest

from marketplace.services.privacy import rules as privacy_rules
from tests.conftest import make_test_app

PUBLISHER = {
    "LEGAL_PUBLISHER_NAME": "Atelier Partagé SAS",
    "LEGAL_PUBLISHER_ADDRESS": "3 place Bellecour, 69002 Lyon",
    "LEGAL_PUBLISHER_SIRET": "73282932000074",
    "LEGAL_PUBLICATION_DIRECTOR": "Jeanne Martin",
    "LEGAL_CONTACT_EMAIL": "bonjour@atelier-partage.example",
    "LEGAL_PRIVACY_EMAIL": "dpo@atelier-partage.example",
    "LEGAL_HOST_NAME": "Hébergeur Exemple SAS",
    "LEGAL_HOST_ADDRESS": "1 rue du Serveur, 59100 Roubaix",
    "LEGAL_HOST_CONTACT": "+33 3 00 00 00 00",
}


@pytest.fixture()
def legal_client(engine, tmp_path):
    return make_test_app(engine, tmp_path, **PUBLISHER).test_client()


def text_of(response) -> str:
    assert response.status_code == 200
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_legal_notices_name_the_configured_publisher_and_host(legal_client):
    text = text_of(legal_client.get("/legal/mentions-legales"))
    for value in PUBLISHER.values():
        if value != PUBLISHER["LEGAL_PRIVACY_EMAIL"]:
            assert " ".join(value.split()) in text, value
    assert "Directeur de la publication Jeanne Martin" in text
    assert "La plateforme est un intermédiaire" in text and "article 242 bis" in text
    assert "renseigne ici" not in text and "[LEGAL_" not in text


def test_terms_carry_the_mandate_payment_fees_notice_and_disputes(legal_client):
    text = text_of(legal_client.get("/legal/conditions-generales"))
    assert "Mandat de facturation" in text and "289-I-2" in text
    assert "Responsabilité de la TVA" in text and "15 jours" in text  # the mandate's own clauses
    assert "commission de 15 %" in text  # PLATFORM_FEE_RATE
    assert "préavis d'un mois" in text and "Contestations et litiges" in text
    assert "attestation de vigilance URSSAF" in text and "40 €" in text
    assert "Atelier Partagé SAS" in text


def test_privacy_policy_lists_the_data_schedule_and_every_cookie(legal_client):
    text = text_of(legal_client.get("/legal/confidentialite"))
    assert "Atelier Partagé SAS" in text and "dpo@atelier-partage.example" in text
    assert "Hébergeur Exemple SAS" in text  # a processor
    for row in privacy_rules.SCHEDULE:  # the privacy area's own schedule, not a copy
        assert " ".join(row.duration.split()) in text
    for cookie in privacy_rules.COOKIES:
        assert cookie.name in text
    assert "jeton anti-falsification des formulaires (CSRF)" in text and "la langue choisie" in text
    assert "aucun cookie de mesure d'audience" in text


def test_defaults_leave_visible_placeholders_to_fill(client):
    text = text_of(client.get("/legal/mentions-legales"))
    assert "[LEGAL_PUBLICATION_DIRECTOR" in text and "[LEGAL_HOST_NAME" in text
