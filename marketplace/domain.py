"""The shared vocabulary of the marketplace: weekdays, skill dimensions, tools, work modes.

Codes are stable identifiers stored in the database and used by the matcher and the
JSON exchange format; labels are French message ids marked with ``N_`` (this module stays
free of Flask for the matcher) and translated when shown (``marketplace.i18n``).
"""

from __future__ import annotations

import calendar
import enum
import unicodedata
from dataclasses import dataclass
from datetime import date


def N_(message: str) -> str:
    """Mark a French label for extraction into the catalogue; the pages translate it when shown."""
    return message


class StrEnum(str, enum.Enum):
    """A string enum whose value is what the database stores."""

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class Role(StrEnum):
    SME = "sme"
    FREELANCER = "freelancer"
    ADMIN = "admin"


class WorkMode(StrEnum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


WORK_MODE_LABELS = {
    WorkMode.ONSITE: N_("Sur site"),
    WorkMode.HYBRID: N_("Hybride"),
    WorkMode.REMOTE: N_("À distance"),
}

# The companies the marketplace serves (DESIGN.md): every page says the same range.
HEADCOUNT_MIN, HEADCOUNT_MAX = 10, 120

# Monday–Friday only: the product books working weekdays, never week-ends.
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
WEEKDAY_LABELS = {
    "mon": N_("lundi"),
    "tue": N_("mardi"),
    "wed": N_("mercredi"),
    "thu": N_("jeudi"),
    "fri": N_("vendredi"),
}
HALVES: tuple[str, ...] = ("am", "pm")
HALF_LABELS = {"am": N_("matin"), "pm": N_("après-midi")}


class WeekSlots:
    """A set of half-day slots Monday–Friday, stored as a 10-bit integer.

    Bit ``2*i`` is the morning of weekday ``i`` (0 = Monday), bit ``2*i + 1`` its
    afternoon. A weekday is *fully* in the set when both halves are.
    """

    FULL = (1 << 10) - 1

    __slots__ = ("bits",)

    def __init__(self, bits: int = 0) -> None:
        if not 0 <= bits <= self.FULL:
            raise ValueError(f"invalid week slot bits: {bits}")
        self.bits = bits

    @staticmethod
    def bit(weekday: str, half: str) -> int:
        return 1 << (WEEKDAYS.index(weekday) * 2 + HALVES.index(half))

    @classmethod
    def from_days(cls, weekdays: list[str] | tuple[str, ...]) -> "WeekSlots":
        bits = 0
        for day in weekdays:
            bits |= cls.bit(day, "am") | cls.bit(day, "pm")
        return cls(bits)

    @classmethod
    def from_pairs(cls, pairs) -> "WeekSlots":
        bits = 0
        for day, half in pairs:
            bits |= cls.bit(day, half)
        return cls(bits)

    def has(self, weekday: str, half: str) -> bool:
        return bool(self.bits & self.bit(weekday, half))

    def pairs(self) -> list[tuple[str, str]]:
        return [(d, h) for d in WEEKDAYS for h in HALVES if self.has(d, h)]

    def full_days(self) -> list[str]:
        """Weekdays whose morning and afternoon are both in the set."""
        return [d for d in WEEKDAYS if self.has(d, "am") and self.has(d, "pm")]

    def half_days(self) -> int:
        return bin(self.bits).count("1")

    def __or__(self, other: "WeekSlots") -> "WeekSlots":
        return WeekSlots(self.bits | other.bits)

    def __and__(self, other: "WeekSlots") -> "WeekSlots":
        return WeekSlots(self.bits & other.bits)

    def __sub__(self, other: "WeekSlots") -> "WeekSlots":
        return WeekSlots(self.bits & ~other.bits & self.FULL)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WeekSlots) and other.bits == self.bits

    def __hash__(self) -> int:
        return hash(self.bits)

    def __bool__(self) -> bool:
        return bool(self.bits)

    def __repr__(self) -> str:
        return f"WeekSlots({self.pairs()!r})"


@dataclass(frozen=True)
class SkillDimension:
    code: str
    label: str
    sub_skills: tuple[tuple[str, str], ...]


# The five skill dimensions of a modern office manager (DESIGN.md), with sub-skills.
SKILL_DIMENSIONS: tuple[SkillDimension, ...] = (
    SkillDimension(
        "people_culture",
        N_("People & Culture"),
        (
            ("onboarding", N_("Intégration des nouveaux (onboarding)")),
            ("offboarding", N_("Départs (offboarding)")),
            ("engagement", N_("Engagement et qualité de vie au travail")),
            ("events", N_("Événements d'équipe et séminaires")),
            ("culture", N_("Culture d'entreprise et valeurs")),
        ),
    ),
    SkillDimension(
        "operations_process",
        N_("Opérations & Process"),
        (
            ("process_mapping", N_("Cartographie des processus")),
            ("tools_stack", N_("Outils numériques et automatisation")),
            ("documentation", N_("Documentation interne")),
            ("coordination", N_("Coordination des équipes et prestataires")),
        ),
    ),
    SkillDimension(
        "finance_procurement",
        N_("Finance & Achats"),
        (
            ("suppliers", N_("Fournisseurs et achats")),
            ("budget", N_("Budget de fonctionnement")),
            ("cost_optimisation", N_("Optimisation des coûts")),
            ("expenses", N_("Notes de frais")),
            ("payroll_prep", N_("Pré-paie et variables de paie")),
        ),
    ),
    SkillDimension(
        "facilities_workplace",
        N_("Services généraux & Espaces"),
        (
            ("spaces", N_("Aménagement des espaces")),
            ("flex_office", N_("Flex office")),
            ("moves", N_("Déménagements et transferts de locaux")),
            ("safety_registers", N_("Sécurité et registres obligatoires")),
        ),
    ),
    SkillDimension(
        "communication_coordination",
        N_("Communication & Coordination"),
        (
            ("rituals", N_("Rituels d'équipe")),
            ("internal_comms", N_("Communication interne")),
            ("crisis", N_("Gestion de crise")),
        ),
    ),
)
SKILL_CODES: tuple[str, ...] = tuple(d.code for d in SKILL_DIMENSIONS)
SKILL_LABELS = {d.code: d.label for d in SKILL_DIMENSIONS}
SUB_SKILLS = {code: dim for dim in SKILL_DIMENSIONS for code, _ in dim.sub_skills}
SUB_SKILL_LABELS = {code: label for dim in SKILL_DIMENSIONS for code, label in dim.sub_skills}
SKILL_LEVELS = (0, 1, 2, 3, 4, 5)
SKILL_LEVEL_LABELS = {
    0: N_("Aucune"),
    1: N_("Notions"),
    2: N_("Pratique occasionnelle"),
    3: N_("Autonome"),
    4: N_("Confirmée"),
    5: N_("Experte"),
}

# The tools catalogue (DESIGN.md); free entries are allowed and normalised.
TOOLS_CATALOGUE: tuple[str, ...] = (
    "Notion", "Asana", "Monday", "ClickUp",
    "Slack", "Teams",
    "Google Workspace", "Confluence",
    "Pennylane", "Spendesk", "Agicap",
    "PayFit", "Silae", "Lucca", "Factorial",
)


def fold(text: str) -> str:
    """Lower-case and strip accents: the key used to compare free text entries."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_TOOL_BY_KEY = {fold(t).replace(" ", ""): t for t in TOOLS_CATALOGUE}
_TOOL_ALIASES = {
    "gsuite": "Google Workspace",
    "googleapps": "Google Workspace",
    "microsoftteams": "Teams",
    "msteams": "Teams",
    "monday.com": "Monday",
    "mondaycom": "Monday",
}


def normalize_tool(name: str) -> str:
    """Canonical spelling of a tool: catalogue names win ("notion" → "Notion")."""
    cleaned = " ".join(name.split())
    if not cleaned:
        return ""
    key = fold(cleaned).replace(" ", "")
    if key in _TOOL_ALIASES:
        return _TOOL_ALIASES[key]
    if key in _TOOL_BY_KEY:
        return _TOOL_BY_KEY[key]
    # Free entry: keep the user's spelling but capitalise a fully lower-case word.
    return cleaned[0].upper() + cleaned[1:] if cleaned.islower() else cleaned


def normalize_tools(names) -> list[str]:
    """Deduplicated, canonical, sorted list of tools."""
    seen: dict[str, str] = {}
    for name in names:
        tool = normalize_tool(name)
        if tool:
            seen.setdefault(fold(tool), tool)
    return sorted(seen.values(), key=fold)


LANGUAGES = {
    "fr": N_("Français"),
    "en": N_("Anglais"),
    "es": N_("Espagnol"),
    "de": N_("Allemand"),
    "it": N_("Italien"),
    "pt": N_("Portugais"),
    "ar": N_("Arabe"),
    "zh": N_("Chinois"),
}

# Business sectors used for company profiles and the non-compete rule.
SECTORS = {
    "agence_conseil": N_("Agence et conseil"),
    "batiment": N_("Bâtiment et travaux"),
    "commerce": N_("Commerce et distribution"),
    "ecommerce": N_("E-commerce"),
    "edtech": N_("Éducation et formation"),
    "finance": N_("Finance et assurance"),
    "immobilier": N_("Immobilier"),
    "industrie": N_("Industrie"),
    "juridique": N_("Juridique"),
    "logiciel": N_("Logiciel et SaaS"),
    "medias": N_("Médias et communication"),
    "restauration": N_("Hôtellerie et restauration"),
    "sante": N_("Santé"),
    "transport_logistique": N_("Transport et logistique"),
    "associatif": N_("Associatif et ESS"),
    "autre": N_("Autre"),
}


class LegalForm(StrEnum):
    MICRO = "micro"          # micro-entreprise / entrepreneur individuel
    EI = "ei"
    EURL = "eurl"
    SASU = "sasu"
    PORTAGE = "portage"


LEGAL_FORM_LABELS = {
    LegalForm.MICRO: N_("Micro-entreprise (EI)"),
    LegalForm.EI: N_("Entrepreneur individuel (EI, régime réel)"),
    LegalForm.EURL: N_("EURL"),
    LegalForm.SASU: N_("SASU"),
    LegalForm.PORTAGE: N_("Portage salarial"),
}


class VatRegime(StrEnum):
    FRANCHISE = "franchise"   # "TVA non applicable, art. 293 B du CGI"
    LIABLE = "liable"


def weekdays_needed(half_days_per_week: int) -> int:
    """Whole weekdays a volume occupies: 1.5 days a week (3 half days) needs two free weekdays."""
    return -(-half_days_per_week // 2)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the end of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
