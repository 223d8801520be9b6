"""The referee's questionnaire: opened from the e-mailed link, no account needed."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.db import db
from marketplace.extensions import limiter
from marketplace.services.vetting import references
from marketplace.services.vetting.references import (
    RATING_DIMENSIONS,
    WOULD_REHIRE,
    Answer,
    ReferenceLinkError,
)
from marketplace.web import security
from marketplace.web.boundary import submit
from marketplace.web.forms import REQUIRED, BaseForm, choices, client_ip
from marketplace.web.public import bp

RATING_CHOICES = {"5": "5", "4": "4", "3": "3", "2": "2", "1": "1", "0": "Non observé"}


class ReferenceForm(BaseForm):
    role = StringField(
        _l("Votre fonction, et votre lien avec cette personne"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("Par exemple : « Directrice générale, j'étais sa cliente »."),
    )
    period = StringField(
        _l("Période de collaboration"),
        validators=[DataRequired(REQUIRED), Length(max=120)],
        description=_l("Par exemple : « de mars 2023 à aujourd'hui, deux jours par semaine »."),
    )
    would_rehire = RadioField(
        _l("Retravailleriez-vous avec cette personne ?"),
        choices=choices(WOULD_REHIRE),
        validators=[InputRequired(_l("Répondez à cette question."))],
    )
    comment = TextAreaField(
        _l("Commentaire libre (facultatif)"),
        validators=[Optional(), Length(max=3000)],
        description=_l("Un exemple concret, un point fort, un point à améliorer."),
    )
    sincere = BooleanField(
        _l("Je certifie que ces réponses reflètent ma propre expérience de travail avec cette personne."),
        validators=[DataRequired(_l("Cochez cette case pour envoyer vos réponses."))],
    )


for _code, _label in RATING_DIMENSIONS:
    setattr(
        ReferenceForm,
        f"rating_{_code}",
        RadioField(_label, choices=choices(RATING_CHOICES), validators=[InputRequired(_l("Choisissez une note ou « Non observé »."))]),
    )


def _unavailable(exc: ReferenceLinkError):
    status = 404 if exc.reason == "unknown" else 410
    response = make_response(render_template("public/references/unavailable.html", reason=exc.reason, message=exc.message), status)
    return _private(response)


def _private(response):
    # The URL carries a secret: never cached, indexed or sent as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _answer(form: ReferenceForm) -> Answer:
    """The answers as typed (a rating refused by the form counts as not given)."""
    ratings = {}
    for code, _ in RATING_DIMENSIONS:
        value = getattr(form, f"rating_{code}").data or "0"
        ratings[code] = int(value) if value in RATING_CHOICES else 0
    return Answer(role=form.role.data or "", period=form.period.data or "", would_rehire=form.would_rehire.data or "",
                  ratings=ratings, comment=form.comment.data or "")


@bp.route("/reference/<token>", methods=["GET", "POST"])
@limiter.limit(security.TOKEN_LINKS_PER_ADDRESS, key_func=security.client_address)
def reference_questionnaire(token: str):
    """The questionnaire of one reference request (one-time, expiring link)."""
    try:
        reference_request = references.open_request(db.session, token)
    except ReferenceLinkError as exc:
        return _unavailable(exc)
    reference = reference_request.reference
    profile = reference.profile
    form = ReferenceForm()
    if request.method == "GET":
        form.role.data = reference.role
        form.period.data = reference.period or None
    if form.is_submitted():
        done = submit(form, lambda: references.answer(db.session, token, _answer(form), ip_address=client_ip()))
        if done:
            return redirect(url_for("public.reference_thanks"))
        if isinstance(done.error, ReferenceLinkError):
            return _unavailable(done.error)
    rating_fields = [(getattr(form, f"rating_{code}"), label) for code, label in RATING_DIMENSIONS]
    response = make_response(
        render_template(
            "public/references/form.html", form=form, profile=profile, reference=reference,
            reference_request=reference_request, rating_fields=rating_fields,
        )
    )
    return _private(response)


@bp.route("/reference/merci")
def reference_thanks():
    """After a questionnaire is sent."""
    return render_template("public/references/thanks.html")
