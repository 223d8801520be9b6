"""Forms of the activity report (CRA) and invoice pages: the month's calendar, opening a month, the reasons.

Field names are the ones the services name in their errors (``days``, ``comment``,
``reason``, ``resolution``, ``action``), so every refusal lands beside its field.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from marketplace.errors import DomainError
from marketplace.formatting import date_fr, month_fr
from marketplace.models.contracts import Contract
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.services.timesheets.month import CalendarDay
from marketplace.services.timesheets.reports import Declared
from marketplace.services.timesheets.rules import MAX_COMMENT
from marketplace.web.contract_forms import PageForm
from marketplace.web.forms import BaseForm, choices

MAX_REASON = 2_000
_MONTH = re.compile(r"(\d{4})-(\d{2})")
# What a date of the calendar can hold: nothing, a full day (2 half days) or a half day.
HALF_DAY_CHOICES = (("", "—"), ("2", _l("journée")), ("1", _l("demi-journée")))
RESOLUTIONS = (
    ("reject", _l("Rejeter : la facture est maintenue")),
    ("reissue", _l("Réémettre : avoir, puis facture corrigée à partir du même compte rendu")),
    ("reopen", _l("Rouvrir le compte rendu : avoir, puis le freelance corrige ses jours")),
)


def _at_most(count: int) -> Length:
    return Length(max=count, message=f"{count:,} caractères au plus.".replace(",", "\u202f"))


def parse_month(raw: str | None) -> date | None:
    """``"2026-11"`` → the 1st of November 2026; anything else → None."""
    match = _MONTH.fullmatch((raw or "").strip())
    if not match or not 2000 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_value(month: date) -> str:
    return f"{month:%Y-%m}"


def day_field_name(day: date) -> str:
    return f"day-{day.isoformat()}"


def _half_day_value(form, field) -> None:
    if (field.data or "") not in ("", "1", "2"):
        raise ValidationError("Choisissez « journée », « demi-journée » ou rien.")


# --- the freelancer's month --------------------------------------------------------------------------


class TimesheetForm(BaseForm):
    """The month's calendar: one select per date (fields ``day-2026-11-03``), and a comment for the company."""

    comment = TextAreaField(_l("Commentaire pour le client (facultatif)"), validators=[Optional(), _at_most(MAX_COMMENT)],
                            description=_l("Une précision sur le mois : un jour déplacé, une demi-journée de plus…"))

    day_names: dict[date, str]
    days_errors: list[str]

    @classmethod
    def for_month(cls, days: list[CalendarDay], entries: dict[date, int] | None = None,
                  comment: str = "") -> "TimesheetForm":
        """A form with one select per date of the month, filled with ``entries`` on a GET."""
        fields = {
            day_field_name(d.day): SelectField(date_fr(d.day), choices=choices(HALF_DAY_CHOICES),
                                               validate_choice=False, validators=[_half_day_value])
            for d in days
        }
        data = {day_field_name(day): str(half) for day, half in (entries or {}).items()}
        form = type("TimesheetMonthForm", (cls,), fields)(data={**data, "comment": comment})
        form.day_names = {d.day: day_field_name(d.day) for d in days}
        form.days_errors = []
        return form

    def field_of(self, day: date):
        return self[self.day_names[day]] if day in self.day_names else None

    def declared(self) -> list[Declared]:
        """The dates ticked, as typed (the service judges each one)."""
        found = []
        for day, name in sorted(self.day_names.items()):
            value = self[name].data or ""
            if value in ("1", "2"):
                found.append(Declared(day, int(value)))
        return found

    def place_error(self, error: DomainError) -> None:
        """The month's errors (field ``days``) go beside the calendar."""
        if error.field == "days":
            if error.message not in self.days_errors:
                self.days_errors.append(error.message)
        else:
            super().place_error(error)


class OpenMonthForm(BaseForm):
    """Open the report of a contract and a month (the contract's select lists the freelancer's own)."""

    contract = SelectField(_l("Contrat"), validate_choice=False)
    month = SelectField(_l("Mois"), validate_choice=False)

    @classmethod
    def offering(cls, contracts: list[Contract], months: list[date], default_month: date | None,
                 **kwargs) -> "OpenMonthForm":
        form = cls(**kwargs)
        form.contract.choices = choices(((c.id, f"{c.company.legal_name} — {c.title}") for c in contracts))
        form.month.choices = choices(((month_value(m), month_fr(m).capitalize()) for m in months))
        if not form.is_submitted() and default_month is not None:
            form.month.data = month_value(default_month)
        return form

    def chosen(self, contracts: list[Contract], today: date) -> tuple[Contract, date] | None:
        """The contract and month asked for, or None with the reason beside each field."""
        contract = {str(c.id): c for c in contracts}.get((self.contract.data or "").strip())
        month = parse_month(self.month.data)
        if contract is None:
            self.contract.errors = [*self.contract.errors, "Choisissez l'un de vos contrats."]
        if month is None:
            self.month.errors = [*self.month.errors, "Choisissez un mois."]
        elif month > today.replace(day=1):
            self.month.errors = [*self.month.errors,
                                 f"{month_fr(month).capitalize()} n'a pas commencé : son compte rendu s'ouvrira le "
                                 f"1er {month_fr(month)}."]
        elif contract is not None and month not in timesheet_queries.reportable_months(contract, today):
            self.month.errors = [*self.month.errors,
                                 f"Ce contrat ne couvre pas {month_fr(month)} (du {date_fr(contract.start_date)}"
                                 + (f" au {date_fr(contract.end_date)})." if contract.end_date else ", sans date de fin).")]
        if contract is None or month is None or self.month.errors:
            return None
        return contract, month


# --- the reasons ------------------------------------------------------------------------------------


class DisputeForm(PageForm):
    id_prefix = "dispute"
    reason = TextAreaField(_l("Ce qui ne va pas"), validators=[_at_most(MAX_REASON)],
                           description=_l("Le freelance lit ce commentaire, corrige ses jours et renvoie le compte rendu."))


class ContestForm(PageForm):
    id_prefix = "contest"
    reason = TextAreaField(_l("Ce qui est inexact"), validators=[_at_most(MAX_REASON)],
                           description=_l("Jours, TJM, identité, adresse… L'équipe de la plateforme vous répond."))


class CorrectForm(PageForm):
    id_prefix = "correct"
    reason = TextAreaField(_l("Motif de la correction"), validators=[_at_most(MAX_REASON)],
                           description=_l("Le compte rendu est rouvert en nouvelle version ; sa facture est annulée "
                                          "par un avoir. Les deux parties reçoivent ce motif."))


class CreditForm(PageForm):
    id_prefix = "credit"
    reason = TextAreaField(_l("Motif de l'avoir"), validators=[_at_most(MAX_REASON)],
                           description=_l("Il figure au journal d'audit. La facture de frais liée est annulée aussi."))


class ResolveForm(PageForm):
    id_prefix = "resolve"
    resolution = TextAreaField(_l("Décision motivée"), validators=[_at_most(MAX_REASON)],
                               description=_l("Le freelance la lit sur la page de sa facture."))
    action = RadioField(_l("Suite donnée"), choices=choices(RESOLUTIONS), validate_choice=False)

    def validate_action(self, field) -> None:
        if field.data not in {code for code, _ in RESOLUTIONS}:
            raise ValidationError("Choisissez la suite donnée à la contestation.")


class RunForm(BaseForm):
    """Launch the billing of a month that has ended."""

    month = SelectField(_l("Mois à facturer"), validate_choice=False)

    @classmethod
    def offering(cls, months: list[date], default_month: date, **kwargs) -> "RunForm":
        form = cls(**kwargs)
        form.month.choices = choices(((month_value(m), month_fr(m).capitalize()) for m in months))
        if not form.is_submitted():
            form.month.data = month_value(default_month)
        form.offered = months
        return form

    def chosen(self) -> date | None:
        month = parse_month(self.month.data)
        if month is None or month not in self.offered:
            self.month.errors = [*self.month.errors, "Choisissez un mois terminé dans la liste."]
            return None
        return month
