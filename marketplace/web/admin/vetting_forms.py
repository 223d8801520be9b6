"""Forms of the vetting console; each has a prefix so several live on one page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.services.vetting.decisions import BADGE_LABELS, MISSING_ITEMS
from marketplace.web.forms import REQUIRED, BaseForm, choices


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (rendered as a fieldset by ``_macros.field``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApproveForm(BaseForm):
    badges = MultiCheckboxField(
        _l("Badges affichés aux entreprises"),
        choices=choices({k: v for k, v in BADGE_LABELS.items() if k != "verified"}),
        description=_l("« Vérifié » est toujours attribué ; les autres demandent des vérifications conformes."),
    )
    note = TextAreaField(
        _l("Raison de l'approbation"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Obligatoire tant qu'une alerte est ouverte ; conservée au journal d'audit, non envoyée au freelance."),
    )
    confirm = BooleanField(_l("Je confirme approuver ce profil malgré les alertes ouvertes"))


class RejectForm(BaseForm):
    reason = TextAreaField(
        _l("Raison du refus"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("Envoyée telle quelle au freelance, en français."),
    )


class RequestInformationForm(BaseForm):
    missing = MultiCheckboxField(_l("Éléments manquants"), choices=choices(MISSING_ITEMS))
    details = TextAreaField(
        _l("Précisions pour le freelance"), validators=[Optional(), Length(max=2000)],
        description=_l("Le profil repasse en brouillon ; le freelance reçoit la liste par e-mail."),
    )


class SuspendForm(BaseForm):
    reason = TextAreaField(
        _l("Raison de la suspension"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("Le profil disparaît de tous les résultats ; la raison est envoyée au freelance."),
    )


class ReinstateForm(BaseForm):
    note = TextAreaField(_l("Pourquoi lever la suspension"), validators=[DataRequired(REQUIRED), Length(max=2000)])


VERIFICATION_RESULTS = {
    "authentic": "Authentique : le code de sécurité est reconnu par l'URSSAF",
    "invalid": "Non reconnue : le code ne correspond pas ou l'attestation est invalide",
}


class VerifyDocumentForm(BaseForm):
    result = RadioField(
        _l("Résultat de la vérification sur urssaf.fr"),
        choices=choices(VERIFICATION_RESULTS),
        validators=[InputRequired(_l("Choisissez le résultat de la vérification."))],
    )
    verification_note = TextAreaField(
        _l("Note de vérification"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("Ce qui a été vérifié, où et comment : c'est la preuve conservée."),
    )


def decision_forms(formdata=None) -> dict[str, BaseForm]:
    """Blank forms of the profile page (``formdata=None`` keeps them empty on a POST)."""
    return {
        "approve_form": ApproveForm(prefix="approve", formdata=formdata),
        "reject_form": RejectForm(prefix="reject", formdata=formdata),
        "info_form": RequestInformationForm(prefix="info", formdata=formdata),
        "suspend_form": SuspendForm(prefix="suspend", formdata=formdata),
        "reinstate_form": ReinstateForm(prefix="reinstate", formdata=formdata),
    }
