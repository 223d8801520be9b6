"""Sign-up, log-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from marketplace.domain import SECTORS
from marketplace.i18n import LANGUAGES
from marketplace.services.accounts.rules import MIN_PASSWORD_LENGTH

# Shown under every new-password field: what the rules ask, and how to meet them easily.
PASSWORD_HINT = _l(
    "%(count)s caractères au moins. Une phrase de quelques mots (« trois chats sous la pluie ») est plus sûre "
    "et plus facile à retenir qu'un mot compliqué.", count=MIN_PASSWORD_LENGTH,
)
from marketplace.web.forms import REQUIRED, BaseForm, choices


class LoginForm(BaseForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class _AccountFields(BaseForm):
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    email = EmailField(_l("Adresse e-mail professionnelle"), validators=[DataRequired(REQUIRED), Length(max=254)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=30)])
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired(REQUIRED)],
        description=PASSWORD_HINT,
    )
    password_confirm = PasswordField(
        "Confirmation du mot de passe",
        validators=[DataRequired(REQUIRED), EqualTo("password", "Les deux mots de passe ne correspondent pas.")],
    )
    accept_terms = BooleanField(
        "J'accepte les conditions générales d'utilisation et la politique de confidentialité",
        validators=[DataRequired("Vous devez accepter les conditions pour créer un compte.")],
    )


class SmeSignupForm(_AccountFields):
    company_name = StringField(_l("Raison sociale"), validators=[DataRequired(REQUIRED), Length(max=200)])
    siret = StringField(
        "SIRET du siège",
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=_l("14 chiffres, sur votre Kbis ou l'avis de situation INSEE."),
    )
    headcount = IntegerField(
        "Effectif (salariés)",
        validators=[
            InputRequired("Indiquez l'effectif."),
            NumberRange(min=1, max=100000, message="L'effectif doit être un nombre positif."),
        ],
    )
    sector = SelectField(
        "Secteur d'activité",
        choices=choices(SECTORS, blank="— Choisir —"),
        validators=[DataRequired("Choisissez un secteur d'activité.")],
    )
    city = StringField(
        "Ville du siège",
        validators=[DataRequired(REQUIRED), Length(max=120)],
        render_kw={"list": "communes-list", "autocomplete": "off", "data-commune-search": "1"},
    )


class FreelancerSignupForm(_AccountFields):
    pass


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Adresse e-mail du compte"), validators=[DataRequired(REQUIRED)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        "Nouveau mot de passe",
        validators=[DataRequired(REQUIRED)],
        description=PASSWORD_HINT,
    )
    password_confirm = PasswordField(
        "Confirmation",
        validators=[DataRequired(REQUIRED), EqualTo("password", "Les deux mots de passe ne correspondent pas.")],
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        "Nouveau mot de passe",
        validators=[DataRequired(REQUIRED)],
        description=PASSWORD_HINT,
    )
    new_password_confirm = PasswordField(
        "Confirmation",
        validators=[DataRequired(REQUIRED), EqualTo("new_password", "Les deux mots de passe ne correspondent pas.")],
    )


class LanguageForm(BaseForm):
    locale = SelectField(_l("Langue"), choices=choices(LANGUAGES))
