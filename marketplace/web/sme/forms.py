"""Forms of the SME area: perimeter, mission, decisions on applications, team."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from marketplace.domain import (
    N_,
    SKILL_CODES,
    SKILL_DIMENSIONS,
    SKILL_LABELS,
    SKILL_LEVEL_LABELS,
    SUB_SKILL_LABELS,
    TOOLS_CATALOGUE,
    WEEKDAY_LABELS,
    WORK_MODE_LABELS,
)
from marketplace.errors import DomainError
from marketplace.services.missions.posting import CLOSE_REASONS
from marketplace.services.missions.sizing import TaskLine, days_label
from marketplace.web.auth.forms import PASSWORD_HINT, PASSWORD_LENGTH
from marketplace.web.fields import (
    EuroField,
    FrenchDecimalField,
    FrenchIntegerField,
    MultiCheckboxField,
)
from marketplace.web.forms import REQUIRED, BaseForm, InputHygiene, choices

OTHER = "other"
CRITICALITY_LABELS = {
    1: N_("1 — accessoire"),
    2: N_("2 — utile"),
    3: N_("3 — importante"),
    4: N_("4 — critique"),
    5: N_("5 — vitale"),
}
OWNER_SUGGESTIONS = ("Le dirigeant", "L'assistante de direction", "Les managers", "La DAF", "Un prestataire", "Personne")


def task_choices() -> list[SelectChoice]:
    """The catalogue of the five dimensions as option groups, each ending with a free entry."""
    options = [SelectChoice("", _l("— Choisir une tâche —"))]
    for dimension in SKILL_DIMENSIONS:
        group = _l(dimension.label)
        for code, label in dimension.sub_skills:
            options.append(SelectChoice(code, _l(label), optgroup=group))
        options.append(SelectChoice(f"{OTHER}:{dimension.code}", _l("Autre tâche (à préciser)"), optgroup=group))
    options.append(SelectChoice(OTHER, _l("Autre tâche, hors catalogue (à préciser)"), optgroup=_l("Autre")))
    return options


class PerimeterLineForm(InputHygiene, Form):
    """One row of the perimeter (a sub-form: the CSRF token is the parent's)."""

    task = SelectField(_l("Tâche"), choices=task_choices(), validate_choice=False)
    label = StringField(_l("Précision"), validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))])
    hours = FrenchDecimalField(_l("Heures par mois"), message=_l("Saisissez un nombre d'heures, par exemple 4 ou 1,5."))
    criticality = SelectField(_l("Criticité"), choices=choices(CRITICALITY_LABELS), default="3", validate_choice=False)
    owner = StringField(_l("Qui s'en charge aujourd'hui ?"), validators=[Optional(), Length(max=120, message=_l("120 caractères au plus."))])

    def is_blank(self) -> bool:
        typed = [(self.label.data or "").strip(), (self.owner.data or "").strip()]
        if self.hours.raw_data:
            typed.append(self.hours.raw_data[0].strip())
        return not (self.task.data or any(typed))


class PerimeterForm(BaseForm):
    lines = FieldList(FormField(PerimeterLineForm), min_entries=8, max_entries=60)
    signals = HiddenField(validators=[Length(max=400)])

    perimeter_errors: list[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.perimeter_errors = []

    def place_error(self, exc: DomainError) -> None:
        """Row errors go beside their cell, "no task" beside the table."""
        match = re.fullmatch(r"lines-(\d+)-(\w+)", exc.field or "")
        if exc.field == "perimeter":
            self.perimeter_errors.append(exc.message)
        elif match:
            row = self.lines.entries[self._row_index[int(match.group(1))]].form
            name = match.group(2)
            if name == "label" and not row.task.data:
                name = "task"  # nothing chosen in the list: say it there
            cell = getattr(row, name)
            cell.errors = [*cell.errors, exc.message]
        else:
            super().place_error(exc)

    def task_lines(self) -> list[TaskLine]:
        """The filled rows as TaskLines (blank rows are skipped and remembered)."""
        result: list[TaskLine] = []
        self._row_index: list[int] = []
        for index, entry in enumerate(self.lines.entries):
            row = entry.form
            if row.is_blank():
                continue
            code = row.task.data or ""
            label = (row.label.data or "").strip()
            catalogue = code if code and not code.startswith(OTHER) else None
            dimension = code.split(":", 1)[1] if code.startswith(f"{OTHER}:") else None
            if catalogue and not label:
                label = SUB_SKILL_LABELS.get(catalogue, "")
            hours = row.hours.data
            minutes = int((hours * 60).to_integral_value()) if hours is not None else None
            try:
                criticality = int(row.criticality.data)
            except (TypeError, ValueError):
                criticality = 0
            result.append(TaskLine(
                task=label, minutes_per_month=minutes, criticality=criticality, current_owner=row.owner.data or "",
                catalogue_code=catalogue, dimension=dimension if dimension in SKILL_CODES else None,
            ))
            self._row_index.append(index)
        return result


def days_choices() -> list[SelectChoice]:
    return [SelectChoice(str(h), f"{days_label(h)} par semaine") for h in range(1, 11)]


class KpiForm(InputHygiene, Form):
    code = HiddenField(validators=[Length(max=40)])
    label = StringField(_l("Indicateur"), validators=[Optional(), Length(max=160, message=_l("160 caractères au plus."))])
    target = StringField(_l("Cible"), validators=[Optional(), Length(max=160, message=_l("160 caractères au plus."))])


class MissionForm(BaseForm):
    title = StringField(_l("Titre de la mission"), validators=[DataRequired(REQUIRED), Length(max=160, message=_l("160 caractères au plus."))])
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(REQUIRED), Length(max=8000, message=_l("8\u202f000 caractères au plus."))],
        description=_l("Contexte, enjeux, ce que vous attendez. Les candidats la liront en premier."),
    )
    days_per_week = SelectField(_l("Volume"), choices=days_choices(), validate_choice=False)
    flexible_weekdays = BooleanField(_l("Jours flexibles, à convenir avec l'office manager"))
    weekdays = MultiCheckboxField(_l("Jours de présence"), choices=choices(WEEKDAY_LABELS), validate_choice=False,
                                  description=_l("Pour un volume en demi-journée (1,5 jour…), l'un des jours est une demi-journée."))
    work_mode = RadioField(_l("Mode de travail"), choices=choices(WORK_MODE_LABELS), validate_choice=False)
    onsite_days_per_week = FrenchIntegerField(_l("Jours sur site par semaine"), description=_l("En hybride seulement."))
    site_city = StringField(
        _l("Ville du lieu de travail"), validators=[Length(max=120)],
        render_kw={"list": "communes-list", "autocomplete": "off", "data-commune-search": "1"},
    )
    start_date = DateField(_l("Date de démarrage souhaitée"), validators=[Optional()], format="%Y-%m-%d")
    budget = EuroField(_l("Budget : TJM maximum (€ HT par jour)"), description=_l("Entre 100 € et 2 000 € ; les TJM constatés vont de 400 à 500 €."))
    min_years_experience = FrenchIntegerField(_l("Années d'expérience minimum"), description=_l("Le profil idéal a 7 à 15 ans de métier."))
    min_people_culture = SelectField(_l(SKILL_LABELS["people_culture"]), choices=choices(SKILL_LEVEL_LABELS), validate_choice=False)
    min_operations_process = SelectField(_l(SKILL_LABELS["operations_process"]), choices=choices(SKILL_LEVEL_LABELS), validate_choice=False)
    min_finance_procurement = SelectField(_l(SKILL_LABELS["finance_procurement"]), choices=choices(SKILL_LEVEL_LABELS), validate_choice=False)
    min_facilities_workplace = SelectField(_l(SKILL_LABELS["facilities_workplace"]), choices=choices(SKILL_LEVEL_LABELS), validate_choice=False)
    min_communication_coordination = SelectField(_l(SKILL_LABELS["communication_coordination"]), choices=choices(SKILL_LEVEL_LABELS), validate_choice=False)
    tools = MultiCheckboxField(_l("Outils utilisés chez vous"), choices=choices((t, t) for t in TOOLS_CATALOGUE), validate_choice=False)
    other_tools = StringField(_l("Autres outils"), validators=[Optional(), Length(max=300)],
                              description=_l("Séparés par des virgules, par exemple : Qonto, Trello."))
    non_compete = BooleanField(_l("Clause de non-concurrence : pas de mission en parallèle chez un concurrent direct (même secteur)"))
    spending_threshold = EuroField(
        _l("Délégation de dépenses : montant engagé en autonomie (€)"),
        description=_l("Au-delà, l'office manager demande votre accord. 500 € par dépense est l'usage."),
    )
    kpis = FieldList(FormField(KpiForm), min_entries=5, max_entries=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_errors: list[str] = []

    def place_error(self, exc: DomainError) -> None:
        """KPI errors go in their cell; "no KPI left" above the table."""
        match = re.fullmatch(r"kpis-(\d+)-(label|target)", exc.field or "")
        if match:
            cell = getattr(self.kpis.entries[int(match.group(1))].form, match.group(2))
            cell.errors = [*cell.errors, exc.message]
            return
        if exc.field == "kpis":
            self.kpi_errors.append(exc.message)
            return
        super().place_error(exc)

    def level_fields(self):
        return [getattr(self, f"min_{code}") for code in SKILL_CODES]


class CloseMissionForm(BaseForm):
    reason = SelectField(_l("Raison"), choices=choices(CLOSE_REASONS, blank=_l("— Choisir —")), validate_choice=False)
    details = TextAreaField(_l("Précision"), validators=[Optional(), Length(max=1000, message=_l("1 000 caractères au plus."))],
                            description=_l("Facultative, sauf pour « Autre raison ». Elle reste interne."))


class DeclineForm(BaseForm):
    message = TextAreaField(_l("Message au freelance"), validators=[Length(max=2000, message=_l("2 000 caractères au plus."))])


class InviteForm(BaseForm):
    message = TextAreaField(_l("Message d'invitation (facultatif)"), validators=[Optional(), Length(max=2000, message=_l("2 000 caractères au plus."))])


class ActionForm(BaseForm):
    """A button that posts (CSRF token only)."""


class TeamInviteForm(BaseForm):
    email = EmailField(_l("Adresse e-mail de votre collègue"), validators=[DataRequired(REQUIRED), Length(max=254)])


class JoinTeamForm(BaseForm):
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED), PASSWORD_LENGTH],
                             description=PASSWORD_HINT)
    password_confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH,
                    EqualTo("password", _l("Les deux mots de passe ne correspondent pas."))],
    )
    accept_terms = BooleanField(
        _l("J'accepte les conditions générales d'utilisation et la politique de confidentialité"),
        validators=[DataRequired(_l("Vous devez accepter les conditions pour créer un compte."))],
    )
