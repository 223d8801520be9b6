"""French text understanding for the matcher: normalisation, stems and the taxonomy of needs.

A mission description says what the SME needs done ("transfert de nos locaux", "mettre
de l'ordre dans les notes de frais"); a bio says what the freelancer has already done
("j'ai piloté le déménagement de 60 personnes"). Both are reduced to the same set of
*needs* (concrete office-manager projects) so that different words for one project meet.

Matching works on stems, not on phrases: every pattern is a handful of content words
that must all appear, in any order, within a short window of the text. Inflections
("déménager", "déménagé", "déménagements") share a stem, derivations ("transfert",
"transférer") share a prefix, and each need lists many synonyms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from sklearn.feature_extraction.text import HashingVectorizer

from marketplace.domain import N_, fold

__all__ = [
    "NEEDS",
    "NEED_CODES",
    "NEED_INDEX",
    "Need",
    "analyse_texts",
    "analyze",
    "extract_needs",
    "hash_texts",
    "normalize",
    "stem",
    "tokens",
]

_STEMMER = snowballstemmer.stemmer("french")

# Typographic apostrophes and the elided articles/pronouns they attach ("l'équipe").
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'", "‘": "'"})
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"[.;:!?\n()]+")

# Words that carry no need; negation cues are kept apart (see NEGATIONS).
STOPWORDS = frozenset(
    fold(w)
    for w in """
    a à au aux avec ce ces cet cette chez comme dans de des du elle elles en entre et
    eu il ils je la le les leur leurs lui ma mais me même mes moi mon nos notre nous on
    ou où par pour qu que qui sa se ses si son sur ta te tes toi ton tu un une vos votre
    vous y été être avoir ai as avons avez ont suis es est sommes êtes sont était étaient
    fait faire sera seront plus très tout tous toute toutes afin ainsi aussi alors
    depuis dont donc puis lors après avant pendant tant car cela ça ceci celle celui
    ceux vers via hors selon sous également notamment etc an ans année années
    """.split()
)
# "non" is left out: it mostly negates an adjective ("postes non attribués").
NEGATIONS = frozenset({"ne", "pas", "jamais", "aucun", "aucune", "sans", "ni", "guere"})

# Surface forms the French stemmer gets wrong or merges with an unrelated word.
_LEMMAS = {
    "paies": "paie",
    "paye": "paie",
    "payes": "paie",
    "evenements": "evenement",
    "seminaires": "seminaire",
    "locaux": "local",
    "bureaux": "bureau",
    "achats": "achat",
    "mails": "mail",
    "emails": "mail",
    "e-mails": "mail",
    "documents": "document",
    "documentation": "document",
    "documenter": "document",
    "documente": "document",
    "documentes": "document",
    "documentee": "document",
    "documentees": "document",
    "recrues": "recrue",
    "informatiques": "informatique",
    "equipements": "equipement",
    "entrees": "entree",
}

# Compounds whose parts are stop words or mean something else alone ("bien-être").
_COMPOUNDS = tuple(
    (re.compile(rf"\b{phrase}\b"), word)
    for phrase, word in (
        ("bien etre", "bienetre"),
        ("mal etre", "maletre"),
        ("document unique", "duerp"),  # the DUERP, not documentation
    )
)
_SPACES = re.compile(r"[^\S\n]+")

# Acronyms and short technical words: stemming would destroy them ("SaaS" → "sa").
_KEEP = frozenset(
    """saas rgpd sirh duerp pca pra rh it si cse qvt qvct rse sst erp ccn dpo cnil
    mutuelle paie note notes kpi okr n2f tpe pme eti crm recrue entree informatique
    equipement""".split()
)


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes, drop elisions and hyphens, strip accents."""
    text = unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES)
    text = _ELISION.sub(" ", text)
    text = text.replace("-", " ").replace("/", " ").replace("&", " et ")
    text = fold(text)
    text = _SPACES.sub(" ", text).strip()  # newlines stay: they end sentences
    for phrase, word in _COMPOUNDS:
        text = phrase.sub(word, text)
    return text


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem of one folded, lower-case word (cached: vocabularies are small)."""
    word = _LEMMAS.get(word, word)
    if word in _KEEP or len(word) <= 3 or word.isdigit():
        return word
    return fold(_STEMMER.stemWord(word)) or word


@dataclass(frozen=True)
class Token:
    stem: str
    sentence: int
    negated: bool


def tokens(text: str) -> list[Token]:
    """Content-word stems of a text, with their sentence number and a negation flag.

    A word counts as negated when "pas", "jamais", "sans"… comes at most three words
    before it in the same sentence ("pas encore de déménagement").
    """
    out: list[Token] = []
    for number, sentence in enumerate(_SENTENCE.split(normalize(text))):
        since_negation = 99
        for word in _WORD.findall(sentence):
            if word in NEGATIONS:
                since_negation = 0
                continue
            since_negation += 1
            if word in STOPWORDS:
                continue
            out.append(Token(stem(word), number, since_negation <= 3))
    return out


def analyze(text: str | list[str]) -> list[str]:
    """Stems and stem bigrams of a text: the analyzer given to the scikit-learn vectoriser.

    An already analysed document (a list of terms) passes through unchanged.
    """
    if isinstance(text, list):
        return text
    return terms_of_tokens(tokens(text))


def terms_of_tokens(toks: list[Token]) -> list[str]:
    """Stems and stem bigrams of tokens, negated words left out."""
    stems = [t.stem for t in toks if not t.negated]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


# Bump when `analyze` or the hashing changes: fitted IDF weights depend on both.
TEXT_FEATURES_VERSION = 1
HASH_FEATURES = 2**18

# Stateless, so a new bio never needs a refit; binary terms, IDF applied by the model.
_HASHER = HashingVectorizer(
    analyzer=analyze,
    n_features=HASH_FEATURES,
    alternate_sign=False,
    norm=None,
    binary=True,
    dtype=np.float32,
)


def hash_texts(texts: Iterable[str]) -> sp.csr_matrix:
    """Binary hashed stem/bigram vectors of texts (rows of a CSR matrix)."""
    return _HASHER.transform(list(texts)).tocsr()


# ---------------------------------------------------------------------------------------
# Taxonomy of needs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A concrete office-manager project, with the words a French SME or bio uses for it."""

    code: str
    label: str          # short French label used in explanations ("déménagement")
    dimension: str      # skill dimension code of marketplace.domain
    patterns: tuple[str, ...]


NEEDS: tuple[Need, ...] = (
    Need("moves", N_("déménagement"), "facilities_workplace", (
        "déménagement", "déménager", "démenagement", "emménagement", "emménager",
        "transfert des locaux", "transfert des bureaux", "transfert du siège",
        "transférer les bureaux", "transfert de site", "changement de locaux",
        "changement de bureaux", "changer de bureaux", "changer de locaux",
        "nouveaux locaux", "nouveaux bureaux", "installation dans les locaux",
        "relocalisation", "relocation", "move", "déménageurs", "déménageur",
        "recherche de locaux", "recherche de bureaux", "prise à bail", "état des lieux",
        "quitter les locaux", "regroupement des sites", "ouverture d'un site",
        "ouverture de bureaux", "office move",
    )),
    Need("space_planning", N_("aménagement des espaces"), "facilities_workplace", (
        "aménagement des espaces", "aménagement des bureaux", "réaménagement",
        "aménagement des locaux", "réaménager", "space planning", "space planner",
        "plan d'implantation", "implantation des postes", "agencement des bureaux",
        "agencement des espaces", "mobilier",
        "espaces de travail", "salle de pause", "salles de réunion", "travaux",
        "rénovation des locaux", "ergonomie des postes", "aménager les espaces",
        "cafétéria", "open space", "environnement de travail",
        "maintenance des locaux", "entretien des locaux",
        # flex office: a way of laying out the spaces, judged as the same project
        "flex office", "flexoffice", "flex desk", "desk sharing", "hot desking",
        "bureaux partagés", "postes partagés", "postes non attribués", "bureau flexible",
        "réservation de postes", "réservation des bureaux", "taux d'occupation",
        "occupation des bureaux", "occupation des espaces", "bureaux flexibles",
    )),
    Need("remote_work", N_("télétravail"), "people_culture", (
        "télétravail", "teletravail", "travail à distance", "organisation du travail hybride",
        "charte de télétravail", "accord de télétravail", "télétravailleurs",
        "politique de travail hybride", "politique remote", "jours de présence au bureau",
        "organisation hybride",
    )),
    Need("safety", N_("registres obligatoires de sécurité"), "facilities_workplace", (
        "sécurité et registres", "registres obligatoires", "registre de sécurité",
        "registre unique du personnel", "duerp", "document unique",
        "évaluation des risques", "risques professionnels", "prévention des risques",
        "affichages obligatoires", "affichage obligatoire", "obligations légales",
        "extincteurs", "évacuation", "exercice incendie", "sécurité incendie",
        "sauveteur secouriste", "sst", "serre file", "premiers secours",
        "défibrillateur", "commission de sécurité", "vérifications périodiques",
        "hygiène et sécurité", "santé et sécurité", "conformité des locaux",
        "sécurité des locaux", "registre des accidents", "mise en conformité réglementaire",
    )),
    Need("gdpr", N_("RGPD"), "operations_process", (
        "rgpd", "gdpr", "registre des traitements", "données personnelles",
        "protection des données", "cnil", "dpo", "délégué à la protection des données",
        "conformité des données",
    )),
    Need("onboarding", N_("onboarding"), "people_culture", (
        "onboarding", "on boarding", "intégration des nouveaux", "intégration des salariés",
        "intégration des collaborateurs", "intégrer les nouveaux", "nouveaux arrivants",
        "nouvelles recrues", "nouveaux collaborateurs", "nouveaux salariés",
        "accueil des nouveaux", "accueillir les nouveaux", "parcours d'intégration",
        "livret d'accueil", "welcome pack", "kit d'arrivée", "journée d'intégration",
        "premier jour", "arrivée des collaborateurs", "arrivées et départs",
        "parcours d'arrivée", "processus d'arrivée", "entrées et sorties du personnel",
    )),
    Need("offboarding", N_("offboarding"), "people_culture", (
        "offboarding", "off boarding", "départs", "départ des collaborateurs",
        "sorties de collaborateurs", "sorties des collaborateurs", "sorties des salariés",
        "gestion des sorties", "entretien de sortie", "entretien de départ",
        "restitution du matériel", "fin de contrat", "démissions",
        "rupture conventionnelle", "processus de sortie", "arrivées et départs",
        "entrées et sorties du personnel", "collaborateurs sortants", "salariés sortants",
    )),
    Need("events", N_("événements internes"), "people_culture", (
        "événements internes", "événements d'équipe", "événement interne",
        "afterwork", "afterworks", "after work", "pots d'équipe", "pot de départ",
        "pots", "team building", "teambuilding", "fête de fin d'année",
        "fêtes de fin d'année", "soirée d'entreprise", "soirée annuelle",
        "animations d'équipe", "animation de la vie de bureau", "célébrations",
        "anniversaires", "petit déjeuner d'équipe", "moments conviviaux", "convivialité",
        "organisation d'événements", "organiser les événements", "vie de bureau",
        "arbre de noël", "team lunch",
    )),
    Need("seminar", N_("séminaire"), "people_culture", (
        "séminaire", "séminaires", "offsite", "off site", "convention annuelle",
        "convention d'entreprise", "journée au vert", "retraite d'équipe", "kick off",
        "kickoff", "voyage d'entreprise", "incentive",
    )),
    Need("expenses", N_("notes de frais"), "finance_procurement", (
        "notes de frais", "note de frais", "frais professionnels", "remboursement des frais",
        "remboursement de frais", "frais de déplacement", "indemnités kilométriques",
        "justificatifs de dépenses", "justificatifs", "cartes de paiement",
        "cartes bancaires", "n2f", "expensya", "dépenses des collaborateurs",
        "avances de frais",
    )),
    Need("suppliers", N_("achats fournisseurs"), "finance_procurement", (
        "fournisseurs", "fournisseur", "prestataires", "achats", "renégociation",
        "renégocier", "négociation des contrats", "négocier les contrats",
        "appel d'offres", "appels d'offres", "mise en concurrence", "sourcing",
        "référencement des fournisseurs", "politique d'achat", "contrats de maintenance",
        "contrats de prestation", "bons de commande", "commandes", "procurement",
        "consultation de prestataires",
    )),
    Need("budget", N_("budget"), "finance_procurement", (
        "budgets", "budgétaire", "budgétaires", "tableau de bord budgétaire",
        "suivi budgétaire", "budget de fonctionnement", "budget opérationnel",
        "suivi du budget", "gestion du budget", "pilotage du budget", "budget annuel",
        "élaboration du budget", "budget des frais généraux",
        "prévisionnel", "suivi des dépenses", "maîtrise des dépenses",
        "contrôle des dépenses", "réduction des coûts", "réduire les coûts",
        "optimisation des coûts", "optimiser les coûts", "frais généraux",
        "économies", "reporting financier", "reporting des dépenses", "reporting budgétaire",
        "suivi des coûts", "coûts de fonctionnement", "trésorerie",
        "forecast",
    )),
    Need("payroll", N_("pré-paie"), "finance_procurement", (
        "paie", "pré paie", "prépaie", "variables de paie", "éléments de paie",
        "éléments variables", "bulletins de salaire", "bulletins de paie", "fiches de paie",
        "payroll", "absences et congés", "suivi des absences", "gestion des congés",
        "heures supplémentaires", "tickets restaurant", "titres restaurant",
        "cabinet de paie", "gestionnaire de paie",
    )),
    Need("hr_tools", N_("outil RH (SIRH)"), "operations_process", (
        "sirh", "outil rh", "outils rh", "logiciel rh", "système d'information rh",
        "digitalisation rh", "dématérialisation rh", "déploiement de lucca",
        "déploiement de factorial", "déploiement de payfit", "coffre fort numérique",
        "logiciel de gestion des temps", "gestion des temps", "entretiens annuels",
    )),
    Need("saas_tools", N_("abonnements SaaS"), "operations_process", (
        "saas", "abonnements", "licences", "licences logicielles", "outils numériques",
        "outils collaboratifs", "stack d'outils", "stack", "rationalisation des outils",
        "inventaire des outils", "déploiement d'outils", "déploiement d'un outil",
        "automatisation", "automatiser", "zapier", "no code", "nocode",
        "outils digitaux", "transformation digitale", "transformation numérique",
        "migration vers google workspace", "migration vers microsoft 365",
        "administration des comptes", "outil de gestion de projet",
    )),
    Need("it_equipment", N_("matériel informatique"), "operations_process", (
        "matériel informatique", "parc informatique", "ordinateurs", "ordinateur portable",
        "téléphones portables", "flotte mobile", "téléphonie d'entreprise", "imprimantes",
        "prestataire informatique",
        "support informatique", "helpdesk", "wifi", "réseau informatique", "infogérance",
        "équipement informatique", "équipements des postes", "inventaire du matériel",
        "badges", "contrôle d'accès",
    )),
    Need("processes", N_("documentation des process"), "operations_process", (
        "documentation", "procédures", "procédure", "process internes", "processus internes",
        "structurer les process", "structuration des process", "optimisation des process",
        "process administratifs", "processus administratifs", "documenter les process",
        "modes opératoires", "mode opératoire", "wiki", "base documentaire",
        "base de connaissances", "fiches process", "guide interne", "formaliser",
        "formalisation", "cartographie des processus", "cartographier les processus",
        "process mapping", "manuel de procédures", "guide pratique", "documenter",
        "amélioration des processus", "standardisation des process",
    )),
    Need("internal_comms", N_("communication interne"), "communication_coordination", (
        "communication interne", "newsletter", "newsletters", "lettre interne",
        "journal interne", "intranet", "gazette", "affichage interne",
        "communiquer en interne", "information des équipes", "informer les équipes",
        "annonces internes", "canal slack", "messagerie interne", "réseau social d'entreprise",
        "communication aux équipes", "communication auprès des salariés",
    )),
    Need("reception", N_("accueil physique"), "communication_coordination", (
        "accueil physique", "accueil et standard", "standard et accueil",
        "standard téléphonique", "standardiste", "tenue du standard",
        "accueil téléphonique", "accueil des visiteurs", "accueil des clients",
        "accueil client", "protocole d'accueil", "réception des clients", "réception",
        "visiteurs", "courrier", "colis", "gestion du courrier", "hôtesse d'accueil",
        "salle d'attente", "permanence téléphonique", "accueil des livreurs",
    )),
    Need("rituals", N_("rituels de réunion"), "communication_coordination", (
        "structuration des réunions", "réunions", "réunion d'équipe", "rituels d'équipe",
        "structuration des rituels", "mise en place de rituels", "rituels de réunion",
        "rituels managériaux", "comptes rendus", "compte rendu", "suivi des actions",
        "plan d'actions", "ordre du jour", "stand up", "points hebdomadaires",
        "point hebdomadaire", "comité de direction", "codir", "relevé de décisions",
        "animation des réunions", "préparation des réunions", "daily", "all hands",
        "coordination des équipes",
    )),
    Need("crisis", N_("gestion de crise"), "communication_coordination", (
        "gestion de crise", "crise", "crises", "cellule de crise", "plan de continuité",
        "continuité d'activité", "pca", "pra", "situation d'urgence", "urgences",
        "incident majeur", "cyberattaque", "crise sanitaire", "communication de crise",
        "gestion des incidents", "incidents",
    )),
    Need("insurance", N_("contrats d'assurance"), "finance_procurement", (
        "assurances", "assurance", "contrats d'assurance", "assureur", "assureurs",
        "courtier", "sinistres", "sinistre", "multirisque", "responsabilité civile",
        "rc pro", "mutuelle", "prévoyance", "centralisation des contrats",
        "suivi des contrats", "gestion des contrats", "échéancier des contrats",
        "bail commercial", "baux", "résiliation des contrats",
    )),
    Need("engagement", N_("qualité de vie au travail"), "people_culture", (
        "qualité de vie au travail", "qvt", "qvct", "bien-être", "engagement des collaborateurs",
        "engagement des équipes", "baromètre social", "enquête de satisfaction",
        "enquête d'engagement", "climat social", "culture d'entreprise",
        "valeurs de l'entreprise",
        "marque employeur", "expérience collaborateur", "rse", "éco responsable",
        "mobilité durable", "tri des déchets",
    )),
    Need("recruitment", N_("recrutement"), "people_culture", (
        "recrutement", "recrutements", "recruter", "annonces d'emploi", "offres d'emploi",
        "tri des cv", "entretiens d'embauche", "planification des entretiens",
        "embauches", "administration du personnel", "contrats de travail",
        "visites médicales", "médecine du travail", "dossiers du personnel",
    )),
    Need("travel", N_("organisation des déplacements"), "communication_coordination", (
        "déplacements professionnels", "voyages d'affaires", "organisation des déplacements",
        "réservation des déplacements", "réservations de voyages", "billets de train",
        "réservation d'hôtels", "gestion d'agenda",
        "agenda du dirigeant", "agenda de la direction", "assistanat de direction",
        "assistance de direction", "travel",
    )),
    Need("accounting_admin", N_("pré-comptabilité"), "finance_procurement", (
        "facturation", "factures", "relances clients", "relances", "recouvrement",
        "rapprochement bancaire", "pré comptabilité", "précomptabilité", "saisie comptable",
        "lien avec l'expert comptable", "relation avec le cabinet comptable",
        "comptabilité fournisseurs",
        "paiement des fournisseurs", "règlements fournisseurs", "clôture mensuelle",
    )),
)

NEED_CODES: tuple[str, ...] = tuple(n.code for n in NEEDS)
NEED_INDEX = {code: i for i, code in enumerate(NEED_CODES)}
NEED_LABELS = {n.code: n.label for n in NEEDS}
NEED_DIMENSION = {n.code: n.dimension for n in NEEDS}
_WINDOW_SLACK = 3  # extra content words allowed between the words of a pattern


def _compile_pattern(phrase: str) -> tuple[str, ...]:
    return tuple(t.stem for t in tokens(phrase))


def stems_match(token: str, pattern: str) -> bool:
    """Whether a text stem matches a pattern stem: equal, or one a long prefix of the other.

    The prefix rule joins derivations the stemmer keeps apart ("transfert"/"transfer",
    "déménag"/"déménageon"); at least four shared letters and at most three extra
    ones keep unrelated words apart ("inform" is not "informatique").
    """
    if token == pattern:
        return True
    short, long_ = sorted((token, pattern), key=len)
    return len(short) >= 4 and len(long_) - len(short) <= 3 and long_.startswith(short)


@dataclass(frozen=True)
class _Compiled:
    need: int
    stems: tuple[str, ...]


def _compiled() -> tuple[_Compiled, ...]:
    out = []
    for i, need in enumerate(NEEDS):
        for phrase in need.patterns:
            stems = _compile_pattern(phrase)
            if stems:
                out.append(_Compiled(i, stems))
    return tuple(out)


_PATTERNS = _compiled()


def _prefix_key(stem: str) -> str:
    # Two stems can only match if they share their first four letters (or are equal).
    return stem[:4]


def _slot_buckets() -> dict[str, tuple[tuple[int, int, str], ...]]:
    buckets: dict[str, list[tuple[int, int, str]]] = {}
    for p, pattern in enumerate(_PATTERNS):
        for w, word in enumerate(pattern.stems):
            buckets.setdefault(_prefix_key(word), []).append((p, w, word))
    return {k: tuple(v) for k, v in buckets.items()}


_BUCKETS = _slot_buckets()


@lru_cache(maxsize=65536)
def _slots_for(token: str) -> tuple[tuple[int, int], ...]:
    """(pattern number, word position in pattern) pairs that a text stem can fill."""
    return tuple(
        (p, w) for p, w, word in _BUCKETS.get(_prefix_key(token), ()) if stems_match(token, word)
    )


def extract_needs(text: str) -> frozenset[str]:
    """Codes of the needs a French text mentions (negated mentions excluded)."""
    return needs_of_tokens(tokens(text))


def needs_of_tokens(toks: list[Token]) -> frozenset[str]:
    """Needs found in an already tokenised text."""
    # positions[p][w] = where in the text word w of pattern p occurs
    positions: dict[int, dict[int, list[int]]] = {}
    for pos, tok in enumerate(toks):
        if tok.negated:
            continue
        for p, w in _slots_for(tok.stem):
            positions.setdefault(p, {}).setdefault(w, []).append(pos)
    found: set[int] = set()
    for p, slots in positions.items():
        pattern = _PATTERNS[p]
        if pattern.need in found or len(slots) < len(pattern.stems):
            continue
        if _within_window(slots, toks, len(pattern.stems) + _WINDOW_SLACK):
            found.add(pattern.need)
    return frozenset(NEED_CODES[i] for i in sorted(found))


def analyse_texts(texts: Iterable[str]) -> tuple[list[frozenset[str]], sp.csr_matrix]:
    """Needs and hashed term vectors of many texts, tokenising each text once."""
    needs, terms = [], []
    for text in texts:
        toks = tokens(text)
        needs.append(needs_of_tokens(toks))
        terms.append(terms_of_tokens(toks))
    return needs, _HASHER.transform(terms).tocsr()


def _within_window(slots: dict[int, list[int]], toks: list[Token], width: int) -> bool:
    """Whether one occurrence of every pattern word fits in `width` tokens of one sentence."""
    if len(slots) == 1:
        return True
    anchors = min(slots.values(), key=len)
    for start in anchors:
        sentence = toks[start].sentence
        if all(
            any(abs(pos - start) < width and toks[pos].sentence == sentence for pos in plist)
            for plist in slots.values()
        ):
            return True
    return False


def needs_labels(codes: Iterable[str]) -> list[str]:
    """French labels of need codes, in taxonomy order."""
    wanted = set(codes)
    return [n.label for n in NEEDS if n.code in wanted]
