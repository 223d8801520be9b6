"""Forms of the freelancer area: the profile steps, documents, references, applying."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField, MonthField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.domain import (
    HALF_LABELS,
    HALVES,
    LANGUAGES,
    LEGAL_FORM_LABELS,
    SECTORS,
    SKILL_DIMENSIONS,
    SKILL_LEVEL_LABELS,
    TOOLS_CATALOGUE,
    WEEKDAY_LABELS,
    WEEKDAYS,
    WORK_MODE_LABELS,
)
from marketplace.services.profiles.rules import BIO_MIN_CHARS
from marketplace.web.fields import EuroField, FrenchIntegerField, PhoneField
from marketplace.web.forms import REQUIRED, BaseForm, choices


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered as a fieldset by the ``field`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # Unknown values are the service's to refuse, with a French message.
        pass


def _int(label, description=None, min_=0, max_=100000, **kwargs):
    """A bounded whole number typed the French way (no exponent, no sign tricks)."""
    return FrenchIntegerField(label, validators=[Optional()], description=description, minimum=min_, maximum=max_,
                              **kwargs)


class PresentationForm(BaseForm):
    first_name = StringField(_l("Prénom"), validators=[Length(max=80)])
    last_name = StringField(_l("Nom"), validators=[Length(max=80)])
    phone = PhoneField(_l("Téléphone"), validators=[Optional()], description=_l("Visible de l'équipe seulement."))
    headline = StringField(
        _l("Titre de votre profil"),
        validators=[Length(max=160)],
        description=_l("Ex. « Office manager senior — services généraux et achats »."),
    )
    bio = TextAreaField(
        _l("Présentation"),
        validators=[Length(max=5000)],
        description=_l(
            "Votre parcours, les entreprises accompagnées et les projets menés (déménagement, onboarding, "
            "notes de frais…) : au moins %(count)s caractères. Ce texte aide le rapprochement avec les missions.",
            count=BIO_MIN_CHARS,
        ),
    )
    languages = MultiCheckboxField(_l("Langues de travail"), choices=choices(LANGUAGES))


class ExperienceYearsForm(BaseForm):
    years_experience = _int(_l("Années d'expérience en office management"), min_=0, max_=50)
    freelance_years = _int(_l("Dont années en freelance"), min_=0, max_=50)


class ExperienceEntryForm(BaseForm):
    title = StringField(_l("Intitulé du poste"), validators=[DataRequired(REQUIRED), Length(max=160)])
    organisation = StringField(_l("Entreprise ou organisation"), validators=[DataRequired(REQUIRED), Length(max=160)])
    start_date = MonthField(_l("Début"), validators=[DataRequired(_l("Indiquez le mois de début."))])
    end_date = MonthField(_l("Fin"), validators=[Optional()], description=_l("Laissez vide si le poste est en cours."))
    is_freelance = BooleanField(_l("En freelance"))
    description = TextAreaField(_l("Réalisations"), validators=[Length(max=2000)])


def skills_form_class():
    """The skills form: a level and the sub-skills of each dimension, then the tools."""

    class SkillsForm(BaseForm):
        tools = MultiCheckboxField(_l("Outils du catalogue"), choices=choices([(t, t) for t in TOOLS_CATALOGUE]))
        other_tools = StringField(
            _l("Autres outils"),
            validators=[Length(max=600)],
            description=_l("Séparés par des virgules, ex. « Alan, Qonto, Trello »."),
        )

    levels = choices([(level, LazyString(lambda level=level, label=label: f"{level} — {gettext(label)}"))
                      for level, label in SKILL_LEVEL_LABELS.items()])
    for dim in SKILL_DIMENSIONS:
        setattr(SkillsForm, f"level_{dim.code}", SelectField(_l(dim.label), choices=levels, coerce=int))
        setattr(SkillsForm, f"sub_{dim.code}", MultiCheckboxField(_l(dim.label), choices=choices(dim.sub_skills)))
    return SkillsForm


SkillsForm = skills_form_class()


class LocationForm(BaseForm):
    city = StringField(
        _l("Ville"), validators=[Length(max=120)], description=_l("Commencez à taper puis choisissez dans la liste.")
    )
    mobility_km = _int(_l("Rayon de mobilité (km)"), _l("Distance jusqu'à laquelle vous vous déplacez sur site."), 0, 200)
    work_mode = RadioField(_l("Mode de travail"), choices=choices(WORK_MODE_LABELS), validators=[Optional()])
    daily_rate = EuroField(_l("Taux journalier (TJM, € HT)"), description=_l("En euros hors taxes, par jour."))
    client_sectors = MultiCheckboxField(
        _l("Secteurs de vos clients actuels"),
        choices=choices(SECTORS),
        description=_l("Pour la clause de non-concurrence : nous ne vous proposons pas un concurrent direct d'un client."),
    )


SLOT_CHOICES = choices([
    (f"{d}-{h}", LazyString(lambda d=d, h=h: f"{gettext(WEEKDAY_LABELS[d])} {gettext(HALF_LABELS[h])}"))
    for d in WEEKDAYS for h in HALVES
])


class AvailabilityForm(BaseForm):
    slots = MultiCheckboxField(_l("Demi-journées proposées"), choices=SLOT_CHOICES)


class BusinessForm(BaseForm):
    business_name = StringField(
        _l("Nom commercial ou dénomination"), validators=[Length(max=200)],
        description=_l("Tel qu'il figurera sur vos factures (micro-entreprise : « Prénom Nom EI »)."),
    )
    legal_form = SelectField(_l("Forme juridique"), choices=choices(LEGAL_FORM_LABELS, blank=_l("— Choisir —")))
    siret = StringField(
        _l("SIRET"), validators=[Length(max=20)],
        description=_l("14 chiffres (en portage salarial : celui de la société de portage)."),
    )
    share_capital = EuroField(
        _l("Capital social (€)"), description=_l("Sociétés (EURL, SASU) : il figure sur vos factures."),
    )
    rcs_city = StringField(_l("Ville du RCS"), validators=[Length(max=120)],
                           description=_l("Sociétés : la ville du greffe où la société est immatriculée."))
    vat_regime = RadioField(
        _l("Régime de TVA"),
        choices=choices(
            [
                ("franchise", "Franchise en base (TVA non applicable, art. 293 B du CGI)"),
                ("liable", "Assujetti à la TVA (20 %)"),
            ]
        ),
        validators=[Optional()],
    )
    vat_number = StringField(
        _l("Numéro de TVA intracommunautaire"), validators=[Length(max=20)],
        description=_l("Si vous êtes assujetti : FR + clé + SIREN, ex. FR44732829320."),
    )
    vat_debits_option = BooleanField(_l("J'ai opté pour le paiement de la TVA d'après les débits"))
    off_platform_turnover = EuroField(
        _l("Chiffre d'affaires hors plateforme depuis le 1er janvier (€ HT)"),
        description=_l("Pour vous prévenir avant le seuil de la franchise (37 500 € / 41 250 €)."),
    )
    iban = StringField(_l("IBAN"), validators=[Length(max=42)], description=_l("Le compte qui recevra vos paiements."))
    bic = StringField(_l("BIC (facultatif)"), validators=[Length(max=11)])
    billing_address_line = StringField(_l("Adresse de facturation"), validators=[Length(max=200)])
    billing_postal_code = StringField(_l("Code postal"), validators=[Length(max=10)])
    billing_city = StringField(_l("Ville de facturation"), validators=[Length(max=120)])


class MandateForm(BaseForm):
    accept = BooleanField(
        _l("J'ai lu et j'accepte le mandat de facturation"),
        validators=[DataRequired(_l("Cochez la case pour accepter le mandat."))],
    )


class DocumentForm(BaseForm):
    file = FileField(_l("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"), validators=[FileRequired("Choisissez un fichier.")])
    issued_on = DateField(_l("Date d'émission"), validators=[Optional()])
    expires_on = DateField(_l("Date de fin de validité"), validators=[Optional()])
    security_code = StringField(
        _l("Code de sécurité"), validators=[Length(max=40)],
        description=_l("Imprimé sur l'attestation ; il permet de vérifier son authenticité sur le site de l'URSSAF."),
    )


class ReferenceForm(BaseForm):
    name = StringField(_l("Nom et prénom"), validators=[DataRequired(REQUIRED), Length(max=160)])
    company = StringField(_l("Entreprise"), validators=[DataRequired(REQUIRED), Length(max=160)])
    role = StringField(_l("Fonction"), validators=[DataRequired(REQUIRED), Length(max=160)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    phone = PhoneField(_l("Téléphone (facultatif)"), validators=[Optional()])
    relationship_label = StringField(
        _l("Relation de travail"), validators=[DataRequired(REQUIRED), Length(max=160)],
        description=_l("Ex. « Cliente actuelle, 2 jours par semaine depuis 2024 », « Ancien manager »."),
    )
    period = StringField(_l("Période (facultatif)"), validators=[Length(max=80)], description=_l("Ex. « 2022 – 2025 »."))
    is_current_client = BooleanField(_l("Client actuel"))


class ApplyForm(BaseForm):
    note = TextAreaField(
        _l("Votre message à l'entreprise"), validators=[Length(max=3000)],
        description=_l("Ce que vous apporteriez à cette mission, vos réalisations comparables."),
    )
    proposed_rate = EuroField(_l("TJM proposé (€ HT)"), min_cents=1)
    weekdays = MultiCheckboxField(_l("Jours proposés"), choices=choices(WEEKDAY_LABELS))


class MissionFilterForm(BaseForm):
    """The filters of « Missions pour vous » (GET: no CSRF)."""

    class Meta:
        csrf = False

    weekday = SelectField(_l("Jour"), choices=choices(WEEKDAY_LABELS, blank=_l("Tous les jours")), validators=[Optional()])
    city = StringField(_l("Près de"), validators=[Optional(), Length(max=120)])
    remote_only = BooleanField(_l("À distance uniquement"))
    min_rate = EuroField(_l("Budget minimum (€/jour)"), min_cents=0)
    dimension = SelectField(
        _l("Compétence demandée"),
        choices=choices([(d.code, d.label) for d in SKILL_DIMENSIONS], blank=_l("Toutes")),
        validators=[Optional()],
    )
