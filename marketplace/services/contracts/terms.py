"""The clauses of a scoping contract: one value object, its rules, its wording checks and its diff.

A :class:`Terms` is what a version freezes (``ContractVersion.content``) and what the
contract's columns hold once signed. :func:`check` applies every rule at once so a form
shows each problem beside its field; :func:`wording_warnings` flags the phrases that
would make the contract read as disguised employment.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l

from marketplace import i18n, legal
from marketplace.domain import (
    HALVES,
    WEEKDAYS,
    WORK_MODE_LABELS,
    WeekSlots,
    WorkMode,
    weekdays_needed,
)
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import date_fr, days_fr, decimal_fr, euros
from marketplace.models.contracts import Contract
from marketplace.services.contracts.rules import (
    CLAUSE_LABELS,
    FREE_TEXT_CLAUSES,
    MAX_DAILY_RATE_CENTS,
    MAX_DURATION,
    MAX_KPI_TEXT,
    MAX_KPIS,
    MAX_LONG_TEXT,
    MAX_PAYMENT_TERMS_DAYS,
    MAX_SPENDING_THRESHOLD_CENTS,
    MAX_START_AHEAD,
    MAX_TITLE,
    MIN_DAILY_RATE_CENTS,
)

# The terms an amendment exists for: its volume, its weekdays, its rate.
AMENDABLE = ("slots", "daily_rate_cents")


@dataclass
class Terms:
    """Every clause of the scoping document (money in cents, slots as ``"tue-am"`` codes)."""

    title: str = ""
    objectives: str = ""
    in_scope: str = ""
    out_of_scope: str = ""
    slots: list[str] = field(default_factory=list)
    work_mode: str = WorkMode.HYBRID.value
    onsite_days_per_week: int = 0
    spending_threshold_cents: int = 50_000
    kpis: list[dict[str, str]] = field(default_factory=list)
    daily_rate_cents: int = 0
    payment_terms_days: int = 30
    notice_months: int = 1
    non_compete: bool = False
    start_date: date | None = None
    end_date: date | None = None

    # --- derived -------------------------------------------------------------------

    @property
    def week(self) -> WeekSlots:
        return slots_to_week(self.slots)

    @property
    def half_days_per_week(self) -> int:
        return self.week.half_days()

    @property
    def weekdays(self) -> list[str]:
        return [d for d in WEEKDAYS if any(self.week.has(d, h) for h in HALVES)]

    @property
    def value_cents(self) -> int:
        """The contract's expected value HT, as the vigilance rule reckons it."""
        if not self.start_date or not self.daily_rate_cents:
            return 0
        return legal.contract_value_cents(self.daily_rate_cents, self.half_days_per_week, self.start_date, self.end_date)

    # --- storage ---------------------------------------------------------------------

    def to_content(self) -> dict[str, Any]:
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat() if self.start_date else None
        data["end_date"] = self.end_date.isoformat() if self.end_date else None
        return data

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> "Terms":
        known = {k: v for k, v in content.items() if k in cls.__dataclass_fields__}
        for key in ("start_date", "end_date"):
            if known.get(key):
                known[key] = date.fromisoformat(known[key])
        known["kpis"] = [dict(k) for k in known.get("kpis") or []]
        known["slots"] = list(known.get("slots") or [])
        return cls(**known)

    @classmethod
    def from_contract(cls, contract: Contract) -> "Terms":
        return cls(
            title=contract.title, objectives=contract.objectives, in_scope=contract.in_scope,
            out_of_scope=contract.out_of_scope, slots=list(contract.slots or []), work_mode=contract.work_mode,
            onsite_days_per_week=contract.onsite_days_per_week,
            spending_threshold_cents=contract.spending_threshold_cents,
            kpis=[dict(k) for k in contract.kpis or []], daily_rate_cents=contract.daily_rate_cents,
            payment_terms_days=contract.payment_terms_days, notice_months=contract.notice_months,
            non_compete=contract.non_compete, start_date=contract.start_date, end_date=contract.end_date,
        )

    def apply_to(self, contract: Contract) -> None:
        """Write these terms on the contract's columns (the terms in force, or the latest draft)."""
        contract.title = self.title
        contract.objectives = self.objectives
        contract.in_scope = self.in_scope
        contract.out_of_scope = self.out_of_scope
        contract.slots = sorted(self.slots, key=_slot_order)
        contract.half_days_per_week = self.half_days_per_week
        contract.weekdays = self.weekdays
        contract.work_mode = self.work_mode
        contract.onsite_days_per_week = self.onsite_days_per_week
        contract.spending_threshold_cents = self.spending_threshold_cents
        contract.kpis = [dict(k) for k in self.kpis]
        contract.daily_rate_cents = self.daily_rate_cents
        contract.payment_terms_days = self.payment_terms_days
        contract.notice_months = self.notice_months
        contract.non_compete = self.non_compete
        contract.start_date = self.start_date
        contract.end_date = self.end_date

    def cleaned(self) -> "Terms":
        """Surrounding blanks trimmed, slots ordered, on-site days consistent with the mode."""
        onsite = self.onsite_days_per_week
        if self.work_mode == WorkMode.REMOTE.value:
            onsite = 0
        elif self.work_mode == WorkMode.ONSITE.value:
            onsite = len(self.weekdays)
        return replace(
            self,
            title=(self.title or "").strip(), objectives=(self.objectives or "").strip(),
            in_scope=(self.in_scope or "").strip(), out_of_scope=(self.out_of_scope or "").strip(),
            slots=sorted(set(self.slots), key=_slot_order), onsite_days_per_week=onsite,
            kpis=[{"code": k.get("code") or "custom", "label": (k.get("label") or "").strip(),
                   "target": (k.get("target") or "").strip()}
                  for k in self.kpis if (k.get("label") or "").strip() or (k.get("target") or "").strip()],
        )


# --- slots ---------------------------------------------------------------------------


def slot_code(weekday: str, half: str) -> str:
    return f"{weekday}-{half}"


def _slot_order(code: str) -> tuple[int, int]:
    weekday, _, half = code.partition("-")
    return (WEEKDAYS.index(weekday) if weekday in WEEKDAYS else 9, HALVES.index(half) if half in HALVES else 9)


def valid_slot(code: str) -> bool:
    weekday, _, half = code.partition("-")
    return weekday in WEEKDAYS and half in HALVES


def slots_to_week(slots) -> WeekSlots:
    return WeekSlots.from_pairs(tuple(code.split("-", 1)) for code in slots if valid_slot(code))


def week_to_slots(week: WeekSlots) -> list[str]:
    return [slot_code(d, h) for d, h in week.pairs()]


def default_slots(weekdays: list[str], half_days: int) -> list[str]:
    """Whole days on the named weekdays; an odd half day is the morning of the last one."""
    slots: list[str] = []
    for day in [d for d in WEEKDAYS if d in weekdays][: weekdays_needed(half_days)]:
        left = half_days - len(slots)
        slots += [slot_code(day, "am"), slot_code(day, "pm")] if left >= 2 else [slot_code(day, "am")]
    return slots


def describe_slots(slots) -> str:
    """``["tue-am", "tue-pm", "thu-am"]`` → ``mardi et jeudi matin``."""
    week = slots_to_week(slots)
    parts = []
    for day in WEEKDAYS:
        am, pm = week.has(day, "am"), week.has(day, "pm")
        if am and pm:
            parts.append(i18n.weekday(day))
        elif am:
            parts.append(gettext("%(day)s matin", day=i18n.weekday(day)))
        elif pm:
            parts.append(gettext("%(day)s après-midi", day=i18n.weekday(day)))
    return i18n.join(parts) if parts else gettext("aucun jour")


def hours_label(minutes: int) -> str:
    """``90`` → ``1,5 h``."""
    return f"{decimal_fr(minutes / 60)} h"


def volume_label(half_days: int) -> str:
    """``4`` → ``2 jours par semaine``; ``3`` → ``1,5 jour par semaine``."""
    return f"{days_fr(half_days / 2)} par semaine"


# --- rules ---------------------------------------------------------------------------


def check(terms: Terms, *, today: date, amendment_from: date | None = None) -> None:
    """Every rule on the clauses, all at once (InvalidInput names each field)."""
    errors: list[DomainError] = []

    def bounded_text(name: str, value: str, *, minimum: int = 0, limit: int = MAX_LONG_TEXT, missing: str = "") -> None:
        if len(value) < minimum:
            errors.append(DomainError(missing, name))
        elif len(value) > limit:
            errors.append(DomainError(f"{limit:,} caractères au plus.".replace(",", "\u202f"), name))

    bounded_text("title", terms.title, minimum=5, limit=MAX_TITLE,
                 missing="Donnez un intitulé à la mission (5 caractères au moins).")
    bounded_text("objectives", terms.objectives, minimum=20,
                 missing="Décrivez les objectifs de la mission en une ou deux phrases (20 caractères au moins).")
    bounded_text("in_scope", terms.in_scope, minimum=10,
                 missing="Listez ce que le freelance prend en charge (10 caractères au moins).")
    bounded_text("out_of_scope", terms.out_of_scope)

    if not all(valid_slot(code) for code in terms.slots):
        errors.append(DomainError(_l("Demi-journée inconnue."), "slots"))
    elif not terms.slots:
        errors.append(DomainError(_l("Cochez au moins une demi-journée de la semaine."), "slots"))

    if terms.work_mode not in WorkMode.values():
        errors.append(DomainError(_l("Choisissez sur site, hybride ou à distance."), "work_mode"))
    elif terms.work_mode == WorkMode.HYBRID.value and terms.slots:
        top = max(1, len(terms.weekdays))
        if not 1 <= (terms.onsite_days_per_week or 0) <= top:
            errors.append(DomainError(
                lazy_ngettext("En hybride, indiquez entre 1 et %(num)s jour sur site par semaine.",
                              "En hybride, indiquez entre 1 et %(num)s jours sur site par semaine.", top),
                "onsite_days_per_week"))

    if not 0 <= (terms.spending_threshold_cents or 0) <= MAX_SPENDING_THRESHOLD_CENTS:
        errors.append(DomainError(_l("La délégation de dépenses va de 0 € à 100 000 € par dépense."), "spending_threshold"))

    if len(terms.kpis) > MAX_KPIS:
        errors.append(DomainError(_l("%(MAX_KPIS)s indicateurs au plus.", MAX_KPIS=MAX_KPIS), "kpis"))
    for index, kpi in enumerate(terms.kpis):
        if not kpi.get("label"):
            errors.append(DomainError(_l("Nommez l'indicateur."), f"kpis-{index}-label"))
        elif len(kpi["label"]) > MAX_KPI_TEXT:
            errors.append(DomainError(_l("%(MAX_KPI_TEXT)s caractères au plus.", MAX_KPI_TEXT=MAX_KPI_TEXT), f"kpis-{index}-label"))
        if not kpi.get("target"):
            errors.append(DomainError(_l("Indiquez la cible (par exemple « ≥ 7/10 chaque trimestre »)."), f"kpis-{index}-target"))
        elif len(kpi["target"]) > MAX_KPI_TEXT:
            errors.append(DomainError(_l("%(MAX_KPI_TEXT)s caractères au plus.", MAX_KPI_TEXT=MAX_KPI_TEXT), f"kpis-{index}-target"))
    if not terms.kpis:
        errors.append(DomainError(_l("Gardez au moins un indicateur de réussite, avec sa cible."), "kpis"))

    if not MIN_DAILY_RATE_CENTS <= (terms.daily_rate_cents or 0) <= MAX_DAILY_RATE_CENTS:
        errors.append(DomainError(
            _l("Le TJM doit être compris entre %(amount)s et %(amount2)s HT.", amount=euros(MIN_DAILY_RATE_CENTS), amount2=euros(MAX_DAILY_RATE_CENTS)),
            "daily_rate"))
    if not 0 <= (terms.payment_terms_days or 0) <= MAX_PAYMENT_TERMS_DAYS:
        errors.append(DomainError(
            _l("Les factures sont mensuelles : le délai de paiement ne peut pas dépasser %(MAX_PAYMENT_TERMS_DAYS)s jours après la date de facture.", MAX_PAYMENT_TERMS_DAYS=MAX_PAYMENT_TERMS_DAYS), "payment_terms_days"))
    if terms.notice_months not in (1, 2, 3):
        errors.append(DomainError(_l("Le préavis est d'un à trois mois, le même pour chaque partie."), "notice_months"))

    if terms.start_date is None:
        errors.append(DomainError(_l("Indiquez la date de début."), "start_date"))
    elif amendment_from is None and terms.start_date < today:
        errors.append(DomainError(_l("La date de début ne peut pas être dans le passé."), "start_date"))
    elif terms.start_date > today + MAX_START_AHEAD:
        errors.append(DomainError(_l("La date de début doit être dans les douze prochains mois."), "start_date"))
    if terms.end_date is not None and terms.start_date is not None:
        if terms.end_date <= terms.start_date:
            errors.append(DomainError(_l("La date de fin doit suivre la date de début."), "end_date"))
        elif terms.end_date > terms.start_date + MAX_DURATION:
            errors.append(DomainError(_l("Un contrat dure cinq ans au plus : laissez la date de fin vide pour une "
                                      "durée indéterminée."), "end_date"))
    raise_if_any(errors)


# --- wording -------------------------------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SIGNALS = tuple((re.compile(pattern), reason) for pattern, reason in legal.REQUALIFICATION_SIGNALS)


def phrase_warnings(text: str) -> list[str]:
    """Why ``text`` reads as disguised employment (each reason once), or nothing."""
    plain = _plain(text or "")
    reasons: list[str] = []
    for pattern, reason in _SIGNALS:
        match = pattern.search(plain)
        if match and reason not in reasons:
            # Quote the whole words matched, as the author typed them (the plain text keeps positions
            # when no character decomposed into two).
            source = text if len(text or "") == len(plain) else plain
            start, end = match.start(), match.end()
            while start > 0 and source[start - 1].isalnum():
                start -= 1
            while end < len(source) and source[end].isalnum():
                end += 1
            reasons.append(f"« {source[start:end].strip()} » : {reason}")
    return reasons


def wording_warnings(terms: Terms) -> list[DomainError]:
    """One warning per free-text field whose wording signals disguised employment."""
    warnings: list[DomainError] = []
    for name in FREE_TEXT_CLAUSES:
        reasons = phrase_warnings(getattr(terms, name))
        if reasons:
            warnings.append(DomainError(" ".join(reasons), name))
    for index, kpi in enumerate(terms.kpis):
        for part in ("label", "target"):
            reasons = phrase_warnings(kpi.get(part, ""))
            if reasons:
                warnings.append(DomainError(" ".join(reasons), f"kpis-{index}-{part}"))
    return warnings


# --- showing and comparing -------------------------------------------------------------


def display(terms: Terms, name: str) -> str:
    """One clause as the contract states it, in French."""
    value = getattr(terms, name)
    if name == "slots":
        return describe_slots(value)
    if name == "half_days_per_week":
        return volume_label(terms.half_days_per_week)
    if name == "work_mode":
        return WORK_MODE_LABELS.get(WorkMode(value), value) if value in WorkMode.values() else str(value)
    if name == "onsite_days_per_week":
        return "—" if terms.work_mode == WorkMode.REMOTE.value else f"{value} jour{'s' if value > 1 else ''}"
    if name in ("spending_threshold_cents", "daily_rate_cents"):
        return euros(value)
    if name == "kpis":
        return "\n".join(f"{k['label']} : {k['target']}" for k in value)
    if name == "payment_terms_days":
        return f"{value} jours à compter de la date de facture"
    if name == "notice_months":
        return f"{value} mois, pour chaque partie"
    if name == "non_compete":
        return "Oui" if value else "Non"
    if name in ("start_date", "end_date"):
        return date_fr(value) if value else "durée indéterminée"
    return str(value or "")


@dataclass(frozen=True)
class Change:
    """One clause that differs between two versions, with a word-level diff for texts."""

    name: str
    label: str
    before: str
    after: str
    words: tuple[tuple[str, str], ...]  # ("same" | "removed" | "added", text)


DIFFED = ("title", "objectives", "in_scope", "out_of_scope", "slots", "half_days_per_week", "work_mode",
          "onsite_days_per_week", "spending_threshold_cents", "kpis", "daily_rate_cents", "payment_terms_days",
          "notice_months", "non_compete", "start_date", "end_date")


def diff(old: Terms, new: Terms) -> list[Change]:
    """The clauses that changed from ``old`` to ``new``, in the contract's order."""
    changes = []
    for name in DIFFED:
        before, after = display(old, name), display(new, name)
        if before != after:
            changes.append(Change(name, CLAUSE_LABELS[name], before, after, _word_diff(before, after)))
    return changes


def _word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    a, b = re.findall(r"\S+|\s+", before), re.findall(r"\S+|\s+", after)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", "".join(b[j1:j2])))
    return tuple(out)
