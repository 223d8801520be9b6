"""factory_boy factories for the domain model, saved in the test's session."""

from __future__ import annotations

import random
from datetime import timedelta

import factory
import pytest
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.db import today, utcnow
from marketplace.domain import LegalForm, Role, VatRegime, WeekSlots
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
from marketplace.models.freelancers import (
    ExperienceEntry,
    FreelancerProfile,
    ProfileStatus,
    Reference,
)
from marketplace.models.missions import (
    Application,
    Mission,
    MissionStatus,
    PerimeterLine,
)
from marketplace.models.users import CompanyRole, User
from marketplace.services.accounts.seed import make_iban, make_siren, make_siret

PASSWORD = "correct-horse-battery"


# Set by the db_session fixture to the session bound to the test's transaction.
CURRENT_SESSION = None


def _session():
    assert CURRENT_SESSION is not None, "factories need the db_session fixture"
    return CURRENT_SESSION()


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _session
        # Committing only releases a savepoint: the test still rolls everything back,
        # but a view's rollback after a refused form keeps the fixtures.
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # What post-generation hooks set (a password) is committed too, so a view's
        # rollback after a refused form does not undo it.
        if create:
            cls._meta.sqlalchemy_session_factory().commit()


def _siret(n: int) -> str:
    rng = random.Random(f"siret-{n}")
    return make_siret(make_siren(rng), rng)


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    role = Role.SME.value
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    password_hash = factory.LazyFunction(lambda: "")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)


class CompanyFactory(Base):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"PME Exemple {n}")
    siret = factory.Sequence(_siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    sector = "logiciel"
    headcount = 35
    address_line = "10 rue de Rivoli"
    postal_code = "75004"
    city = "Paris"
    latitude = 48.85341
    longitude = 2.3488


class SmeUserFactory(UserFactory):
    role = Role.SME.value
    company = factory.SubFactory(CompanyFactory)
    company_role = CompanyRole.OWNER.value


class AdminFactory(UserFactory):
    role = Role.ADMIN.value


class FreelancerProfileFactory(Base):
    class Meta:
        model = FreelancerProfile

    user = factory.SubFactory(UserFactory, role=Role.FREELANCER.value)
    headline = "Office manager senior"
    bio = "Office manager depuis 10 ans. J'ai piloté un déménagement et mis en place les notes de frais."
    years_experience = 10
    freelance_years = 3
    skill_people_culture = 3
    skill_operations_process = 4
    skill_finance_procurement = 4
    skill_facilities_workplace = 3
    skill_communication_coordination = 3
    tools = factory.LazyFunction(lambda: ["Notion", "PayFit", "Slack"])
    languages = factory.LazyFunction(lambda: ["fr", "en"])
    city = "Paris"
    latitude = 48.85341
    longitude = 2.3488
    mobility_km = 30
    work_mode = "hybrid"
    daily_rate_cents = 45000
    available_slots = factory.LazyFunction(lambda: WeekSlots.from_days(["tue", "thu"]).bits)
    legal_form = LegalForm.MICRO.value
    siret = factory.Sequence(lambda n: _siret(100000 + n))
    vat_regime = VatRegime.FRANCHISE.value
    iban = factory.Sequence(lambda n: make_iban(random.Random(f"iban-{n}")))
    billing_address_line = "5 rue des Lilas"
    billing_postal_code = "75011"
    billing_city = "Paris"
    status = ProfileStatus.APPROVED.value
    mandate_accepted_at = factory.LazyFunction(utcnow)
    mandate_version = "2026-09"

    @factory.post_generation
    def references(obj, create, extracted, **kwargs):
        if extracted is None:
            for n in range(2):
                obj.references.append(
                    Reference(
                        name=f"Référent {n}", company="Client SAS", role="Directrice générale",
                        email=f"ref{n}-{obj.siret}@client.test", relationship_label="Cliente actuelle",
                    )
                )


class MissionFactory(Base):
    class Meta:
        model = Mission

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Office manager 2 jours/semaine #{n}")
    description = "Nous cherchons un office manager pour organiser le déménagement et les notes de frais."
    half_days_per_week = 4
    weekdays = factory.LazyFunction(lambda: ["tue", "thu"])
    work_mode = "hybrid"
    site_city = "Paris"
    site_latitude = 48.85341
    site_longitude = 2.3488
    start_date = factory.LazyFunction(lambda: today() + timedelta(days=30))
    max_daily_rate_cents = 48000
    min_years_experience = 7
    min_finance_procurement = 3
    status = MissionStatus.PUBLISHED.value
    published_at = factory.LazyFunction(utcnow)


class ApplicationFactory(Base):
    class Meta:
        model = Application

    mission = factory.SubFactory(MissionFactory)
    freelancer = factory.SubFactory(FreelancerProfileFactory)
    note = "Disponible le mardi et le jeudi."
    proposed_rate_cents = 45000
    offered_weekdays = factory.LazyFunction(lambda: ["tue", "thu"])


def years_ago(years: float):
    return today() - timedelta(days=round(365.25 * years))


class ReferenceFactory(Base):
    class Meta:
        model = Reference

    profile = factory.SubFactory(FreelancerProfileFactory, references=[])
    name = factory.Sequence(lambda n: f"Référente {n}")
    company = "Client SAS"
    role = "Directrice générale"
    email = factory.Sequence(lambda n: f"referente{n}@client-sas.test")
    relationship_label = "Cliente actuelle"
    is_current_client = True
    period = "2023 – aujourd'hui"


class ExperienceEntryFactory(Base):
    class Meta:
        model = ExperienceEntry

    profile = factory.SubFactory(FreelancerProfileFactory)
    title = "Office manager"
    organisation = "Scale-up SaaS"
    start_date = factory.LazyFunction(lambda: years_ago(10))
    end_date = None
    is_freelance = False
    description = "Services généraux, achats, onboarding."


# Bios written independently (the default factory bio is shared, so it would look copied).
DISTINCT_BIOS = (
    "Office manager depuis dix ans en PME industrielle : achats généraux, suivi du budget de fonctionnement, "
    "déménagement de l'atelier et mise en conformité des registres de sécurité.",
    "Ancienne assistante de direction dans un cabinet d'avocats, j'organise l'intégration des nouveaux "
    "collaborateurs, les séminaires annuels et la communication interne des équipes juridiques.",
    "En start-up SaaS, j'ai structuré les outils numériques, documenté les processus dans Notion et repris "
    "la gestion des notes de frais sur Spendesk pour quatre-vingts salariés en croissance rapide.",
    "Services généraux d'une agence de communication : flex office, relations avec le bailleur, contrats "
    "de maintenance, accueil des clients et organisation des afterworks mensuels.",
    "J'accompagne des cliniques privées sur la pré-paie, les variables mensuelles avec l'expert-comptable, "
    "le suivi des fournisseurs médicaux et la tenue du document unique d'évaluation des risques.",
    "Coordinatrice puis office manager dans le e-commerce logistique : gestion des prestataires, "
    "optimisation des abonnements logiciels, rituels d'équipe et gestion de crise lors des pics d'activité.",
    "Dans une école privée, j'ai piloté le transfert des locaux, renégocié les contrats de nettoyage "
    "et d'énergie, et mis en place un parcours d'accueil pour les enseignants vacataires.",
    "Office manager bilingue pour des filiales françaises de groupes étrangers : reporting budgétaire, "
    "relations avec le siège, organisation des déplacements et des comités de direction.",
)


class SubmittedProfileFactory(FreelancerProfileFactory):
    """A profile waiting in the vetting queue, with ten years of dated experience."""

    status = ProfileStatus.SUBMITTED.value
    bio = factory.Sequence(lambda n: DISTINCT_BIOS[n % len(DISTINCT_BIOS)])
    submitted_at = factory.LazyFunction(utcnow)
    business_name = factory.LazyAttribute(lambda o: f"{o.user.first_name} {o.user.last_name} EI")

    @factory.post_generation
    def experiences(obj, create, extracted, **kwargs):
        if extracted is None:
            start, freelance_start = years_ago(10), years_ago(3)
            obj.experiences.append(ExperienceEntry(title="Office manager", organisation="Scale-up SaaS",
                                                   start_date=start, end_date=freelance_start - timedelta(days=1)))
            obj.experiences.append(ExperienceEntry(title="Office manager freelance", organisation="Indépendante",
                                                   start_date=freelance_start, is_freelance=True))


# --- vetting helpers: documents are stored through the real upload service -------------


def sample_pdf(*lines: str) -> bytes:
    from marketplace.platform.pdf import simple_pdf

    return simple_pdf(list(lines) or ["Document de test"])


def sample_png(width: int = 800, height: int = 1100) -> bytes:
    from marketplace.platform.pdf import simple_png

    return simple_png(width, height)


def upload_document(profile, kind, content: bytes | None = None, *, filename: str | None = None, **dates):
    """Store a document for ``profile`` with ``documents.store_upload`` (needs an app context)."""
    import io

    from marketplace.platform import storage as documents

    content = content if content is not None else sample_pdf(f"{kind} de {profile.user.display_name}")
    return documents.store_upload(
        _session(), owner=profile.user, kind=kind, stream=io.BytesIO(content),
        filename=filename or f"{kind}.pdf", profile_id=profile.id, **dates,
    )


def upload_valid_documents(profile, *, urssaf_issued=None, insurance_until=None, security_code="AB12CD34EF56GH7"):
    """A complete, valid set: URSSAF (recent), registration proof, insurance, identity."""
    issued = urssaf_issued or today() - timedelta(days=20)
    # Each profile's files are its own (the vetting flags one file found on two profiles).
    holder = f"Titulaire : profil {profile.id}"
    upload_document(profile, "urssaf_certificate",
                    sample_pdf("Attestation de vigilance", f"Code de sécurité : {security_code}", holder),
                    issued_on=issued, security_code=security_code)
    upload_document(profile, "registration_proof", sample_pdf("Avis de situation au répertoire SIRENE", holder),
                    issued_on=today() - timedelta(days=200))
    upload_document(profile, "insurance", sample_pdf("Attestation d'assurance RC Pro", holder),
                    issued_on=today() - timedelta(days=100), expires_on=insurance_until or today() + timedelta(days=265))
    upload_document(profile, "identity", sample_png(800 + profile.id % 500), filename="identite.png",
                    expires_on=today() + timedelta(days=2000))


def submit(profile):
    """What the freelancer's "submit" does: status submitted, then the event (no commit)."""
    from marketplace.platform import events

    profile.status = ProfileStatus.SUBMITTED.value
    profile.submitted_at = utcnow()
    _session().flush()
    events.profile_submitted.send(_session(), profile=profile)
    return profile


class ContractFactory(Base):
    """An active contract; ``booked`` weekdays (full days) are held by ContractBooking rows."""

    class Meta:
        model = Contract

    mission = factory.SubFactory(MissionFactory)
    company = factory.SelfAttribute("mission.company")
    freelancer = factory.SubFactory(FreelancerProfileFactory)
    status = ContractStatus.ACTIVE.value
    title = factory.SelfAttribute("mission.title")
    objectives = "Structurer les services généraux et les achats de l'entreprise."
    in_scope = "Achats courants\nServices généraux"
    half_days_per_week = 4
    weekdays = factory.LazyFunction(lambda: ["tue", "thu"])
    slots = factory.LazyAttribute(lambda o: [f"{d}-{h}" for d in o.weekdays for h in ("am", "pm")])
    work_mode = "hybrid"
    onsite_days_per_week = 1
    kpis = factory.LazyFunction(lambda: [{"code": "satisfaction", "label": "Satisfaction des équipes",
                                          "target": "≥ 7/10"}])
    daily_rate_cents = 45000
    start_date = factory.LazyFunction(today)
    activated_at = factory.LazyFunction(utcnow)
    signed_version = 1

    @factory.post_generation
    def booked(obj, create, extracted, **kwargs):
        days = obj.weekdays if extracted is None else extracted
        for day in days:
            for half in ("am", "pm"):
                obj.bookings.append(ContractBooking(freelancer_id=obj.freelancer.id, weekday=day, half=half,
                                                    starts_on=obj.start_date))
        if create and days:
            _session().commit()


@pytest.fixture()
def sme_user(db_session):
    return SmeUserFactory(email="director@pme-a.test")


@pytest.fixture()
def other_sme_user(db_session):
    return SmeUserFactory(email="director@pme-b.test")


@pytest.fixture()
def freelancer(db_session):
    return FreelancerProfileFactory(user__email="om@example.test")


@pytest.fixture()
def admin_user(db_session):
    return AdminFactory(email="admin@example.test")


class PerimeterLineFactory(Base):
    class Meta:
        model = PerimeterLine

    mission = factory.SubFactory(MissionFactory)
    position = factory.Sequence(int)
    task = "Intégration des nouveaux (onboarding)"
    dimension = "people_culture"
    catalogue_code = "onboarding"
    minutes_per_month = 240
    criticality = 3
    current_owner = "Le dirigeant"


@pytest.fixture()
def sme_member(sme_user):
    """A colleague invited into sme_user's company (not its owner)."""
    return SmeUserFactory(email="colleague@pme-a.test", company=sme_user.company, company_role=CompanyRole.MEMBER.value)
