"""The referee's questionnaire: opened from the e-mailed link, no account needed."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
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
from marketplace.web.boundary import attempt
from marketplace.web.forms import REQUIRED, BaseForm, choices, client_ip
from marketplace.web.public import bp

RATING_CHOICES = {"5": "5", "4": "4", "3": "3", "2": "2", "1": "1", "0": "Non observé"}


class ReferenceForm(BaseForm):
    role = StringField(
        "Votre fonction, et votre lien avec cette personne",
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description="Par exemple : « Directrice générale, j'étais sa cliente ».",
    )
    period = StringField(
        "Période de collaboration",
        validators=[DataRequired(REQUIRED), Length(max=120)],
        description="Par exemple : « de mars 2023 à aujourd'hui, deux jours par semaine ».",
    )
    would_rehire = RadioField(
        "Retravailleriez-vous avec cette personne ?",
        choices=choices(WOULD_REHIRE),
        validators=[InputRequired("Répondez à cette question.")],
    )
    comment = TextAreaField(
        "Commentaire libre (facultatif)",
        validators=[Optional(), Length(max=3000)],
        description="Un exemple concret, un point fort, un point à améliorer.",
    )
    sincere = BooleanField(
        "Je certifie que ces réponses reflètent ma propre expérience de travail avec cette personne.",
        validators=[DataRequired("Cochez cette case pour envoyer vos réponses.")],
    )


for _code, _label in RATING_DIMENSIONS:
    setattr(
        ReferenceForm,
        f"rating_{_code}",
        RadioField(_label, choices=choices(RATING_CHOICES), validators=[InputRequired("Choisissez une note ou « Non observé ».")]),
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
    if form.validate_on_submit():
        answer = Answer(
            role=form.role.data,
            period=form.period.data,
            would_rehire=form.would_rehire.data,
            ratings={code: int(getattr(form, f"rating_{code}").data or 0) for code, _ in RATING_DIMENSIONS},
            comment=form.comment.data or "",
        )
        done = attempt(lambda: references.answer(db.session, token, answer, ip_address=client_ip()), form=form)
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
