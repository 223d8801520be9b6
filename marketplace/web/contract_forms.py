"""Forms of the contract pages, shared by the SME and the freelancer: clauses, acceptance, signature, ending, survey.

Field names are the ones the contract services name in their errors (``daily_rate``,
``kpis-2-target``, ``confirm_wording``…), so every refusal lands beside its field.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from marketplace.domain import (
    HALF_LABELS,
    HALVES,
    WEEKDAY_LABELS,
    WEEKDAYS,
    WORK_MODE_LABELS,
)
from marketplace.errors import DomainError
from marketplace.models.contracts import SatisfactionSurvey
from marketplace.services.contracts import satisfaction
from marketplace.services.contracts.rules import (
    KPI_STATUSES,
    MAX_KPI_TEXT,
    MAX_KPIS,
    MAX_LONG_TEXT,
    MAX_NOTE,
    MAX_PAYMENT_TERMS_DAYS,
    MAX_SURVEY_COMMENT,
    MAX_TITLE,
    SIGNATURE_STATEMENT,
)
from marketplace.services.contracts.terms import Terms, slot_code
from marketplace.web.fields import EuroField, FrenchIntegerField, MultiCheckboxField
from marketplace.web.forms import BaseForm, InputHygiene, choices

DATE_MESSAGE = "Saisissez une date, par exemple 15/01/2027."
# Blank rows offered under the KPIs already written (no script needed to add one).
SPARE_KPI_ROWS = 2
SCORES = [str(n) for n in range(11)]


def _at_most(count: int) -> Length:
    return Length(max=count, message=f"{count:,} caractères au plus.".replace(",", "\u202f"))


def _whole_number(raw: str | None, allowed: range) -> int | None:
    """A small whole number from a select or a hidden field (None when it is anything else)."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 6 and int(text) in allowed:
        return int(text)
    return None


class DayField(DateField):
    """A date from the browser's date picker (or typed ``15/01/2027``), with a French message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], format=["%Y-%m-%d", "%d/%m/%Y"],
                         invalid_value_message=DATE_MESSAGE, **kwargs)


class PageForm(BaseForm):
    """One of several forms on the contract page: its fields' ids carry its name, their names stay the service's."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.id = f"{self.id_prefix}-{field.id}"


# --- the clauses ------------------------------------------------------------------------------


def slot_choices():
    def label(day: str, half: str) -> LazyString:
        return LazyString(lambda: f"{gettext(WEEKDAY_LABELS[day])} {gettext(HALF_LABELS[half])}")

    return choices((slot_code(day, half), label(day, half)) for day in WEEKDAYS for half in HALVES)


class KpiRowForm(InputHygiene, Form):
    """One success indicator (a row of the table: the CSRF token is the parent's)."""

    code = HiddenField(validators=[_at_most(40)])
    label = StringField(_l("Indicateur"), validators=[Optional(), _at_most(MAX_KPI_TEXT)])
    target = StringField(_l("Cible"), validators=[Optional(), _at_most(MAX_KPI_TEXT)])

    def is_blank(self) -> bool:
        return not ((self.label.data or "").strip() or (self.target.data or "").strip())


class TermsForm(BaseForm):
    """Every clause of the scoping document: a new version before signature, an amendment after."""

    title = StringField(_l("Intitulé de la mission"), validators=[_at_most(MAX_TITLE)])
    objectives = TextAreaField(_l("Objectifs"), validators=[_at_most(MAX_LONG_TEXT)],
                               description=_l("Ce que la mission doit changer pour l'entreprise, en une ou deux phrases."))
    in_scope = TextAreaField(_l("Dans le périmètre"), validators=[_at_most(MAX_LONG_TEXT)],
                             description=_l("Une tâche par ligne."))
    out_of_scope = TextAreaField(_l("Hors périmètre"), validators=[_at_most(MAX_LONG_TEXT)],
                                 description=_l("Ce que le freelance ne prend pas en charge, une ligne par sujet."))
    slots = MultiCheckboxField(_l("Jours et demi-journées"), choices=slot_choices(), validate_choice=False)
    work_mode = RadioField(_l("Mode de travail"), choices=choices(WORK_MODE_LABELS), validate_choice=False)
    onsite_days_per_week = FrenchIntegerField(_l("Jours sur site par semaine"), minimum=0, maximum=len(WEEKDAYS),
                                              description=_l("En hybride seulement."))
    spending_threshold = EuroField(_l("Délégation de dépenses : montant engagé en autonomie (€ HT par dépense)"),
                                   description=_l("Au-delà, le freelance demande votre accord."))
    kpis = FieldList(FormField(KpiRowForm), min_entries=0, max_entries=MAX_KPIS)
    daily_rate = EuroField(_l("TJM (€ HT par jour)"), description=_l("Une demi-journée est facturée la moitié."))
    payment_terms_days = FrenchIntegerField(_l("Délai de paiement (jours après la date de facture)"), minimum=0,
                                            maximum=MAX_PAYMENT_TERMS_DAYS,
                                            description=_l("Factures mensuelles : 45 jours au plus."))
    notice_months = SelectField(_l("Préavis"), validate_choice=False,
                                choices=choices([("1", _l("1 mois")), ("2", _l("2 mois")), ("3", _l("3 mois"))]),
                                description=_l("Le même pour chaque partie."))
    non_compete = BooleanField(_l("Clause de non-concurrence : pas de mission en parallèle chez un concurrent direct"))
    start_date = DayField(_l("Date de début"))
    end_date = DayField(_l("Date de fin"), description=_l("Laissez vide pour une durée indéterminée."))
    effective_from = DayField(_l("Date d'effet de l'avenant"),
                              description=_l("Les nouvelles clauses s'appliquent à partir de cette date."))
    note = TextAreaField(_l("Message à l'autre partie (facultatif)"), validators=[Optional(), _at_most(MAX_NOTE)],
                         description=_l("Pourquoi ces changements : il l'accompagne dans l'e-mail."))
    confirm_wording = BooleanField(_l("Envoyer ce texte tel quel"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_errors: list[str] = []
        self._kpi_rows: list[int] = []

    @classmethod
    def of(cls, terms: Terms, *, effective_from: date | None = None) -> "TermsForm":
        """The form filled with ``terms`` (a GET), with spare KPI rows."""
        form = cls(data={
            "title": terms.title, "objectives": terms.objectives, "in_scope": terms.in_scope,
            "out_of_scope": terms.out_of_scope, "slots": list(terms.slots), "work_mode": terms.work_mode,
            "onsite_days_per_week": terms.onsite_days_per_week,
            "spending_threshold": terms.spending_threshold_cents,
            "kpis": [{"code": k.get("code", ""), "label": k.get("label", ""), "target": k.get("target", "")}
                     for k in terms.kpis[:MAX_KPIS]],
            "daily_rate": terms.daily_rate_cents, "payment_terms_days": terms.payment_terms_days,
            "notice_months": str(terms.notice_months), "non_compete": terms.non_compete,
            "start_date": terms.start_date, "end_date": terms.end_date, "effective_from": effective_from,
        })
        while len(form.kpis.entries) < min(len(terms.kpis) + SPARE_KPI_ROWS, MAX_KPIS):
            form.kpis.append_entry()
        return form

    def terms(self) -> Terms:
        """The clauses as typed (blank KPI rows left out, each kept row remembered for its errors)."""
        kpis, self._kpi_rows = [], []
        for index, entry in enumerate(self.kpis.entries):
            row = entry.form
            if row.is_blank():
                continue
            kpis.append({"code": row.code.data or "custom", "label": row.label.data or "", "target": row.target.data or ""})
            self._kpi_rows.append(index)
        return Terms(
            title=self.title.data or "", objectives=self.objectives.data or "", in_scope=self.in_scope.data or "",
            out_of_scope=self.out_of_scope.data or "", slots=list(self.slots.data or []),
            work_mode=self.work_mode.data or "", onsite_days_per_week=self.onsite_days_per_week.data or 0,
            spending_threshold_cents=self.spending_threshold.data or 0, kpis=kpis,
            daily_rate_cents=self.daily_rate.data or 0, payment_terms_days=self.payment_terms_days.data or 0,
            notice_months=_whole_number(self.notice_months.data, range(0, 10)) or 0,
            non_compete=bool(self.non_compete.data), start_date=self.start_date.data, end_date=self.end_date.data,
        )

    @property
    def wording_to_confirm(self) -> bool:
        """The service flagged wording (or the box is ticked already): show the box beside its message."""
        return bool(self.confirm_wording.errors or self.confirm_wording.data)

    def place_error(self, exc: DomainError) -> None:
        """KPI errors go in their cell (the service counts the filled rows only); "no KPI" above the table."""
        match = re.fullmatch(r"kpis-(\d+)-(label|target)", exc.field or "")
        if match and int(match.group(1)) < len(self._kpi_rows):
            cell = getattr(self.kpis.entries[self._kpi_rows[int(match.group(1))]].form, match.group(2))
            cell.errors = [*cell.errors, exc.message]
        elif exc.field == "kpis":
            self.kpi_errors.append(exc.message)
        else:
            super().place_error(exc)

    def slot_boxes(self) -> dict[str, object]:
        """The checkbox of each half day, by its code (``tue-am``), for the week grid."""
        return {box.data: box for box in self.slots}


# --- the actions on the contract page -----------------------------------------------------------


class AcceptForm(PageForm):
    id_prefix = "accept"
    number = HiddenField(validators=[_at_most(12)])

    @property
    def version_number(self) -> int:
        return _whole_number(self.number.data, range(1, 1_000_000)) or 0


class SignForm(PageForm):
    id_prefix = "sign"
    full_name = StringField(_l("Votre nom complet"), validators=[_at_most(160)],
                            render_kw={"autocomplete": "name"})
    read_and_approved = BooleanField(SIGNATURE_STATEMENT)
    document_hash = HiddenField(validators=[_at_most(64)])


class CancelForm(PageForm):
    id_prefix = "cancel"
    reason = TextAreaField(_l("Pourquoi abandonner ?"), validators=[_at_most(MAX_NOTE)],
                           description=_l("L'autre partie lira ce motif."))


class NoticeForm(PageForm):
    id_prefix = "notice"
    reason = TextAreaField(_l("Motif"), validators=[_at_most(MAX_NOTE)], description=_l("L'autre partie le lira."))
    end_date = DayField(_l("Date de fin (facultative)"),
                        description=_l("Laissez vide pour finir au plus tôt ; une date plus tardive est possible."))


class EndProposalForm(PageForm):
    id_prefix = "end"
    end_date = DayField(_l("Date de fin proposée"))
    reason = TextAreaField(_l("Motif"), validators=[_at_most(MAX_NOTE)], description=_l("L'autre partie le lira."))


class EndAnswerForm(PageForm):
    id_prefix = "end-answer"
    answer = HiddenField(validators=[_at_most(12)])

    @property
    def accepted(self) -> bool | None:
        return {"accept": True, "decline": False}.get(self.answer.data or "")


class SurveyForm(BaseForm):
    """The quarter's survey: a score out of 10, where each KPI stands (fields ``kpi-<index>``), a comment."""

    survey = HiddenField(validators=[_at_most(40)])
    score = RadioField(_l("Votre note sur 10"), choices=choices((s, s) for s in SCORES), validate_choice=False)
    comment = TextAreaField(_l("Commentaire (facultatif)"), validators=[Optional(), _at_most(MAX_SURVEY_COMMENT)])

    kpi_fields: list[tuple[str, RadioField, dict]]

    @classmethod
    def for_kpis(cls, kpis: list[dict], survey: SatisfactionSurvey) -> "SurveyForm":
        """A form with one status question per KPI of the contract, named as the service names their errors."""
        fields = {
            f"kpi-{index}": RadioField(kpi.get("label") or _l("Indicateur"), choices=choices(KPI_STATUSES),
                                       validate_choice=False, description=kpi.get("target") or "")
            for index, kpi in enumerate(kpis)
        }
        form = type("ContractSurveyForm", (cls,), fields)()
        if not form.survey.data:
            form.survey.data = str(survey.id)
        form.kpi_fields = [(satisfaction.kpi_key(index, kpi), form[f"kpi-{index}"], kpi) for index, kpi in enumerate(kpis)]
        return form

    @property
    def survey_id(self) -> int:
        return _whole_number(self.survey.data, range(1, 10**9)) or 0

    def answer(self) -> satisfaction.SurveyAnswer:
        statuses = {key: field.data for key, field, _ in self.kpi_fields if field.data}
        return satisfaction.SurveyAnswer(score=_whole_number(self.score.data, range(0, 11)),
                                         kpi_statuses=statuses, comment=self.comment.data or "")
