"""A realistic demo marketplace, seeded idempotently (``marketplace demo``).

Everything is generated from a fixed random seed and looked up by natural keys
(e-mail, SIRET, mission title), so seeding twice changes nothing. As the product
grows, each area adds its own ``seed_*`` step here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum import luhn

from marketplace.db import today, utcnow
from marketplace.domain import (
    SKILL_CODES,
    SUB_SKILL_LABELS,
    TOOLS_CATALOGUE,
    LegalForm,
    Role,
    VatRegime,
    WeekSlots,
)
from marketplace.geo import find_commune
from marketplace.legal import MANDATE_VERSION
from marketplace.models.companies import Company
from marketplace.models.freelancers import (
    ExperienceEntry,
    FreelancerProfile,
    ProfileStatus,
    Reference,
)
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
    PerimeterLine,
)
from marketplace.models.users import CompanyRole, User
from marketplace.platform.identifiers import vat_number_for_siren
from marketplace.services.contracts import bookings

SEED = 20261123

FIRST_NAMES = (
    "Camille", "Claire", "Sophie", "Julie", "Nathalie", "Isabelle", "Aurélie", "Céline", "Émilie", "Sandrine",
    "Virginie", "Marion", "Laetitia", "Caroline", "Hélène", "Anne", "Delphine", "Stéphanie", "Élodie", "Karine",
    "Thomas", "Nicolas", "Julien", "Sébastien", "Maxime", "Romain", "Karim", "Mehdi", "Yasmine", "Inès",
    "Léa", "Manon", "Chloé", "Sarah", "Nadia", "Fatou", "Agnès", "Valérie", "Pauline", "Mathilde",
    "Bérénice", "Sonia", "Samia", "Lucie", "Margaux",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Benali",
)
CITIES = (
    "Paris", "Paris", "Paris", "Boulogne-Billancourt", "Montreuil", "Saint-Denis", "Issy-les-Moulineaux",
    "Lyon", "Lyon", "Villeurbanne", "Nantes", "Bordeaux", "Lille", "Toulouse", "Marseille", "Rennes",
    "Strasbourg", "Montpellier", "Nice", "Grenoble",
)

# (legal name, sector, headcount, city)
COMPANIES = (
    ("Atelier Lumen", "agence_conseil", 34, "Paris"),
    ("Cabinet Ardent Expertise", "finance", 22, "Lyon"),
    ("Logistique Ouest Express", "transport_logistique", 68, "Nantes"),
    ("Pixel & Plume", "medias", 17, "Bordeaux"),
    ("NovaSanté Cliniques", "sante", 110, "Lille"),
    ("Boréal Logiciels", "logiciel", 45, "Paris"),
    ("Maison Verdier", "commerce", 28, "Toulouse"),
    ("Écoles Horizon", "edtech", 55, "Marseille"),
    ("Immo Rive Gauche", "immobilier", 14, "Paris"),
    ("Batiplus Rhône", "batiment", 82, "Villeurbanne"),
    ("Cuisine Partagée", "restauration", 39, "Rennes"),
    ("Lexa Avocats", "juridique", 26, "Strasbourg"),
)

# Concrete projects, phrased as a bio shows them and as a mission asks for them.
PROJECTS = (
    ("facilities_workplace", "moves", "piloté le déménagement de nos bureaux (120 postes)", "organiser le déménagement et le transfert des locaux"),
    ("people_culture", "onboarding", "créé le parcours d'intégration des nouveaux arrivants", "structurer l'onboarding des nouveaux collaborateurs"),
    ("finance_procurement", "expenses", "mis en place la gestion des notes de frais sur Spendesk", "reprendre la gestion des notes de frais"),
    ("finance_procurement", "suppliers", "renégocié les contrats fournisseurs (−18 % sur les achats généraux)", "renégocier les contrats fournisseurs"),
    ("finance_procurement", "budget", "construit et suivi le budget de fonctionnement", "tenir le budget de fonctionnement"),
    ("people_culture", "events", "organisé le séminaire annuel et les événements d'équipe", "organiser les événements d'équipe et le séminaire"),
    ("facilities_workplace", "flex_office", "conduit le passage au flex office", "repenser l'aménagement des espaces et le flex office"),
    ("facilities_workplace", "safety_registers", "remis à jour les registres obligatoires et le DUERP", "tenir les registres obligatoires et la sécurité"),
    ("operations_process", "documentation", "rédigé les procédures internes dans Notion", "documenter les processus internes"),
    ("operations_process", "tools_stack", "déployé les outils collaboratifs et fait l'inventaire des abonnements SaaS", "rationaliser les outils et abonnements SaaS"),
    ("communication_coordination", "internal_comms", "lancé la newsletter interne et les rituels d'équipe", "animer la communication interne"),
    ("finance_procurement", "payroll_prep", "préparé les variables de paie avec le cabinet comptable", "préparer les éléments variables de paie"),
    ("people_culture", "offboarding", "organisé les départs et la restitution du matériel", "gérer les départs des collaborateurs"),
)

MISSION_TITLES = (
    "Office manager 2 jours/semaine",
    "Office manager à temps partagé — services généraux",
    "Office manager — intégration et vie d'équipe",
    "Office manager finance & achats",
    "Office manager pour déménagement et nouveaux locaux",
    "Office manager — structuration des process",
)


@dataclass
class Summary:
    companies: int = 0
    freelancers: int = 0
    missions: int = 0
    applications: int = 0

    def __str__(self) -> str:
        return (
            f"{self.companies} entreprises, {self.freelancers} office managers, "
            f"{self.missions} missions, {self.applications} candidatures"
        )


def make_siren(rng: random.Random) -> str:
    body = f"{rng.randrange(10_000_000, 99_999_999):08d}"
    return body + luhn.calc_check_digit(body)


def make_siret(siren: str, rng: random.Random) -> str:
    body = siren + f"{rng.randrange(1, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def make_iban(rng: random.Random) -> str:
    bban = f"30004{rng.randrange(0, 99999):05d}{rng.randrange(0, 10**11):011d}{rng.randrange(0, 99):02d}"
    return "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban


def _user(session: Session, email: str, password: str, role: Role, first: str, last: str) -> tuple[User, bool]:
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(email=email, role=role.value, first_name=first, last_name=last)
    user.set_password(password)
    session.add(user)
    return user, True


def rng_for(*key: object) -> random.Random:
    """A generator of its own for each demo entity, so reruns draw the same values."""
    return random.Random("-".join(map(str, (SEED, *key))))


def seed(session: Session) -> Summary:
    """Seed (or complete) the demo marketplace; returns what it holds."""
    _user(session, "admin@demo.test", "demo-admin", Role.ADMIN, "Alex", "Opérateur")
    companies = seed_companies(session)
    profiles = seed_freelancers(session)
    missions = seed_missions(session, companies)
    seed_applications(session, missions, profiles)
    # Vetting first: its documents (with expiries to show) are the ones the journeys keep.
    seed_vetting(session, profiles)
    seed_freelancer_journey(session, profiles, missions)
    seed_sme_journey(session, companies[0])
    session.flush()
    return Summary(
        companies=session.scalar(select(func.count()).select_from(Company)),
        freelancers=session.scalar(select(func.count()).select_from(FreelancerProfile)),
        missions=session.scalar(select(func.count()).select_from(Mission)),
        applications=session.scalar(select(func.count()).select_from(Application)),
    )


def seed_companies(session: Session) -> list[Company]:
    companies = []
    for index, (name, sector, headcount, city) in enumerate(COMPANIES):
        rng = rng_for("company", index)
        siren = make_siren(rng)
        siret = make_siret(siren, rng)
        company = session.scalar(select(Company).where(Company.legal_name == name))
        if company is None:
            commune = find_commune(city)
            company = Company(
                legal_name=name, siren=siren, siret=siret, sector=sector, headcount=headcount,
                city=commune.name, latitude=commune.latitude, longitude=commune.longitude,
                address_line=f"{rng.randrange(1, 120)} rue {rng.choice(['de la République', 'Victor-Hugo', 'du Faubourg', 'des Lilas', 'Pasteur'])}",
                postal_code="",
            )
            session.add(company)
        companies.append(company)
        # The first two companies are the demo logins; others get their own owner.
        email = {0: "pme@demo.test", 1: "pme2@demo.test"}.get(index, f"direction{index + 1}@demo.test")
        first, last = FIRST_NAMES[(index * 7) % len(FIRST_NAMES)], LAST_NAMES[(index * 3) % len(LAST_NAMES)]
        owner, created = _user(session, email, "demo-pme", Role.SME, first, last)
        if created:
            owner.company = company
            owner.company_role = CompanyRole.OWNER.value
            company.billing_email = email
            company.billing_contact_name = f"{first} {last}"
    session.flush()
    return companies


def _bio(rng: random.Random, years: int, projects: list[tuple]) -> str:
    done = ", ".join(p[2] for p in projects[:-1]) + (" et " if len(projects) > 1 else "") + projects[-1][2]
    opener = rng.choice(
        (
            f"Office manager depuis {years} ans, en PME et en start-up.",
            f"{years} ans d'expérience en office management et services généraux.",
            f"Assistante de direction devenue office manager, {years} ans de métier.",
            f"Office manager freelance, {years} ans d'expérience dans des équipes de 15 à 150 personnes.",
        )
    )
    closer = rng.choice(
        (
            "J'aime rendre le quotidien des équipes plus simple et mesurable.",
            "Rigueur, discrétion et sens du service.",
            "Je travaille à jours fixes pour deux ou trois entreprises.",
            "Habituée aux environnements qui grandissent vite.",
        )
    )
    return f"{opener} J'ai notamment {done}. {closer}"


def seed_freelancers(session: Session, count: int = 45) -> list[FreelancerProfile]:
    profiles = []
    for index in range(count):
        rng = rng_for("freelancer", index)
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 11) % len(LAST_NAMES)]
        email = {0: "om@demo.test", 1: "om2@demo.test"}.get(index, f"om{index + 1}@demo.test")
        years = rng.choice((4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17))
        projects = rng.sample(PROJECTS, rng.randrange(2, 5))
        city = CITIES[index % len(CITIES)]
        commune = find_commune(city)
        weekdays = sorted(rng.sample(range(5), rng.randrange(2, 5)))
        slot_days = [("mon", "tue", "wed", "thu", "fri")[d] for d in weekdays]
        siren = make_siren(rng)
        siret = make_siret(siren, rng)
        iban = make_iban(rng)
        levels = {code: rng.randrange(1, 4) for code in SKILL_CODES}
        for project in projects:
            levels[project[0]] = min(5, levels[project[0]] + rng.randrange(1, 3))
        tools = rng.sample(TOOLS_CATALOGUE, rng.randrange(3, 7))
        rate = rng.choice((380, 400, 420, 450, 460, 480, 500, 520, 550)) * 100
        work_mode = rng.choice(("hybrid", "hybrid", "onsite", "remote"))
        # A handful of profiles wait in the vetting queue; the rest are approved.
        status = ProfileStatus.APPROVED if index < 38 else rng.choice(
            (ProfileStatus.SUBMITTED, ProfileStatus.DRAFT, ProfileStatus.IN_REVIEW)
        )
        user, created = _user(session, email, "demo-om", Role.FREELANCER, first, last)
        if not created:
            profiles.append(user.freelancer_profile)
            continue
        legal_form = rng.choice((LegalForm.MICRO, LegalForm.MICRO, LegalForm.EURL, LegalForm.SASU))
        liable = legal_form != LegalForm.MICRO or rng.random() < 0.3
        profile = FreelancerProfile(
            headline=rng.choice(
                (
                    "Office manager senior à temps partagé",
                    "Office manager & services généraux",
                    "Office manager — people & opérations",
                    "Office manager finance & achats",
                )
            ),
            bio=_bio(rng, years, projects),
            years_experience=years,
            freelance_years=rng.randrange(1, min(years - 1, 6)),
            sub_skills=sorted({p[1] for p in projects}),
            tools=sorted(tools),
            languages=["fr", "en"] if rng.random() < 0.7 else ["fr"],
            city=commune.name, latitude=commune.latitude, longitude=commune.longitude,
            mobility_km=rng.choice((10, 20, 30, 50)),
            work_mode=work_mode,
            daily_rate_cents=rate,
            available_slots=WeekSlots.from_days(slot_days).bits,
            client_sectors=rng.sample(("logiciel", "finance", "sante", "commerce", "medias"), rng.randrange(0, 3)),
            business_name=f"{first} {last} EI" if legal_form == LegalForm.MICRO else f"{last.upper()} Office Services",
            legal_form=legal_form.value,
            siret=siret,
            vat_regime=(VatRegime.LIABLE if liable else VatRegime.FRANCHISE).value,
            vat_number=vat_number_for_siren(siren) if liable else None,
            iban=iban,
            billing_address_line=f"{rng.randrange(1, 90)} avenue {rng.choice(['Jean-Jaurès', 'de la Gare', 'Foch', 'des Tilleuls'])}",
            billing_city=commune.name,
            mandate_accepted_at=utcnow() if status != ProfileStatus.DRAFT else None,
            mandate_version=MANDATE_VERSION if status != ProfileStatus.DRAFT else None,
            status=status.value,
            submitted_at=utcnow() - timedelta(days=rng.randrange(1, 20)) if status != ProfileStatus.DRAFT else None,
            decided_at=utcnow() - timedelta(days=rng.randrange(0, 10)) if status == ProfileStatus.APPROVED else None,
            badges=["verified", "references_checked"] if status == ProfileStatus.APPROVED else [],
        )
        for code, level in levels.items():
            profile.set_skill(code, level)
        start = date(today().year - years, rng.randrange(1, 13), 1)
        freelance_start = date(today().year - profile.freelance_years, 1, 1)
        profile.experiences = [
            ExperienceEntry(
                title="Office manager", organisation=rng.choice(("Scale-up SaaS", "Cabinet de conseil", "Agence digitale", "PME industrielle")),
                start_date=start, end_date=freelance_start - timedelta(days=1), is_freelance=False,
                description=projects[0][2].capitalize() + ".",
            ),
            ExperienceEntry(
                title="Office manager freelance", organisation="Indépendante",
                start_date=freelance_start, end_date=None, is_freelance=True,
                description="Missions à temps partagé pour des PME de 15 à 80 personnes.",
            ),
        ]
        profile.references = [
            Reference(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", company=rng.choice([c[0] for c in COMPANIES]) + " (ancien client)",
                role=rng.choice(("Directrice générale", "CEO", "DAF", "Responsable RH")),
                email=f"reference{index}-{n}@client-demo.test", phone=None,
                relationship_label=rng.choice(("Cliente actuelle", "Ancien client", "Ancienne manager")),
                is_current_client=n == 0,
            )
            for n in range(2)
        ]
        user.freelancer_profile = profile
        profiles.append(profile)
    session.flush()
    return profiles


def seed_missions(session: Session, companies: list[Company]) -> list[Mission]:
    missions = []
    for index in range(18):
        rng = rng_for("mission", index)
        company = companies[index % len(companies)]
        title = MISSION_TITLES[index % len(MISSION_TITLES)]
        if index >= len(companies):
            title = f"{title} (2e mission)"
        mission = session.scalar(select(Mission).where(Mission.company_id == company.id, Mission.title == title))
        projects = rng.sample(PROJECTS, rng.randrange(2, 4))
        half_days = rng.choice((2, 3, 4, 4, 4, 6))
        days = half_days // 2 + (1 if half_days % 2 else 0)
        named = rng.random() < 0.75
        weekdays = sorted(rng.sample(range(5), days)) if named else []
        if mission is not None:
            missions.append(mission)
            continue
        status = MissionStatus.PUBLISHED if index < 15 else MissionStatus.DRAFT
        mission = Mission(
            company=company,
            title=title,
            description=(
                f"{company.legal_name}, {company.headcount} personnes à {company.city}. "
                f"Nous cherchons un office manager expérimenté pour "
                + ", ".join(p[3] for p in projects)
                + ". Vous serez l'interlocuteur des équipes et du dirigeant, avec une autonomie sur les dépenses courantes."
            ),
            half_days_per_week=half_days,
            weekdays=[("mon", "tue", "wed", "thu", "fri")[d] for d in weekdays],
            work_mode=rng.choice(("hybrid", "hybrid", "onsite", "remote")),
            onsite_days_per_week=1,
            site_city=company.city,
            site_latitude=company.latitude,
            site_longitude=company.longitude,
            start_date=today() + timedelta(days=rng.randrange(10, 60)),
            max_daily_rate_cents=rng.choice((420, 450, 480, 500, 550)) * 100,
            min_years_experience=rng.choice((5, 7, 7, 8, 10)),
            tools=rng.sample(TOOLS_CATALOGUE, 2),
            non_compete=rng.random() < 0.3,
            status=status.value,
            published_at=utcnow() - timedelta(days=rng.randrange(1, 15)) if status == MissionStatus.PUBLISHED else None,
        )
        for project in projects:
            mission.set_min_level(project[0], max(mission.min_level(project[0]), rng.choice((3, 3, 4))))
        mission.perimeter = [
            PerimeterLine(
                position=n, task=SUB_SKILL_LABELS[p[1]],
                dimension=p[0], catalogue_code=p[1], minutes_per_month=rng.choice((120, 180, 240, 360)),
                criticality=rng.randrange(2, 6), current_owner=rng.choice(("Le dirigeant", "L'assistante", "Personne", "La DAF")),
            )
            for n, p in enumerate(projects)
        ]
        session.add(mission)
        missions.append(mission)
    session.flush()
    return missions


def seed_applications(session: Session, missions: list[Mission], profiles: list[FreelancerProfile]) -> None:
    approved = [p for p in profiles if p.status == ProfileStatus.APPROVED.value]
    published = [m for m in missions if m.status == MissionStatus.PUBLISHED.value]
    for mission in published[:10]:
        rng = rng_for("applications", mission.title, mission.company_id)
        for profile in rng.sample(approved, 3):
            exists = session.scalar(
                select(Application.id).where(Application.mission_id == mission.id, Application.freelancer_id == profile.id)
            )
            if exists:
                continue
            free = profile.slots.full_days()
            offered = [d for d in mission.weekdays if d in free] or free[: max(1, mission.half_days_per_week // 2)]
            session.add(
                Application(
                    mission=mission, freelancer=profile,
                    note="Bonjour, votre mission correspond à ce que je fais depuis plusieurs années. Disponible pour en parler.",
                    proposed_rate_cents=profile.daily_rate_cents, offered_weekdays=offered,
                    status=rng.choice((ApplicationStatus.APPLIED, ApplicationStatus.APPLIED, ApplicationStatus.SHORTLISTED)).value,
                )
            )
    session.flush()


# --- the freelancer journey: documents, a booked weekday, an invitation, a CRA to send ----


def _demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying what the demo document stands for."""
    text = title.replace("\\", "").replace("(", "").replace(")", "").encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj 0 -24 Td (Document de demonstration) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed_freelancer_journey(session: Session, profiles: list[FreelancerProfile], missions: list[Mission]) -> None:
    """Documents of the vetted profiles, and for om@demo.test a contract, an invitation and a CRA."""
    from marketplace.legal import urssaf_expiry
    from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
    from marketplace.models.documents import (
        DOCUMENT_KIND_LABELS,
        Document,
        DocumentKind,
    )
    from marketplace.models.timesheets import Timesheet
    from marketplace.platform import storage as document_store
    from marketplace.services.matching import facade as matching
    from marketplace.services.profiles.rules import PROFILE_DOCUMENT_KINDS

    now = today()
    for index, profile in enumerate(profiles):
        if not profile.billing_postal_code and profile.billing_city in POSTAL_CODES:
            profile.billing_postal_code = POSTAL_CODES[profile.billing_city]
        if profile.status == ProfileStatus.DRAFT.value:
            continue  # drafts are still being written: no documents yet
        held = set(
            session.scalars(
                select(Document.kind).where(Document.profile_id == profile.id, Document.superseded_at.is_(None))
            )
        )
        rng = rng_for("documents", index)
        for kind in PROFILE_DOCUMENT_KINDS:
            if kind.value in held:
                continue
            document = document_store.store_generated(
                session, kind=kind, content=_demo_pdf(DOCUMENT_KIND_LABELS[kind]),
                filename=f"{kind.value.replace('_', '-')}.pdf", owner_id=profile.user_id, profile_id=profile.id,
            )
            if kind == DocumentKind.URSSAF_CERTIFICATE:
                document.issued_on = now - timedelta(days=rng.randrange(5, 120))
                document.expires_on = urssaf_expiry(document.issued_on)
                document.security_code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(15))
            elif kind == DocumentKind.REGISTRATION_PROOF:
                document.issued_on = now - timedelta(days=rng.randrange(20, 400))
            elif kind == DocumentKind.INSURANCE:
                # om@demo.test's insurance runs out soon: the dashboard asks to renew it.
                document.expires_on = now + timedelta(days=20 if index == 0 else rng.randrange(60, 360))
            else:
                document.expires_on = date(now.year + rng.randrange(2, 9), rng.randrange(1, 13), 1)
            if profile.status == ProfileStatus.APPROVED.value:
                document.verified_at = utcnow()

    om = profiles[0]
    if om.status != ProfileStatus.APPROVED.value:
        return
    client = session.scalar(select(Company).where(Company.legal_name == COMPANIES[5][0]))
    contract = session.scalar(select(Contract).where(Contract.freelancer_id == om.id))
    if contract is None and client is not None:
        # The contract takes a weekday om@demo.test did not offer yet, keeping the others free.
        spare = [d for d in ("mon", "tue", "wed", "thu", "fri") if d not in om.slots.full_days()]
        day = spare[0] if spare else om.slots.full_days()[-1]
        om.available_slots = (om.slots | WeekSlots.from_days([day])).bits
        title = "Office manager — services généraux (contrat en cours)"
        mission = session.scalar(select(Mission).where(Mission.company_id == client.id, Mission.title == title))
        if mission is None:
            mission = Mission(
                company=client, title=title, status=MissionStatus.FILLED.value,
                description="Services généraux et achats, un jour par semaine, pour une équipe de 45 personnes.",
                half_days_per_week=2, weekdays=[day], work_mode="hybrid", onsite_days_per_week=1,
                site_city=client.city, site_latitude=client.latitude, site_longitude=client.longitude,
                start_date=now - timedelta(days=75), max_daily_rate_cents=om.daily_rate_cents or 45000,
                published_at=utcnow() - timedelta(days=100),
            )
            session.add(mission)
            session.flush()
        contract = Contract(
            mission=mission, company=client, freelancer=om, status=ContractStatus.ACTIVE.value,
            half_days_per_week=2, weekdays=[day], work_mode="hybrid", onsite_days_per_week=1,
            daily_rate_cents=om.daily_rate_cents or 45000, start_date=now - timedelta(days=60),
            activated_at=utcnow() - timedelta(days=60),
            objectives="Reprendre les services généraux et les achats courants.",
        )
        contract.bookings = [ContractBooking(freelancer_id=om.id, weekday=day, half=half) for half in ("am", "pm")]
        session.add(contract)
        session.flush()
    if contract is not None:
        last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=1)
        exists = session.scalar(select(Timesheet.id).where(Timesheet.contract_id == contract.id, Timesheet.month == last_month))
        if exists is None:
            session.add(Timesheet(contract_id=contract.id, month=last_month))

    # om@demo.test has applied to the two missions that fit best and is invited to a third one.
    session.flush()
    mine = {a.mission_id: a for a in session.scalars(select(Application).where(Application.freelancer_id == om.id))}
    published = [m for m in missions if m.status == MissionStatus.PUBLISHED.value]
    ranked = [r.mission_id for r in matching.rank_missions(session, om, missions=published)]
    booked = bookings.booked_slots(session, [om.id])[om.id]
    applied = sum(1 for a in mine.values() if a.source == "applied")
    for mission in [m for m in published if m.id in ranked[:2] and m.id not in mine][: max(0, 2 - applied)]:
        free = bookings.free_slots(om, booked).full_days()
        application = Application(
            mission_id=mission.id, freelancer_id=om.id, source="applied",
            status=(ApplicationStatus.APPLIED if not mine else ApplicationStatus.SHORTLISTED).value,
            note="Bonjour, j'ai mené des missions très proches en PME : je serais ravie d'en parler.",
            proposed_rate_cents=om.daily_rate_cents,
            offered_weekdays=list(mission.weekdays) or free[: matching.mission_record(mission).full_days_needed],
        )
        session.add(application)
        session.flush()
        matching.snapshot_application(session, application)
        mine[mission.id] = application
    if not any(a.source == "invited" for a in mine.values()):
        inviter = session.scalar(select(Company).where(Company.legal_name == COMPANIES[0][0]))
        candidates = [m for m in published if m.id in ranked and m.id not in mine]
        candidates += [m for m in published if m.company_id == getattr(inviter, "id", None) and m.id not in mine]
        if candidates:
            session.add(
                Application(
                    mission_id=candidates[0].id, freelancer_id=om.id, source="invited",
                    status=ApplicationStatus.INVITED.value,
                    sme_message="Votre expérience nous intéresse : seriez-vous disponible pour en parler cette semaine ?",
                )
            )
    session.flush()


POSTAL_CODES = {
    "Paris": "75011", "Boulogne-Billancourt": "92100", "Montreuil": "93100", "Saint-Denis": "93200",
    "Issy-les-Moulineaux": "92130", "Lyon": "69003", "Villeurbanne": "69100", "Nantes": "44000",
    "Bordeaux": "33000", "Lille": "59000", "Toulouse": "31000", "Marseille": "13001", "Rennes": "35000",
    "Strasbourg": "67000", "Montpellier": "34000", "Nice": "06000", "Grenoble": "38000",
}
# --- the SME journey of the first demo company (pme@demo.test) -----------------------

SME_TEAM_MEMBER = ("equipe@demo.test", "demo-pme", "Hugo", "Lemaire")
SME_PENDING_INVITE = "nouvelle.recrue@demo.test"
SME_MISSIONS = {
    "published": "Office manager à temps partagé — le périmètre type",
    "draft": "Office manager pour notre déménagement",
    "closed": "Office manager — remplacement de congé",
    "filled": "Office manager — services généraux et achats",
}


def _sme_mission(session: Session, company: Company, owner: User, key: str, codes: tuple[str, ...],
                 weekdays: list[str], half_days: int, start_in_days: int) -> Mission | None:
    """Create one mission through the SME services, unless it exists (looked up by title)."""
    from marketplace.services.missions import posting as mission_service
    from marketplace.services.missions import sizing

    title = SME_MISSIONS[key]
    if session.scalar(select(Mission.id).where(Mission.company_id == company.id, Mission.title == title)):
        return None
    lines = [sizing.catalogue_line(code, criticality=4 if n == 0 else 3) for n, code in enumerate(codes)]
    mission = mission_service.create_draft(session, company, owner, lines, signals=("director_ops", "onboarding_lost"))
    data = mission_service.data_from_mission(mission)
    data.title = title
    data.half_days_per_week = half_days
    data.flexible_weekdays = not weekdays
    data.weekdays = weekdays
    data.start_date = today() + timedelta(days=start_in_days)
    data.max_daily_rate_cents = 48_000
    data.tools = ["Notion", "Slack", "PayFit"]
    mission_service.update(session, mission, owner, data, today())
    return mission


def _demo_application(session: Session, mission: Mission, profile: FreelancerProfile, rng: random.Random) -> Application:
    from marketplace.services.matching import facade as matching

    free = bookings.free_slots(profile, bookings.booked_slots(session, [profile.id])[profile.id]).full_days()
    application = Application(
        mission=mission, freelancer=profile, source="applied", status=ApplicationStatus.APPLIED.value,
        note=rng.choice((
            "Bonjour, j'ai structuré l'intégration et les achats de deux PME de votre taille. "
            "Je peux commencer à la date prévue.",
            "Votre périmètre ressemble beaucoup à celui de ma cliente actuelle : je serais ravie d'en parler.",
            "Disponible sur les jours demandés, avec l'habitude des équipes qui grandissent vite.",
        )),
        proposed_rate_cents=profile.daily_rate_cents,
        offered_weekdays=[d for d in mission.weekdays if d in free] or free[:2],
    )
    session.add(application)
    session.flush()
    matching.snapshot_application(session, application)
    return application


def seed_sme_journey(session: Session, company: Company) -> None:
    """Missions in every status, scored applications, decisions and a team for pme@demo.test."""
    from marketplace.models.companies import TeamInvitation
    from marketplace.services.accounts import teams
    from marketplace.services.matching import facade as matching
    from marketplace.services.missions import hiring
    from marketplace.services.missions import posting as mission_service

    owner = session.scalar(select(User).where(User.email == "pme@demo.test"))
    if owner is None or owner.company_id != company.id:
        return
    rng = rng_for("sme-journey", company.id)

    email, password, first, last = SME_TEAM_MEMBER
    member, created = _user(session, email, password, Role.SME, first, last)
    if created:
        member.company = company
        member.company_role = CompanyRole.MEMBER.value
    has_invite = session.scalar(select(TeamInvitation.id).where(TeamInvitation.email == SME_PENDING_INVITE))
    if has_invite is None:
        teams.invite(session, company, owner, SME_PENDING_INVITE)

    published = _sme_mission(session, company, owner, "published", sizing_example_codes(), ["tue", "thu"], 4, 21)
    if published is not None:
        mission_service.publish(session, published, owner, today())
        ranked = matching.rank_freelancers(session, published, 6)
        profiles = [session.get(FreelancerProfile, r.profile_id) for r in ranked]
        # The best match has not applied yet: the mission page recommends inviting her.
        applied = [_demo_application(session, published, p, rng) for p in profiles[1:3]]
        if applied:
            hiring.shortlist(session, applied[0], owner)
        if len(profiles) > 3:
            hiring.invite(session, published, profiles[3], owner,
                          "Votre expérience des achats nous intéresse : seriez-vous disponible les mardis et jeudis ?")

    _sme_mission(session, company, owner, "draft", ("moves", "spaces", "suppliers", "safety_registers"), [], 3, 45)

    closed = _sme_mission(session, company, owner, "closed", ("onboarding", "events"), ["mon"], 2, 14)
    if closed is not None:
        mission_service.publish(session, closed, owner, today())
        mission_service.close(session, closed, member, "hired_elsewhere", "Une collaboratrice reprend le poste en interne.")

    filled = _sme_mission(session, company, owner, "filled", ("suppliers", "budget", "expenses", "spaces"), [], 4, 30)
    if filled is not None:
        mission_service.publish(session, filled, owner, today())
        ranked = matching.rank_freelancers(session, filled, 2)
        chosen = [_demo_application(session, filled, session.get(FreelancerProfile, r.profile_id), rng) for r in ranked]
        if chosen:
            hiring.accept(session, chosen[0], owner)
            mission_service.mark_filled(session, filled, owner)
    session.flush()


def sizing_example_codes() -> tuple[str, ...]:
    from marketplace.services.missions.sizing import FIELD_EXAMPLE_TASKS

    return FIELD_EXAMPLE_TASKS


# --- vetting: documents, reference answers, checks, decisions --------------------------------

DEMO_SECURITY_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _demo_document(session: Session, profile: FreelancerProfile, kind: str, content: bytes, name: str, **fields) -> None:
    from marketplace.platform import storage as documents

    content_type = documents.PNG if content.startswith(b"\x89PNG") else documents.PDF
    document = documents.store_generated(session, kind=kind, content=content, filename=name, content_type=content_type,
                                         owner_id=profile.user_id, profile_id=profile.id)
    for key, value in fields.items():
        setattr(document, key, value)


def seed_vetting(session: Session, profiles: list[FreelancerProfile]) -> None:
    """Documents, reference answers, check results and decisions behind the vetting console."""
    from marketplace.domain import add_months
    from marketplace.legal import urssaf_expiry
    from marketplace.models.audit import AuditLog
    from marketplace.models.documents import Document
    from marketplace.models.vetting import ReferenceRequest, VettingCheck
    from marketplace.platform.pdf import simple_pdf, simple_png
    from marketplace.services.vetting import references, running

    admin = session.scalar(select(User).where(User.email == "admin@demo.test"))
    day = today()
    month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    queue = [p for p in profiles if p.status in (ProfileStatus.SUBMITTED.value, ProfileStatus.IN_REVIEW.value)]
    approved = [p for p in profiles if p.status == ProfileStatus.APPROVED.value]
    for index, profile in enumerate(profiles):
        if profile.submitted_at is None:
            continue  # drafts are not vetted yet
        if session.scalar(select(VettingCheck.id).where(VettingCheck.profile_id == profile.id).limit(1)) is not None:
            continue  # seeded already
        rng = rng_for("vetting", index)
        name = profile.user.display_name
        is_approved = profile.status == ProfileStatus.APPROVED.value
        if session.scalar(select(Document.id).where(Document.profile_id == profile.id).limit(1)) is None:
            issued = day - timedelta(days=rng.randrange(10, 150))
            if index == 3:  # valid until the end of this month: on the expiry calendar
                issued = add_months(month_end + timedelta(days=1), -6)
            code = "".join(rng.choice(DEMO_SECURITY_CHARS) for _ in range(15))
            _demo_document(session, profile, "urssaf_certificate",
                           simple_pdf(["URSSAF - Attestation de vigilance (document de démonstration)", name,
                                       f"SIRET {profile.siret}", f"Délivrée le {issued:%d/%m/%Y}", f"Code de sécurité : {code}"]),
                           "attestation-vigilance.pdf", issued_on=issued, security_code=code,
                           expires_on=urssaf_expiry(issued),
                           verified_at=profile.decided_at if is_approved else None,
                           verified_by_id=admin.id if is_approved else None,
                           verification_note="Code vérifié sur le service de l'URSSAF (démo)" if is_approved else None)
            _demo_document(session, profile, "registration_proof",
                           simple_pdf(["Avis de situation au répertoire SIRENE (démonstration)", name, f"SIRET {profile.siret}"]),
                           "avis-situation-sirene.pdf", issued_on=day - timedelta(days=rng.randrange(100, 900)))
            insurance_end = day + timedelta(days=rng.randrange(45, 330))
            if index == 0:  # om@demo.test: the dashboard asks to renew it soon
                insurance_end = day + timedelta(days=20)
            if index == 5:  # a few days left: reminder e-mail, calendar
                insurance_end = min(day + timedelta(days=6), month_end)
            if index == 30:  # expired: this freelancer is out of matching until a new certificate arrives
                insurance_end = day - timedelta(days=3)
            _demo_document(session, profile, "insurance",
                           simple_pdf(["Attestation d'assurance RC Professionnelle (démonstration)", name,
                                       f"Valable jusqu'au {insurance_end:%d/%m/%Y}"]),
                           "attestation-rc-pro.pdf", issued_on=insurance_end - timedelta(days=365), expires_on=insurance_end)
            if index % 4 != 1:
                _demo_document(session, profile, "identity", simple_png(640, 420), "piece-identite.png",
                               expires_on=day + timedelta(days=rng.randrange(400, 3000)))
        if profile in queue:
            _seed_queue_case(session, profile, queue.index(profile), approved)
        for number, reference in enumerate(profile.references):
            if session.scalar(select(ReferenceRequest.id).where(ReferenceRequest.reference_id == reference.id)) is not None:
                continue
            if not is_approved and number == 1:
                continue  # the check job e-mails this referee: the questionnaire link is in the outbox
            sent = (profile.submitted_at or utcnow()) + timedelta(hours=2)
            session.add(ReferenceRequest(
                reference_id=reference.id, profile_id=profile.id, token_hash=f"{rng.getrandbits(256):064x}",
                flags=references.creation_flags(session, profile, reference.email),
                status="answered", sent_to=reference.email.lower(), sent_at=sent, expires_at=sent + timedelta(days=14),
                answered_at=sent + timedelta(hours=rng.randrange(3, 60)), answered_ip=f"203.0.113.{rng.randrange(2, 250)}",
                answers={
                    "role": f"{reference.role}, {reference.relationship_label.lower()}",
                    "period": f"depuis {day.year - rng.randrange(1, 4)}",
                    "would_rehire": "yes" if rng.random() < 0.85 else "reserved",
                    "ratings": {code: rng.choice((4, 4, 5, 5, 5)) if rng.random() < 0.9 else None for code in SKILL_CODES},
                    "comment": rng.choice((
                        "Très grande autonomie, a remis de l'ordre dans nos achats en quelques semaines.",
                        "Fiable et discrète ; l'équipe la sollicite pour tout.",
                        "A organisé notre déménagement sans une journée d'interruption.",
                        "",
                    )),
                },
            ))
        session.flush()
        running.run_all(session, profile.id)
        if is_approved and session.scalar(select(AuditLog.id).where(
                AuditLog.action == "vetting.approved", AuditLog.subject_id == profile.id).limit(1)) is None:
            session.add(AuditLog(actor_id=admin.id, action="vetting.approved", subject_type="FreelancerProfile",
                                 subject_id=profile.id, created_at=profile.decided_at or utcnow(),
                                 details={"old": "in_review", "new": "approved", "badges": profile.badges,
                                          "waited_hours": round(rng.uniform(6, 96), 1)}))
    _seed_rejected(session, admin)
    session.flush()


# Profiles the operator refused, so the overview shows a realistic approval rate.
REJECTED_DEMO = (
    ("refus1@demo.test", "Kévin", "Lemaire", 11, 3,
     "Les deux références n'ont pas confirmé les missions décrites ; le SIRET correspond à une activité de conseil informatique."),
    ("refus2@demo.test", "Nora", "Vidal", 12, 0,
     "Douze ans d'expérience déclarés pour trois ans de postes datés, sans explication après relance."),
)


def _seed_rejected(session: Session, admin: User) -> None:
    from marketplace.models.audit import AuditLog
    from marketplace.services.vetting import running

    for index, (email, first, last, years, dated, reason) in enumerate(REJECTED_DEMO):
        user, created = _user(session, email, "demo-om", Role.FREELANCER, first, last)
        if not created:
            continue
        rng = rng_for("rejected", index)
        siren = make_siren(rng)
        submitted = utcnow() - timedelta(days=rng.randrange(20, 60))
        profile = FreelancerProfile(
            headline="Office manager", bio=f"Office manager depuis {years} ans, polyvalente et organisée.",
            years_experience=years, freelance_years=1, city="Paris", work_mode="hybrid", daily_rate_cents=42000,
            business_name=f"{first} {last} EI", legal_form=LegalForm.MICRO.value, siret=make_siret(siren, rng),
            vat_regime=VatRegime.FRANCHISE.value, iban=make_iban(rng), status=ProfileStatus.REJECTED.value,
            status_reason=reason, submitted_at=submitted, decided_at=submitted + timedelta(hours=rng.randrange(20, 80)),
        )
        if dated:
            profile.experiences = [ExperienceEntry(title="Assistante administrative", organisation="PME de services",
                                                   start_date=today() - timedelta(days=365 * dated), is_freelance=False)]
        user.freelancer_profile = profile
        session.flush()
        running.run_all(session, profile.id)
        session.add(AuditLog(actor_id=admin.id, action="vetting.rejected", subject_type="FreelancerProfile",
                             subject_id=profile.id, reason=reason, created_at=profile.decided_at,
                             details={"old": "in_review", "new": "rejected",
                                      "waited_hours": round((profile.decided_at - submitted).total_seconds() / 3600, 1)}))


def _seed_queue_case(session: Session, profile: FreelancerProfile, position: int, approved: list[FreelancerProfile]) -> None:
    """Give the profiles waiting in the queue something for the operator to look at."""
    if position == 1 and approved:
        # Same IBAN as an approved freelancer, and a bio copied from theirs.
        model = approved[7 % len(approved)]
        profile.iban = model.iban
        profile.bio = model.bio.replace("J'ai notamment", "J'ai entre autres")
    elif position == 2:
        profile.years_experience += 6  # more years declared than the dated positions show
    elif position == 3 and profile.references:
        domain = profile.user.email.split("@", 1)[1]
        profile.references[0].email = f"associe@{domain}"  # a referee on the freelancer's own domain
