"""Sizing the need: the 10-signal diagnostic, the cost simulator, perimeter → days/week.

Every figure of DESIGN.md ("Rules taken from the field") is reproduced exactly by
these functions and used as a worked example in the tests: the four diagnostic
bands, the Île-de-France cost comparison (48 900 € vs 42 300 €, saving 6 600 €,
13,5 %), the headcount table and the example perimeter (8 tasks, 24 h/month,
~20 people → 1,5 day/week). Money is integer cents, rates are ``Decimal``.

The hidden yearly cost of the diagnostic is our own, deliberately prudent model: each
assumption is a named constant below and is shown to the user next to its figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from flask_babel import lazy_gettext as _l

from marketplace.domain import SKILL_LABELS, SUB_SKILL_LABELS, SUB_SKILLS
from marketplace.errors import DomainError, InvalidInput, raise_if_any  # noqa: F401  (InvalidInput: re-exported)
from marketplace.formatting import days_fr, decimal_fr, euros, group_thousands


def days_label(half_days: int) -> str:
    """A number of half days in French: 3 → ``1,5 jour``."""
    return days_fr(Decimal(half_days) / 2)


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- cost simulator ---------------------------------------------------------------

DEFAULT_GROSS_SALARY_CENTS = 3_200_000
DEFAULT_EMPLOYER_RATE = Decimal("0.45")
DEFAULT_EXTRAS_CENTS = 250_000
DEFAULT_DAILY_RATE_CENTS = 45_000
DEFAULT_DAYS_PER_WEEK = Decimal(2)
DEFAULT_WEEKS_PER_YEAR = 47

MAX_DAILY_RATE_CENTS = 500_000
MAX_SALARY_CENTS = 100_000_000


@dataclass(frozen=True)
class CostInputs:
    """A salaried junior (gross, employer charges, extras) against a freelance senior."""

    gross_salary_cents: int = DEFAULT_GROSS_SALARY_CENTS
    employer_rate: Decimal = DEFAULT_EMPLOYER_RATE
    extras_cents: int = DEFAULT_EXTRAS_CENTS
    daily_rate_cents: int = DEFAULT_DAILY_RATE_CENTS
    days_per_week: Decimal = DEFAULT_DAYS_PER_WEEK
    weeks_per_year: int = DEFAULT_WEEKS_PER_YEAR


@dataclass(frozen=True)
class CostComparison:
    inputs: CostInputs
    employer_charges_cents: int
    salaried_cents: int
    days_per_year: Decimal
    freelance_cents: int
    saving_cents: int
    saving_rate: Decimal

    @property
    def freelance_cheaper(self) -> bool:
        return self.saving_cents > 0

    @property
    def days_per_week(self) -> Decimal:
        return self.inputs.days_per_week

    @property
    def freelance_monthly_cents(self) -> int:
        return _cents(Decimal(self.freelance_cents) / 12)

    def bar_widths(self) -> tuple[Decimal, Decimal]:
        """Widths (percent of the larger total) of the chart's two bars."""
        top = max(self.salaried_cents, self.freelance_cents, 1)
        return (
            (Decimal(100 * self.salaried_cents) / top).quantize(Decimal("0.1")),
            (Decimal(100 * self.freelance_cents) / top).quantize(Decimal("0.1")),
        )


def validate_cost_inputs(inputs: CostInputs) -> None:
    """French messages, one per wrong field (InvalidInput)."""
    errors: list[DomainError] = []
    if inputs.gross_salary_cents is None or inputs.gross_salary_cents <= 0:
        errors.append(DomainError(_l("Le salaire brut annuel doit être supérieur à 0 € (jamais négatif)."), "gross_salary"))
    elif inputs.gross_salary_cents > MAX_SALARY_CENTS:
        errors.append(DomainError(_l("Le salaire brut annuel paraît trop élevé : 1 000 000 € au plus."), "gross_salary"))
    if inputs.employer_rate is None or not Decimal(0) <= inputs.employer_rate <= Decimal(1):
        errors.append(DomainError(_l("Le taux de charges patronales doit être compris entre 0 et 100 %."), "employer_rate"))
    if inputs.extras_cents is None or inputs.extras_cents < 0:
        errors.append(DomainError(_l("Les frais annexes ne peuvent pas être négatifs (0 € si aucun)."), "extras"))
    if inputs.daily_rate_cents is None or inputs.daily_rate_cents <= 0:
        errors.append(DomainError(_l("Le TJM doit être supérieur à 0 €."), "daily_rate"))
    elif inputs.daily_rate_cents > MAX_DAILY_RATE_CENTS:
        errors.append(DomainError(_l("Le TJM paraît trop élevé : 5 000 € par jour au plus."), "daily_rate"))
    days = inputs.days_per_week
    if days is None or not Decimal("0.5") <= days <= 5:
        errors.append(DomainError(_l("Le nombre de jours par semaine doit être compris entre 0,5 et 5."), "days_per_week"))
    elif days * 2 != (days * 2).to_integral_value():
        errors.append(DomainError(
            _l("Indiquez des jours entiers ou des demi-journées (par exemple 1,5 ou 2)."), "days_per_week"))
    if inputs.weeks_per_year is None or not 1 <= inputs.weeks_per_year <= 52:
        errors.append(DomainError(_l("Le nombre de semaines travaillées doit être compris entre 1 et 52."), "weeks_per_year"))
    raise_if_any(errors)


def compare_costs(inputs: CostInputs) -> CostComparison:
    """Both yearly totals, the saving in euros and as a share of the salaried cost."""
    validate_cost_inputs(inputs)
    charges = _cents(Decimal(inputs.gross_salary_cents) * inputs.employer_rate)
    salaried = inputs.gross_salary_cents + charges + inputs.extras_cents
    days = inputs.days_per_week * inputs.weeks_per_year
    freelance = _cents(Decimal(inputs.daily_rate_cents) * days)
    saving = salaried - freelance
    rate = (Decimal(saving) / Decimal(salaried)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return CostComparison(inputs, charges, salaried, days, freelance, saving, rate)


# --- diagnostic -------------------------------------------------------------------

HOURS_PER_YEAR = 1607          # French legal yearly working time (35 h weeks)
WORKING_DAYS_PER_YEAR = 218    # the legal "forfait jours"
WORKING_WEEKS_PER_YEAR = 47
# The simulator's salaried junior (48 900 € a year) prices an employee's time.
JUNIOR_YEARLY_CENTS = compare_costs(CostInputs()).salaried_cents
STAFF_HOURLY_CENTS = _cents(Decimal(JUNIOR_YEARLY_CENTS) / HOURS_PER_YEAR)
# A director's hour: 70 000 € gross, employer charges 45 %, over 1 607 h.
DIRECTOR_HOURLY_CENTS = _cents(Decimal(7_000_000) * Decimal("1.45") / HOURS_PER_YEAR)
DEFAULT_DIAGNOSTIC_HEADCOUNT = 20
OVERHEADS_PER_PERSON_CENTS = 250_000   # supplies, subscriptions, services, per person and year
DESK_COST_PER_PERSON_CENTS = 250_000   # 10 m² at 250 € per m² and year
DEPARTURE_COST_CENTS = JUNIOR_YEARLY_CENTS // 4   # three months of a salaried junior
DUERP_FINE_CENTS = 150_000             # missing risk assessment (DUERP): 5th-class fine, 1 500 €


@dataclass(frozen=True)
class Signal:
    code: str
    label: str
    hint: str
    tasks: tuple[str, ...]          # catalogue sub-skills an office manager would take on


SIGNALS: tuple[Signal, ...] = (
    Signal("director_ops", _l("Le dirigeant consacre 40 % ou plus de son temps à l'opérationnel"),
           _l("Fournisseurs, locaux, matériel, petites urgences : tout remonte à la direction."),
           ("coordination", "process_mapping")),
    Signal("onboarding_lost", _l("Les nouveaux arrivants sont perdus pendant trois semaines"),
           _l("Poste pas prêt, accès manquants, personne pour les guider."),
           ("onboarding",)),
    Signal("admin_questions", _l("Une vingtaine de questions administratives par jour"),
           _l("« Où trouver… ? », « Qui s'occupe de… ? » : autant d'interruptions."),
           ("documentation", "internal_comms")),
    Signal("suppliers_expensive", _l("Des fournisseurs trop chers ou jamais renégociés"),
           _l("Contrats reconduits tacitement, abonnements oubliés."),
           ("suppliers", "cost_optimisation")),
    Signal("undocumented_processes", _l("Des processus non documentés"),
           _l("Tout est dans la tête de quelques personnes."),
           ("documentation", "process_mapping")),
    Signal("high_turnover", _l("Un turnover supérieur à 20 %"),
           _l("Plus d'un départ sur cinq personnes chaque année."),
           ("engagement", "offboarding")),
    Signal("inefficient_meetings", _l("Des réunions inefficaces"),
           _l("Sans ordre du jour, sans compte rendu, trop longues."),
           ("rituals",)),
    Signal("unknown_costs", _l("Le coût de fonctionnement de l'organisation est inconnu"),
           _l("Personne ne sait ce que coûtent les locaux, les outils et les services par personne."),
           ("budget",)),
    Signal("underused_space", _l("Des espaces de travail mal utilisés"),
           _l("Bureaux vides certains jours, salles de réunion introuvables d'autres."),
           ("spaces", "flex_office")),
    Signal("legal_unknown", _l("Des obligations légales mal connues"),
           _l("DUERP, registres obligatoires, affichages, sécurité incendie."),
           ("safety_registers",)),
)
SIGNAL_CODES: tuple[str, ...] = tuple(s.code for s in SIGNALS)
SIGNALS_BY_CODE = {s.code: s for s in SIGNALS}


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    code: str
    title: str
    explanation: str
    advice: str


BANDS: tuple[Band, ...] = (
    Band(0, 2, "healthy", _l("Peut-être trop petit ou déjà bien organisé"),
         _l("Peu de signaux : votre entreprise est peut-être encore petite, ou son fonctionnement est déjà bien tenu."),
         _l("Un office manager n'est pas une priorité aujourd'hui. Une demi-journée par semaine peut suffire pour "
         "un chantier précis ; refaites le diagnostic dans six mois.")),
    Band(3, 5, "energy", _l("Vous tenez grâce à l'énergie"),
         _l("L'organisation repose sur la bonne volonté de quelques personnes, souvent la vôtre. Cela tient, "
         "mais au prix d'heures invisibles et d'erreurs évitables."),
         _l("Un office manager un à deux jours par semaine structure l'essentiel et vous rend du temps.")),
    Band(6, 8, "structural", _l("Problème structurel"),
         _l("Les irritants se cumulent : ce n'est plus une question d'effort mais d'organisation. Le fonctionnement "
         "de l'entreprise n'a pas de responsable identifié."),
         _l("Confiez un périmètre clair à un office manager senior, avec des objectifs mesurés chaque trimestre.")),
    Band(9, 10, "urgent", _l("Urgent"),
         _l("Presque tous les signaux sont au rouge : le fonctionnement coûte cher chaque semaine et expose "
         "l'entreprise à des risques (départs, obligations légales)."),
         _l("Commencez vite, quitte à démarrer à deux jours par semaine et à ajuster après le premier trimestre.")),
)


def band_for(score: int) -> Band:
    """The band of a number of ticked signals (0–10)."""
    for band in BANDS:
        if band.low <= score <= band.high:
            return band
    raise ValueError(f"score out of range: {score}")


@dataclass(frozen=True)
class CostLine:
    signal: Signal
    cents: int
    assumption: str


@dataclass(frozen=True)
class DiagnosticResult:
    signals: tuple[Signal, ...]
    headcount: int
    band: Band
    lines: tuple[CostLine, ...]
    volume: "HeadcountBand"

    @property
    def score(self) -> int:
        return len(self.signals)

    @property
    def hidden_cost_cents(self) -> int:
        return sum(line.cents for line in self.lines)

    @property
    def hidden_cost_rounded_cents(self) -> int:
        """The hidden cost to the nearest hundred euros: an estimate, not an invoice."""
        return _cents(Decimal(self.hidden_cost_cents) / 10_000) * 10_000

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.signals]

    @property
    def suggested_tasks(self) -> list[str]:
        """Catalogue tasks the ticked signals point to, without repeats, in signal order."""
        seen: list[str] = []
        for signal in self.signals:
            for task in signal.tasks:
                if task not in seen:
                    seen.append(task)
        return seen


def _hours_cost(hours: Decimal, hourly_cents: int) -> int:
    return _cents(hours * hourly_cents)


def _cost_line(signal: Signal, n: int) -> CostLine:
    staff = euros(STAFF_HOURLY_CENTS)
    code = signal.code
    if code == "director_ops":
        hours = Decimal(HOURS_PER_YEAR) * Decimal("0.40") * Decimal("0.40")
        return CostLine(signal, _hours_cost(hours, DIRECTOR_HOURLY_CENTS),
                        f"40 % de {group_thousands(HOURS_PER_YEAR)} h par an, dont 40 % à récupérer (objectif type du contrat), "
                        f"à {euros(DIRECTOR_HOURLY_CENTS)} l'heure de dirigeant")
    if code == "onboarding_lost":
        arrivals = max(1, _cents(Decimal(n) * Decimal("0.20")))
        hours = Decimal(arrivals) * 3 * 35 * Decimal("0.5")
        return CostLine(signal, _hours_cost(hours, STAFF_HOURLY_CENTS),
                        f"{arrivals} arrivée{'s' if arrivals > 1 else ''} par an (20 % de l'effectif), "
                        f"trois semaines à mi-productivité, à {staff} l'heure")
    if code == "admin_questions":
        hours = Decimal(20 * 5 * WORKING_DAYS_PER_YEAR) / 60
        return CostLine(signal, _hours_cost(hours, STAFF_HOURLY_CENTS),
                        f"20 questions de 5 minutes, {WORKING_DAYS_PER_YEAR} jours par an, à {staff} l'heure")
    if code == "suppliers_expensive":
        return CostLine(signal, n * OVERHEADS_PER_PERSON_CENTS // 10,
                        f"10 % d'économie habituelle sur {euros(OVERHEADS_PER_PERSON_CENTS)} de frais généraux "
                        "par personne et par an")
    if code == "undocumented_processes":
        hours = Decimal(n * 15 * WORKING_WEEKS_PER_YEAR) / 60
        return CostLine(signal, _hours_cost(hours, STAFF_HOURLY_CENTS),
                        f"15 minutes perdues par personne et par semaine, {WORKING_WEEKS_PER_YEAR} semaines, "
                        f"à {staff} l'heure")
    if code == "high_turnover":
        avoidable = max(1, _cents(Decimal(n) * Decimal("0.05")))
        return CostLine(signal, avoidable * DEPARTURE_COST_CENTS,
                        f"{avoidable} départ{'s' if avoidable > 1 else ''} évitable{'s' if avoidable > 1 else ''} "
                        f"par an (la moitié de l'excédent au-delà de 10 %), {euros(DEPARTURE_COST_CENTS)} chacun "
                        "(trois mois de coût salarial)")
    if code == "inefficient_meetings":
        hours = Decimal(n * 20 * WORKING_WEEKS_PER_YEAR) / 60
        return CostLine(signal, _hours_cost(hours, STAFF_HOURLY_CENTS),
                        f"20 minutes de réunion inutile par personne et par semaine, à {staff} l'heure")
    if code == "unknown_costs":
        return CostLine(signal, n * OVERHEADS_PER_PERSON_CENTS * 5 // 100,
                        f"5 % de dérive sur {euros(OVERHEADS_PER_PERSON_CENTS)} de frais généraux par personne")
    if code == "underused_space":
        return CostLine(signal, n * DESK_COST_PER_PERSON_CENTS * 20 // 100,
                        f"20 % de surface inutilisée sur {euros(DESK_COST_PER_PERSON_CENTS)} de loyer "
                        "par poste (10 m² à 250 € le m²)")
    if code == "legal_unknown":
        return CostLine(signal, DUERP_FINE_CENTS,
                        "l'amende encourue pour un document unique (DUERP) absent, sans compter le risque "
                        "en cas d'accident")
    raise KeyError(code)


def diagnose(codes: Iterable[str], headcount: int | None = None) -> DiagnosticResult:
    """The band, the hidden yearly cost per ticked signal, and the usual volume."""
    wanted = set(codes)
    unknown = wanted - set(SIGNAL_CODES)
    if unknown:
        raise DomainError(_l("Signal inconnu : rechargez le diagnostic."), "signals")
    if headcount is not None and not 1 <= headcount <= 100_000:
        raise DomainError(_l("L'effectif doit être un nombre positif."), "headcount")
    n = headcount or DEFAULT_DIAGNOSTIC_HEADCOUNT
    signals = tuple(s for s in SIGNALS if s.code in wanted)
    lines = tuple(_cost_line(s, n) for s in signals)
    return DiagnosticResult(signals, n, band_for(len(signals)), lines, headcount_band(n))


def parse_signal_codes(raw: str | Iterable[str] | None) -> list[str]:
    """Known signal codes from a comma-separated string or a list (unknown ones dropped)."""
    if not raw:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = {item.strip() for item in items}
    return [code for code in SIGNAL_CODES if code in wanted]


# --- volume: headcount table and perimeter ----------------------------------------

@dataclass(frozen=True)
class HeadcountBand:
    low_people: int
    high_people: int | None
    low_half_days: int
    high_half_days: int
    label: str
    people_label: str

    @property
    def short_label(self) -> str:
        """The volume without "par semaine": ``1 à 1,5 jour``."""
        return self.label.replace(" par semaine", "")


# DESIGN.md: 10–25 → 1 to 1.5 d/week; 25–50 → 2; 50–80 → 2.5 to 3; 80–120 → 3 to 4 or full
# time. Below 10 and above 120 are outside the target and extrapolated.
# A company on a boundary (25, 50, 80) takes the smaller band.
HEADCOUNT_TABLE: tuple[HeadcountBand, ...] = (
    HeadcountBand(1, 9, 1, 2, _l("0,5 à 1 jour par semaine"), _l("moins de 10 personnes")),
    HeadcountBand(10, 25, 2, 3, _l("1 à 1,5 jour par semaine"), _l("10 à 25 personnes")),
    HeadcountBand(26, 50, 4, 4, _l("2 jours par semaine"), _l("25 à 50 personnes")),
    HeadcountBand(51, 80, 5, 6, _l("2,5 à 3 jours par semaine"), _l("50 à 80 personnes")),
    HeadcountBand(81, 120, 6, 10, _l("3 à 4 jours par semaine, voire un temps plein"), _l("80 à 120 personnes")),
    HeadcountBand(121, None, 8, 10, _l("4 jours par semaine à un temps plein"), _l("plus de 120 personnes")),
)


def headcount_band(headcount: int) -> HeadcountBand:
    """The usual volume for a company of ``headcount`` people."""
    for band in HEADCOUNT_TABLE:
        if headcount >= band.low_people and (band.high_people is None or headcount <= band.high_people):
            return band
    return HEADCOUNT_TABLE[0]


WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
HOURS_PER_DAY = 7
# Of a 7-hour day on site, about 5 go to the planned tasks; the rest to the team's
# questions, follow-up and coordination, which a perimeter never lists.
TASK_HOURS_PER_DAY = Decimal(5)
CRITICAL_LEVEL = 4

# Typical hours per month of each catalogue task; the eight of DESIGN.md's example first.
SUGGESTED_MINUTES: dict[str, int] = {
    "onboarding": 240, "suppliers": 360, "budget": 180, "events": 120, "spaces": 120,
    "documentation": 240, "internal_comms": 120, "safety_registers": 60,
    "offboarding": 60, "engagement": 120, "culture": 60, "process_mapping": 180, "tools_stack": 120,
    "coordination": 240, "cost_optimisation": 120, "expenses": 180, "payroll_prep": 180,
    "flex_office": 120, "moves": 240, "rituals": 120, "crisis": 60,
}
# DESIGN.md's example perimeter: 24 h/month.
FIELD_EXAMPLE_TASKS: tuple[str, ...] = (
    "onboarding", "suppliers", "budget", "events", "spaces", "documentation", "internal_comms", "safety_registers",
)


@dataclass(frozen=True)
class TaskLine:
    """One perimeter line as the sizing sees it (the model's PerimeterLine has the same fields)."""

    task: str
    minutes_per_month: int
    criticality: int = 3
    current_owner: str = ""
    catalogue_code: str | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class VolumeRecommendation:
    task_count: int
    minutes_per_month: int
    hours_per_week: Decimal
    perimeter_half_days: int
    headcount: int
    band: HeadcountBand
    recommended_half_days: int
    reasoning: tuple[str, ...]
    minutes_by_dimension: dict[str, int] = field(default_factory=dict)
    critical_tasks: tuple[str, ...] = ()

    @property
    def hours_per_month(self) -> Decimal:
        return Decimal(self.minutes_per_month) / 60

    @property
    def recommended_days(self) -> Decimal:
        return Decimal(self.recommended_half_days) / 2

    @property
    def perimeter_days(self) -> Decimal:
        return Decimal(self.perimeter_half_days) / 2


def _ceil_half_days(days: Decimal) -> int:
    return int((days * 2).to_integral_value(rounding=ROUND_CEILING))


def perimeter_half_days(minutes_per_month: int) -> int:
    """Half days a week the tasks need, rounded up, between 1 and 10."""
    hours_week = Decimal(minutes_per_month) / 60 / WEEKS_PER_MONTH
    return min(10, max(1, _ceil_half_days(hours_week / TASK_HOURS_PER_DAY)))


def recommend_volume(lines: Sequence[TaskLine], headcount: int) -> VolumeRecommendation:
    """Days/week from the perimeter and from the headcount, both explained in French."""
    if not lines:
        raise DomainError(_l("Ajoutez au moins une tâche au périmètre."), "perimeter")
    minutes = sum(line.minutes_per_month for line in lines)
    hours_week = Decimal(minutes) / 60 / WEEKS_PER_MONTH
    need = hours_week / TASK_HOURS_PER_DAY
    from_perimeter = perimeter_half_days(minutes)
    band = headcount_band(headcount)
    recommended = min(10, max(from_perimeter, band.low_half_days))

    count = len(lines)
    reasoning = [
        f"Votre périmètre compte {count} tâche{'s' if count > 1 else ''} pour "
        f"{decimal_fr(Decimal(minutes) / 60)} h par mois, soit environ "
        f"{decimal_fr(hours_week, 0)} h par semaine.",
        f"Sur une journée de {HOURS_PER_DAY} h, environ {TASK_HOURS_PER_DAY} h vont aux tâches planifiées ; "
        "le reste aux questions de l'équipe, au suivi et à la coordination. Il faut donc "
        f"{decimal_fr(need)} jour par semaine, arrondi à la demi-journée supérieure : "
        f"{days_label(from_perimeter)} par semaine.",
        f"Avec {headcount} personnes, les PME de {band.people_label} prennent habituellement {band.label}.",
    ]
    if from_perimeter < band.low_half_days:
        reasoning.append(
            f"Votre périmètre paraît léger pour votre effectif : vérifiez qu'il n'oublie pas de tâches. "
            f"Nous retenons le bas de la fourchette habituelle : {days_label(recommended)} par semaine."
        )
    elif from_perimeter > band.high_half_days:
        reasoning.append(
            f"Votre périmètre demande plus que l'habitude pour votre effectif : nous suivons le périmètre, "
            f"{days_label(recommended)} par semaine."
        )
    else:
        reasoning.append(
            f"Les deux approches concordent : nous recommandons {days_label(recommended)} par semaine au minimum."
        )

    by_dimension: dict[str, int] = {}
    for line in lines:
        dimension = line.dimension or (SUB_SKILLS[line.catalogue_code].code if line.catalogue_code in SUB_SKILLS else None)
        if dimension:
            by_dimension[dimension] = by_dimension.get(dimension, 0) + line.minutes_per_month
    critical = tuple(line.task for line in lines if line.criticality >= CRITICAL_LEVEL)
    return VolumeRecommendation(
        task_count=count,
        minutes_per_month=minutes,
        hours_per_week=hours_week,
        perimeter_half_days=from_perimeter,
        headcount=headcount,
        band=band,
        recommended_half_days=recommended,
        reasoning=tuple(reasoning),
        minutes_by_dimension=dict(sorted(by_dimension.items(), key=lambda kv: -kv[1])),
        critical_tasks=critical,
    )


def suggested_levels(lines: Iterable[TaskLine]) -> dict[str, int]:
    """Required level per dimension, pre-filled from the perimeter: 3 (autonomous), 4 if a task is critical."""
    levels: dict[str, int] = {}
    for line in lines:
        dimension = line.dimension or (SUB_SKILLS[line.catalogue_code].code if line.catalogue_code in SUB_SKILLS else None)
        if dimension not in SKILL_LABELS:
            continue
        level = 4 if line.criticality >= CRITICAL_LEVEL else 3
        levels[dimension] = max(levels.get(dimension, 0), level)
    return levels


def catalogue_line(code: str, criticality: int = 3) -> TaskLine:
    """A catalogue task with its typical hours per month."""
    return TaskLine(
        task=SUB_SKILL_LABELS[code], minutes_per_month=SUGGESTED_MINUTES.get(code, 120), criticality=criticality,
        catalogue_code=code, dimension=SUB_SKILLS[code].code,
    )


def field_example() -> list[TaskLine]:
    """DESIGN.md's example perimeter: 8 tasks, 24 h per month."""
    return [catalogue_line(code) for code in FIELD_EXAMPLE_TASKS]


def freelance_yearly_cents(half_days_per_week: int, daily_rate_cents: int = DEFAULT_DAILY_RATE_CENTS,
                           weeks: int = DEFAULT_WEEKS_PER_YEAR) -> int:
    """What a freelance senior costs a year at this volume (same maths as the simulator)."""
    return _cents(Decimal(daily_rate_cents) * Decimal(half_days_per_week * weeks) / 2)


__all__ = [
    "BANDS", "HEADCOUNT_TABLE", "SIGNALS", "CostComparison", "CostInputs", "DiagnosticResult", "InvalidInput",
    "TaskLine", "VolumeRecommendation", "band_for", "compare_costs", "diagnose", "headcount_band",
    "recommend_volume", "suggested_levels",
]
