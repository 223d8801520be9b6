"""Public tools for SME directors: the 10-signal diagnostic and the cost simulator.

Both are read-only calculators submitted with GET: a result is a shareable link and
changes nothing, so these two forms carry no CSRF token. The diagnostic's answers
travel in the links it offers (sign-up, then the perimeter form, which they pre-fill).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import InputRequired, NumberRange, Optional

from marketplace.errors import DomainError
from marketplace.extensions import limiter
from marketplace.services.missions import sizing
from marketplace.web import security
from marketplace.web.fields import (
    EuroField,
    FrenchDecimalField,
    FrenchIntegerField,
    MultiCheckboxField,
    cents_to_euros,
    format_french_decimal,
)
from marketplace.web.forms import BaseForm, choices
from marketplace.web.public import bp


class _GetForm(BaseForm):
    """A calculator form read from the query string (no state changes, so no CSRF)."""

    class Meta:
        csrf = False


class DiagnosticForm(_GetForm):
    signaux = MultiCheckboxField(
        _l("Ce que vous vivez aujourd'hui"),
        choices=choices((s.code, s.label) for s in sizing.SIGNALS),
        validate_choice=False,
    )
    effectif = FrenchIntegerField(
        _l("Effectif de l'entreprise (facultatif)"),
        validators=[Optional(), NumberRange(min=1, max=100000, message=_l("L'effectif doit être un nombre positif."))],
        description=_l("Pour chiffrer le coût caché ; 20 personnes si vous ne le précisez pas."),
    )


REQUIRED_NUMBER = "Ce champ est obligatoire."


class SimulatorForm(_GetForm):
    gross_salary = EuroField(
        _l("Salaire brut annuel (€)"), validators=[InputRequired(REQUIRED_NUMBER)],
        description=_l("Un office manager junior salarié."),
    )
    employer_rate = FrenchDecimalField(
        _l("Charges patronales (%)"), validators=[InputRequired(REQUIRED_NUMBER)],
        description=_l("Environ 45 % du brut pour un cadre en France."),
    )
    extras = EuroField(
        _l("Frais annexes par an (€)"), validators=[InputRequired(REQUIRED_NUMBER)],
        description=_l("Poste de travail, matériel, mutuelle, titres-restaurant…"),
    )
    daily_rate = EuroField(
        _l("TJM du freelance senior (€ HT)"), validators=[InputRequired(REQUIRED_NUMBER)],
        description=_l("Les TJM constatés vont de 400 à 500 €."),
    )
    days_per_week = FrenchDecimalField(
        _l("Jours par semaine"), validators=[InputRequired(REQUIRED_NUMBER)],
        description=_l("De 0,5 à 5, par demi-journée."),
    )
    weeks_per_year = FrenchIntegerField(
        _l("Semaines travaillées par an"),
        validators=[InputRequired(_l("Ce champ est obligatoire."))],
        description=_l("47 en tenant compte des congés et jours fériés."),
    )

    def process_defaults(self) -> None:
        """The field example of DESIGN.md."""
        self.gross_salary.data = sizing.DEFAULT_GROSS_SALARY_CENTS
        self.employer_rate.data = sizing.DEFAULT_EMPLOYER_RATE * 100
        self.extras.data = sizing.DEFAULT_EXTRAS_CENTS
        self.daily_rate.data = sizing.DEFAULT_DAILY_RATE_CENTS
        self.days_per_week.data = sizing.DEFAULT_DAYS_PER_WEEK
        self.weeks_per_year.data = sizing.DEFAULT_WEEKS_PER_YEAR


def _query_form(form_class):
    # An empty query string shows the form with its defaults, not a page of errors.
    return form_class(formdata=request.args if request.args else None)


def mission_start_url(codes: list[str], headcount: int | None) -> str:
    """The perimeter form, pre-filled from the diagnostic's answers."""
    params = {}
    if codes:
        params["signaux"] = ",".join(codes)
    if headcount:
        params["effectif"] = headcount
    return url_for("sme.mission_new") + (f"?{urlencode(params)}" if params else "")


def next_step_links(target: str) -> dict[str, str]:
    """Where the call to action leads: sign-up (or log-in) carrying ``target``, or ``target`` itself."""
    if current_user.is_authenticated:
        return {"start": target if current_user.is_sme else ""}
    return {
        "start": url_for("auth.signup_sme", next=target),
        "login": url_for("auth.login", next=target),
    }


@bp.route("/diagnostic")
@limiter.limit(security.PUBLIC_TOOLS_PER_ADDRESS, key_func=security.client_address)
def diagnostic():
    """The ten signals, as a checklist (no account needed)."""
    form = _query_form(DiagnosticForm)
    return render_template("public/diagnostic.html", form=form, signals=sizing.SIGNALS)


@bp.route("/diagnostic/resultat")
@limiter.limit(security.PUBLIC_TOOLS_PER_ADDRESS, key_func=security.client_address)
def diagnostic_result():
    """The band, its explanation, the hidden yearly cost and the way forward."""
    form = DiagnosticForm(formdata=request.args)
    if not form.validate():
        return render_template("public/diagnostic.html", form=form, signals=sizing.SIGNALS), 422
    codes = sizing.parse_signal_codes(form.signaux.data)
    result = sizing.diagnose(codes, form.effectif.data)
    volume = result.volume
    target = mission_start_url(result.codes, form.effectif.data)
    simulator_url = url_for(
        "public.simulator",
        **{**_simulator_defaults(), "days_per_week": format_french_decimal(Decimal(volume.low_half_days) / 2)},
    )
    return render_template(
        "public/diagnostic_result.html",
        form=form,
        result=result,
        freelance_cost_cents=(
            sizing.freelance_yearly_cents(volume.low_half_days), sizing.freelance_yearly_cents(volume.high_half_days)
        ),
        links=next_step_links(target),
        simulator_url=simulator_url,
        edit_url=url_for("public.diagnostic", signaux=result.codes, effectif=form.effectif.data or ""),
    )


def _simulator_defaults() -> dict[str, str]:
    return {
        "gross_salary": format_french_decimal(cents_to_euros(sizing.DEFAULT_GROSS_SALARY_CENTS)),
        "employer_rate": format_french_decimal(sizing.DEFAULT_EMPLOYER_RATE * 100),
        "extras": format_french_decimal(cents_to_euros(sizing.DEFAULT_EXTRAS_CENTS)),
        "daily_rate": format_french_decimal(cents_to_euros(sizing.DEFAULT_DAILY_RATE_CENTS)),
        "days_per_week": format_french_decimal(sizing.DEFAULT_DAYS_PER_WEEK),
        "weeks_per_year": str(sizing.DEFAULT_WEEKS_PER_YEAR),
    }


@bp.route("/simulateur")
@limiter.limit(security.PUBLIC_TOOLS_PER_ADDRESS, key_func=security.client_address)
def simulator():
    """Salaried junior against freelance senior: yearly totals, saving, chart."""
    form = _query_form(SimulatorForm)
    if request.args:
        form.validate()  # text in a number field is refused beside it
    else:
        form.process_defaults()
    comparison = None
    try:
        comparison = sizing.compare_costs(sizing.CostInputs(
            gross_salary_cents=form.gross_salary.data,
            employer_rate=form.employer_rate.data / 100 if form.employer_rate.data is not None else None,
            extras_cents=form.extras.data,
            daily_rate_cents=form.daily_rate.data,
            days_per_week=form.days_per_week.data,
            weeks_per_year=form.weeks_per_year.data,
        ))
    except DomainError as exc:
        for error in getattr(exc, "errors", [exc]):
            if not getattr(form, error.field).errors:  # one message per field is enough
                form.add_domain_error(error)
    if form.errors:
        comparison = None
    return render_template(
        "public/simulator.html",
        form=form,
        comparison=comparison,
        links=next_step_links(url_for("sme.mission_new")),
    ), 200 if comparison is not None else 422
