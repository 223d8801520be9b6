"""Sign-up, log-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)

from marketplace.domain import SECTORS
from marketplace.i18n import LANGUAGES
from marketplace.services.accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from marketplace.web.fields import FrenchIntegerField, PhoneField
from marketplace.web.forms import REQUIRED, BaseForm, choices

# Shown under every new-password field: what the rules ask, and how to meet them easily.
PASSWORD_HINT = _l(
    "%(count)s caractères au moins. Une phrase de quelques mots (« trois chats sous la pluie ») est plus sûre "
    "et plus facile à retenir qu'un mot compliqué.", count=MIN_PASSWORD_LENGTH,
)

PASSWORD_LENGTH = Length(max=MAX_PASSWORD_LENGTH, message=_l("%(count)s caractères au plus.", count=MAX_PASSWORD_LENGTH))


class LoginForm(BaseForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED), PASSWORD_LENGTH])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class _AccountFields(BaseForm):
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    email = EmailField(_l("Adresse e-mail professionnelle"), validators=[DataRequired(REQUIRED), Length(max=254)])
    phone = PhoneField(_l("Téléphone"), validators=[Optional()])
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH],
        description=PASSWORD_HINT,
    )
    password_confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH, EqualTo("password", _l("Les deux mots de passe ne correspondent pas."))],
    )
    accept_terms = BooleanField(
        _l("J'accepte les conditions générales d'utilisation et la politique de confidentialité"),
        validators=[DataRequired(_l("Vous devez accepter les conditions pour créer un compte."))],
    )


class SmeSignupForm(_AccountFields):
    company_name = StringField(_l("Raison sociale"), validators=[DataRequired(REQUIRED), Length(max=200)])
    siret = StringField(
        _l("SIRET du siège"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=_l("14 chiffres, sur votre Kbis ou l'avis de situation INSEE."),
    )
    headcount = FrenchIntegerField(
        _l("Effectif (salariés)"), validators=[InputRequired(_l("Indiquez l'effectif."))], minimum=1, maximum=100000,
    )
    sector = SelectField(
        _l("Secteur d'activité"),
        choices=choices(SECTORS, blank=_l("— Choisir —")),
        validators=[DataRequired(_l("Choisissez un secteur d'activité."))],
    )
    city = StringField(
        _l("Ville du siège"),
        validators=[DataRequired(REQUIRED), Length(max=120)],
        render_kw={"list": "communes-list", "autocomplete": "off", "data-commune-search": "1"},
    )


class FreelancerSignupForm(_AccountFields):
    pass


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Adresse e-mail du compte"), validators=[DataRequired(REQUIRED), Length(max=254)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH],
        description=PASSWORD_HINT,
    )
    password_confirm = PasswordField(
        _l("Confirmation"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH, EqualTo("password", _l("Les deux mots de passe ne correspondent pas."))],
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED), PASSWORD_LENGTH])
    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH],
        description=PASSWORD_HINT,
    )
    new_password_confirm = PasswordField(
        _l("Confirmation"),
        validators=[DataRequired(REQUIRED), PASSWORD_LENGTH, EqualTo("new_password", _l("Les deux mots de passe ne correspondent pas."))],
    )


class LanguageForm(BaseForm):
    locale = SelectField(_l("Langue"), choices=choices(LANGUAGES))
