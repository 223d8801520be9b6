"""factory_boy factories for the domain model, saved in the test's session."""

from __future__ import annotations

import random
from datetime import timedelta

import factory
import pytest
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.db import today, utcnow
from marketplace.demo import make_iban, make_siren, make_siret
from marketplace.domain import LegalForm, Role, VatRegime, WeekSlots
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile, ProfileStatus, Reference
from marketplace.models.missions import Application, Mission, MissionStatus, PerimeterLine
from marketplace.models.users import CompanyRole, User

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


class ExperienceEntryFactory(Base):
    class Meta:
        model = ExperienceEntry

    profile = factory.SubFactory(FreelancerProfileFactory)
    title = "Office manager"
    organisation = factory.Sequence(lambda n: f"Scale-up {n}")
    start_date = factory.LazyFunction(lambda: today().replace(day=1) - timedelta(days=365 * 8))
    end_date = None
    is_freelance = False
    description = "Déménagement de 80 postes, onboarding, notes de frais."


class ReferenceFactory(Base):
    class Meta:
        model = Reference

    profile = factory.SubFactory(FreelancerProfileFactory)
    name = factory.Sequence(lambda n: f"Référente {n}")
    company = "Client SAS"
    role = "Directrice générale"
    email = factory.Sequence(lambda n: f"referee{n}@client.test")
    relationship_label = "Cliente actuelle"


class ContractFactory(Base):
    """An active contract; ``booked`` weekdays (full days) are held by ContractBooking rows."""

    class Meta:
        model = Contract

    mission = factory.SubFactory(MissionFactory)
    company = factory.SelfAttribute("mission.company")
    freelancer = factory.SubFactory(FreelancerProfileFactory)
    status = ContractStatus.ACTIVE.value
    half_days_per_week = 4
    weekdays = factory.LazyFunction(lambda: ["tue", "thu"])
    work_mode = "hybrid"
    daily_rate_cents = 45000
    start_date = factory.LazyFunction(today)
    activated_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def booked(obj, create, extracted, **kwargs):
        days = obj.weekdays if extracted is None else extracted
        for day in days:
            for half in ("am", "pm"):
                obj.bookings.append(ContractBooking(freelancer_id=obj.freelancer.id, weekday=day, half=half))
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
