"""Fraud and duplicate signals against other profiles, and experience consistency."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.db import utcnow
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile
from marketplace.models.vetting import CheckStatus
from marketplace.services.vetting import fraud
from tests.factories import (
    FreelancerProfileFactory,
    SubmittedProfileFactory,
    UserFactory,
)

BIO = (
    "Office manager depuis douze ans en PME et en start-up. J'ai piloté le déménagement de nos bureaux "
    "de 120 postes, créé le parcours d'intégration des nouveaux arrivants et renégocié les contrats "
    "fournisseurs (−18 % sur les achats généraux). Rigueur, discrétion et sens du service."
)
OTHER_BIO = (
    "Assistante de direction devenue office manager, j'accompagne des cabinets d'avocats : tenue des "
    "registres obligatoires, préparation des variables de paie avec l'expert-comptable, organisation "
    "du séminaire annuel et animation de la newsletter interne."
)


def signals_of(session, profile) -> dict[str, set[int]]:
    outcome = fraud.duplicates_outcome(session, profile, utcnow())
    found: dict[str, set[int]] = {}
    for signal in outcome.details["signals"]:
        found.setdefault(signal["kind"], set()).add(signal["profile_id"])
    return found


def test_no_signal_between_distinct_profiles(app_ctx, db_session):
    FreelancerProfileFactory(bio=OTHER_BIO)
    me = SubmittedProfileFactory(bio=BIO)
    outcome = fraud.duplicates_outcome(db_session, me, utcnow())
    assert outcome.status == CheckStatus.PASSED
    assert outcome.summary == "Aucun doublon parmi 1 autre profil."
    assert outcome.expires_at > utcnow() + timedelta(days=29)  # refreshed monthly: others change


def test_same_siret_or_iban_fails_naming_the_other_profile(app_ctx, db_session):
    other = FreelancerProfileFactory(user__first_name="Nadia", user__last_name="Benali")
    me = SubmittedProfileFactory(siret=other.siret, iban=other.iban)
    outcome = fraud.duplicates_outcome(db_session, me, utcnow())
    assert outcome.status == CheckStatus.FAILED
    assert "Même SIRET que Nadia Benali" in outcome.summary and "Même IBAN" in outcome.summary
    assert signals_of(db_session, me) == {"siret": {other.id}, "iban": {other.id}}


def test_same_siren_other_establishment_is_a_warning(app_ctx, db_session):
    other = FreelancerProfileFactory(siret="73282932000074")
    me = SubmittedProfileFactory(siret="73282932000082")
    assert signals_of(db_session, me) == {"siren": {other.id}}
    assert fraud.duplicates_outcome(db_session, me, utcnow()).status == CheckStatus.WARNING


def test_portage_freelancers_may_share_their_company_siret(app_ctx, db_session):
    other = FreelancerProfileFactory(legal_form="portage", vat_regime="liable")
    me = SubmittedProfileFactory(legal_form="portage", vat_regime="liable", siret=other.siret)
    assert "siret" not in signals_of(db_session, me)


@pytest.mark.parametrize(
    ("mine", "theirs", "same"),
    [
        ("06 12 34 56 78", "+33 6 12 34 56 78", True),
        ("0033612345678", "06.12.34.56.78", True),
        ("06 12 34 56 78", "06 12 34 56 79", False),
        (None, None, False),
    ],
)
def test_same_phone_in_any_format(app_ctx, db_session, mine, theirs, same):
    other = FreelancerProfileFactory(user__phone=theirs)
    me = SubmittedProfileFactory(user__phone=mine)
    assert ("phone" in signals_of(db_session, me)) is same
    if same:
        assert signals_of(db_session, me)["phone"] == {other.id}


@pytest.mark.parametrize(
    ("mine", "theirs", "same"),
    [
        ("marie.martin+om@gmail.com", "mariemartin87@googlemail.com", True),
        ("m.a.r.i.e.martin@outlook.fr", "mariemartin2@outlook.fr", True),
        ("marie.martin@outlook.fr", "marie.martin@gmail.com", False),
        ("lea@ex.test", "lea2@ex.test", False),  # too short a pattern to mean anything
    ],
)
def test_email_patterns(mine, theirs, same):
    assert (fraud.email_pattern(mine) == fraud.email_pattern(theirs) and fraud.email_pattern(mine) is not None) is same


def test_same_email_pattern_is_a_signal(app_ctx, db_session):
    other = FreelancerProfileFactory(user=UserFactory(role="freelancer", email="camille.dupont@orange.fr"))
    me = SubmittedProfileFactory(user=UserFactory(role="freelancer", email="camilledupont75@orange.fr"))
    assert signals_of(db_session, me) == {"email_pattern": {other.id}}


def test_near_duplicate_bio_is_found_by_tfidf_cosine(app_ctx, db_session):
    FreelancerProfileFactory(bio=OTHER_BIO)
    original = FreelancerProfileFactory(bio=BIO)
    copied = BIO.replace("douze", "quinze").replace("Rigueur, discrétion", "Rigueur, bonne humeur")
    me = SubmittedProfileFactory(bio=copied)
    outcome = fraud.duplicates_outcome(db_session, me, utcnow())
    bio_signals = [s for s in outcome.details["signals"] if s["kind"] == "bio"]
    assert [s["profile_id"] for s in bio_signals] == [original.id]
    assert bio_signals[0]["similarity"] >= 0.7
    assert outcome.status == CheckStatus.WARNING and "Présentation quasi identique" in outcome.summary
    assert outcome.details["bios_compared"] == 2


def test_different_bios_stay_below_the_threshold(app_ctx, db_session):
    FreelancerProfileFactory(bio=BIO)
    me = SubmittedProfileFactory(bio=OTHER_BIO)
    signals, compared = fraud.bio_signals(db_session, me)
    assert signals == [] and compared == 1


def test_short_bios_are_not_compared(app_ctx, db_session):
    FreelancerProfileFactory(bio="Office manager.")
    me = SubmittedProfileFactory(bio="Office manager.")
    assert fraud.bio_signals(db_session, me) == ([], 0)


# --- experience ----------------------------------------------------------------------------------

TODAY = date(2026, 11, 23)


def with_positions(years: int, freelance: int, *positions: tuple[date, date | None, bool]) -> FreelancerProfile:
    profile = FreelancerProfile(years_experience=years, freelance_years=freelance)
    profile.experiences = [ExperienceEntry(title="OM", organisation="X", start_date=s, end_date=e, is_freelance=f)
                           for s, e, f in positions]
    return profile


@pytest.mark.parametrize(
    ("years", "freelance", "positions", "status", "words"),
    [
        (10, 3, [(date(2016, 11, 1), date(2023, 10, 31), False), (date(2023, 11, 1), None, True)], CheckStatus.PASSED, "Cohérent"),
        # Overlapping positions are counted once: 2016–2026 is ten years, not twelve.
        (10, 0, [(date(2016, 11, 1), date(2022, 12, 31), False), (date(2020, 1, 1), None, False)], CheckStatus.PASSED, "10 ans"),
        (13, 0, [(date(2015, 6, 1), None, False)], CheckStatus.WARNING, "À vérifier : 13 ans déclarés, 11,5 ans"),
        (15, 0, [(date(2016, 11, 1), None, False)], CheckStatus.FAILED, "15 ans déclarés, 10,1 ans couverts"),
        # A gap: 2010–2013 and 2020–2026 cover 9 years, not 16.
        (16, 0, [(date(2010, 1, 1), date(2012, 12, 31), False), (date(2020, 11, 23), None, False)], CheckStatus.FAILED, "Incohérent"),
        (10, 12, [(date(2016, 11, 1), None, True)], CheckStatus.FAILED, "12 ans de freelance déclarés pour 10"),
        (8, 6, [(date(2018, 11, 1), None, False)], CheckStatus.WARNING, "ans de freelance déclarés"),
        (8, 0, [], CheckStatus.WARNING, "Aucun poste daté"),
        (1, 0, [(date(2025, 11, 1), None, False), (date(2027, 1, 1), None, False)], CheckStatus.WARNING, "dans le futur"),
    ],
)
def test_experience_vectors(years, freelance, positions, status, words):
    outcome = fraud.experience_outcome(with_positions(years, freelance, *positions), TODAY)
    assert outcome.status == status, outcome.summary
    assert words in outcome.summary
