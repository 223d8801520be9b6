"""French normalisation, stems and the taxonomy of needs."""

from __future__ import annotations

import pytest

from marketplace.matching.text import (
    NEEDS,
    analyze,
    extract_needs,
    normalize,
    stem,
    tokens,
)


def test_normalize_accents_case_apostrophes_and_elisions():
    assert normalize("L’Équipe d'ÉTÉ") == "equipe ete"
    assert normalize("jusqu'à l'accueil") == "a accueil"
    assert normalize("flex-office & co") == "flex office et co"


def test_inflections_share_a_stem():
    assert stem("demenagement") == stem("demenager") == stem("demenage")
    assert stem("fournisseurs") == stem("fournisseur")
    assert stem("reunions") == stem("reunion")


def test_acronyms_are_not_stemmed():
    assert stem("saas") == "saas"
    assert stem("rgpd") == "rgpd"


@pytest.mark.parametrize(
    "text",
    [
        "déménagement des bureaux",
        "Nous déménageons en septembre",
        "emménagement dans nos nouveaux locaux",
        "transfert des locaux",
        "J'ai organisé le transfert de notre siège",
        "changement de bureaux pour 40 personnes",
        "DEMENAGEMENT",
        "les déménagements successifs",
    ],
)
def test_moves_in_many_words(text):
    assert "moves" in extract_needs(text)


@pytest.mark.parametrize(
    ("need", "texts"),
    [
        (
            "onboarding",
            [
                "intégration des nouveaux collaborateurs",
                "accueillir les nouvelles recrues",
                "parcours d'onboarding",
                "livret d'accueil",
                "on-boarding des arrivants",
            ],
        ),
        (
            "offboarding",
            [
                "gestion des sorties de collaborateurs",
                "offboarding",
                "entretien de sortie",
                "restitution du matériel des départs",
            ],
        ),
        ("expenses", ["notes de frais", "remboursement des frais professionnels", "frais de déplacement"]),
        (
            "suppliers",
            [
                "renégociation des contrats fournisseurs",
                "mise en concurrence des prestataires",
                "appel d'offres ménage",
            ],
        ),
        (
            "budget",
            [
                "tableau de bord budgétaire",
                "suivi du budget de fonctionnement",
                "maîtrise des frais généraux",
            ],
        ),
        (
            "payroll",
            ["préparation des éléments de paie", "pré-paie", "variables de paie", "bulletins de salaire"],
        ),
        ("seminar", ["séminaire annuel", "organisation de notre offsite", "convention annuelle"]),
        ("events", ["afterworks", "team building", "soirée d'entreprise", "événements internes"]),
        ("space_planning", ["mise en place du flex office", "postes partagés", "desk sharing",
                            "réaménagement des bureaux"]),
        (
            "safety",
            [
                "mise à jour du DUERP",
                "document unique d'évaluation des risques",
                "registres obligatoires",
                "exercice d'évacuation",
            ],
        ),
        ("processes", ["rédaction des procédures", "modes opératoires", "documentation interne"]),
        (
            "saas_tools",
            ["inventaire des abonnements SaaS", "licences logicielles", "rationaliser notre stack"],
        ),
        ("internal_comms", ["communication interne", "newsletter mensuelle", "journal interne", "intranet"]),
        (
            "reception",
            [
                "accueil physique et standard",
                "standard téléphonique",
                "accueil des visiteurs",
                "courrier et colis",
            ],
        ),
        ("rituals", ["structuration des réunions", "comptes rendus", "ordre du jour des réunions"]),
        ("crisis", ["gestion de crise", "plan de continuité d'activité"]),
        ("hr_tools", ["déploiement d'un SIRH", "mise en place d'un outil RH", "logiciel RH"]),
        ("insurance", ["suivi des assurances", "contrats d'assurance", "sinistres et courtier"]),
        (
            "it_equipment",
            ["parc informatique", "matériel informatique des nouveaux", "ordinateurs portables"],
        ),
    ],
)
def test_synonyms_meet_in_one_need(need, texts):
    for text in texts:
        assert need in extract_needs(text), text


@pytest.mark.parametrize(
    "text",
    [
        "9 ans d'expérience en office management et services généraux.",
        "Office manager freelance depuis 9 ans, j'accompagne des PME en temps partagé.",
        "Je travaille en mode hybride.",
        "Ambiance bienveillante, équipe en forte croissance.",
        "Autonomie sur les dépenses jusqu'à 500 euros.",
        "Rituel hebdomadaire de 30 minutes avec la direction.",
        "PME de 42 salariés (agence web), basée à Paris, secteur événementiel.",
        "informer les équipes en interne",
    ],
)
def test_boilerplate_carries_no_project(text):
    assert extract_needs(text) <= {"internal_comms"}


def test_negated_mention_does_not_count():
    needs = extract_needs(
        "Je n'ai jamais géré de déménagement mais j'ai une solide expérience en onboarding."
    )
    assert needs == {"onboarding"}


def test_words_must_be_close_together():
    assert "moves" not in extract_needs("Transfert de compétences. Nos locaux sont neufs.")


def test_analyzer_gives_stems_and_bigrams():
    terms = analyze("Les déménagements de bureaux")
    assert stem("demenagements") in terms
    assert f"{stem('demenagements')} {stem('bureaux')}" in terms


def test_every_pattern_of_the_taxonomy_finds_its_own_need():
    for need in NEEDS:
        for phrase in need.patterns:
            assert need.code in extract_needs(phrase), (need.code, phrase)


def test_tokens_mark_sentences():
    toks = tokens("Déménagement. Budget annuel")
    assert toks[0].sentence != toks[-1].sentence
