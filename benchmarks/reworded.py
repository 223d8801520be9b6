"""The development set told in other words: every project phrase replaced by a paraphrase.

The relevance judgements stay the same, so the drop from the original figures measures
how much the matcher depends on the development set's exact phrasing. The paraphrases
below were written for this check; none is a pattern copied from the taxonomy's lists
word for word on purpose (inflections, word order and synonyms change).
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from marketplace.matching.records import Dataset

PARAPHRASES: dict[str, tuple[str, ...]] = {
    "accueil physique et standard": ("tenue de l'accueil et du standard téléphonique", "accueil des visiteurs et permanence téléphonique"),
    "afterworks et pots d'équipe": ("organisation des afterworks", "moments conviviaux et pots de départ"),
    "centralisation des contrats d'assurance": ("gestion des assurances de l'entreprise", "suivi des sinistres avec l'assureur"),
    "charte de télétravail": ("rédaction d'un accord de télétravail", "cadre du travail à distance"),
    "communication interne": ("informer les équipes en interne", "animation de l'intranet"),
    "comptes rendus et suivi des actions": ("rédaction des comptes-rendus et plans d'actions", "relevés de décisions après chaque réunion"),
    "documentation des process": ("formalisation des modes opératoires", "documenter les processus internes"),
    "déménagement de nos locaux": ("emménagement dans nos nouveaux bureaux", "déménager l'agence"),
    "déménagement des bureaux": ("changement de locaux", "organisation du déménagement"),
    "déploiement d'un SIRH": ("mise en route d'un logiciel RH", "digitalisation RH"),
    "gestion des notes de frais": ("remboursement des frais professionnels", "traitement des notes de frais"),
    "gestion des sorties de collaborateurs": ("départs de salariés (restitution du matériel)", "entretiens de sortie"),
    "intégration des nouveaux collaborateurs": ("accueil des nouvelles recrues", "livret d'accueil et premier jour"),
    "inventaire des abonnements SaaS": ("recensement des licences logicielles", "audit des abonnements logiciels"),
    "mise en conformité RGPD": ("protection des données personnelles", "conformité CNIL"),
    "mise en place d'un outil RH": ("choix d'un logiciel RH", "déploiement de Lucca"),
    "mise en place du flex office": ("passage aux postes partagés", "bureaux flexibles avec réservation de postes"),
    "mise à jour du DUERP": ("actualisation du document unique d'évaluation des risques", "prévention des risques professionnels"),
    "newsletter interne": ("lettre d'information interne", "journal interne mensuel"),
    "notes de frais": ("frais de déplacement des équipes", "notes de frais des commerciaux"),
    "offboarding et départs": ("processus de sortie des salariés", "démissions et fins de contrat"),
    "organisation du séminaire annuel": ("préparation de notre offsite", "convention annuelle de l'entreprise"),
    "organisation du télétravail": ("politique de travail hybride", "jours de présence au bureau"),
    "parcours d'onboarding des nouveaux arrivants": ("parcours d'intégration", "on-boarding des nouveaux salariés"),
    "pilotage des fournisseurs": ("gestion des prestataires", "relation avec les fournisseurs"),
    "protocole d'accueil client": ("accueil des clients dans nos locaux", "réception des visiteurs"),
    "préparation des éléments de paie": ("pré-paie mensuelle", "transmission des variables au cabinet de paie"),
    "rationalisation des outils SaaS": ("rationaliser notre stack d'outils", "réduction du nombre d'outils numériques"),
    "registre des traitements RGPD": ("registre RGPD", "cartographie des données personnelles"),
    "renégociation des contrats fournisseurs": ("renégocier nos contrats de prestation", "mise en concurrence des prestataires"),
    "réaménagement des espaces de travail": ("nouvel aménagement des bureaux", "plan d'implantation des postes"),
    "rédaction des procédures internes": ("écriture d'un manuel de procédures", "wiki des procédures"),
    "structuration des réunions et rituels": ("mise en place de rituels d'équipe", "animation des réunions hebdomadaires"),
    "suivi des assurances": ("contrats d'assurance (multirisque, RC pro)", "relation avec notre courtier"),
    "suivi du budget opérationnel": ("maîtrise des frais généraux", "pilotage du budget de fonctionnement"),
    "sécurité et registres obligatoires": ("affichages obligatoires et sécurité incendie", "registre de sécurité et exercices d'évacuation"),
    "séminaire d'entreprise": ("séminaire de rentrée", "journée au vert de l'équipe"),
    "tableau de bord budgétaire": ("suivi budgétaire mensuel", "reporting des dépenses"),
    "transfert des locaux": ("transfert de notre siège", "installation dans de nouveaux locaux"),
    "variables de paie": ("éléments variables de paie", "saisie des absences et congés pour la paie"),
    "événements internes": ("organisation d'événements d'équipe", "team building et soirée annuelle"),
}
# Longest first, so "notes de frais" does not eat "gestion des notes de frais".
_ORDER = sorted(PARAPHRASES, key=len, reverse=True)


def reword(text: str, key: str) -> str:
    """Replace every known phrase of `text` by one of its paraphrases, chosen by `key`."""
    seed = zlib.crc32(key.encode())
    # Placeholders first: a paraphrase must not be reworded again by a shorter phrase.
    for i, phrase in enumerate(_ORDER):
        text = text.replace(phrase, f"\0{i}\0")
    for i, phrase in enumerate(_ORDER):
        options = PARAPHRASES[phrase]
        text = text.replace(f"\0{i}\0", options[(seed + i) % len(options)])
    return text


def reworded(data: Dataset) -> Dataset:
    """The same records with reworded bios and descriptions."""
    return Dataset(
        freelancers=tuple(replace(f, bio=reword(f.bio, f.id)) for f in data.freelancers),
        missions=tuple(replace(m, description=reword(m.description, m.id)) for m in data.missions),
    )
