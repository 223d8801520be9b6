"""Demo freelancers, built through the profile editor's own steps and submitted to vetting.

Each freelancer signs up, fills the nine steps (presentation, experience, skills and
tools, place and rate, weekday grid, business identity, mandate, documents, references)
and, unless still a draft, submits; what the vetting then decides is the vetting seed's.
A few profiles carry what the vetting console is there to catch (a copied IBAN and bio,
inflated years, a referee on the freelancer's own domain, an insurance about to expire
or expired). Values come from a fixed random seed; a rerun finds every account by its
e-mail and adds nothing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from marketplace.db import today, utcnow
from marketplace.domain import (
    SKILL_CODES,
    TOOLS_CATALOGUE,
    WEEKDAYS,
    LegalForm,
    VatRegime,
    WeekSlots,
    add_months,
)
from marketplace.models.documents import DocumentKind
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.platform.identifiers import vat_number_for_siren
from marketplace.platform.pdf import simple_pdf, simple_png
from marketplace.services.accounts import operations as accounts
from marketplace.services.accounts.seed import (
    CITIES,
    COMPANIES,
    FIRST_NAMES,
    LAST_NAMES,
    POSTAL_CODES,
    make_iban,
    make_siren,
    make_siret,
    rng_for,
    set_demo_password,
    signup_password,
    user_by_email,
)
from marketplace.services.profiles import (
    availability,
    business,
    documents,
    experience,
    location,
    mandate,
    presentation,
    references,
    skills,
    submission,
)

FREELANCER_PASSWORD = "demo-om"
COUNT = 45
APPROVED = 38  # the first 38 are vetted; the others wait in the queue or are still drafts
SECURITY_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

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
)
HEADLINES = (
    "Office manager senior à temps partagé",
    "Office manager & services généraux",
    "Office manager — people & opérations",
    "Office manager finance & achats",
)
# Profiles the operator refused, so the overview shows a realistic approval rate:
# (e-mail, first name, last name, declared years, years the dated positions show, reason).
REJECTED = (
    ("refus1@demo.test", "Kévin", "Lemaire", 11, 3,
     "Les deux références n'ont pas confirmé les missions décrites ; le SIRET correspond à une activité de conseil informatique."),
    ("refus2@demo.test", "Nora", "Vidal", 12, 2,
     "Douze ans d'expérience déclarés pour deux ans de postes datés, sans explication après relance."),
)


def freelancer_email(index: int) -> str:
    return {0: "om@demo.test", 1: "om2@demo.test"}.get(index, f"om{index + 1}@demo.test")


@dataclass
class Plan:
    """Everything one demo freelancer types into the editor, drawn from their own generator."""

    index: int
    email: str
    first: str
    last: str
    status: ProfileStatus
    years: int
    freelance_years: int
    projects: list[tuple]
    city: str
    weekdays: list[str]
    levels: dict[str, int]
    tools: list[str]
    rate_cents: int
    work_mode: str
    legal_form: LegalForm
    liable: bool
    siren: str
    siret: str
    iban: str
    headline: str
    bio: str
    languages: list[str]
    mobility_km: int
    client_sectors: list[str]
    address: str
    submitted_days_ago: int
    referee_emails: list[str] = field(default_factory=list)
    insurance_days_left: int | None = None
    urssaf_issued: date | None = None
    off_platform_turnover_cents: int = 0
    contract_day: str | None = None


def _bio(rng: random.Random, years: int, projects: list[tuple]) -> str:
    done = ", ".join(p[2] for p in projects[:-1]) + (" et " if len(projects) > 1 else "") + projects[-1][2]
    opener = rng.choice((
        f"Office manager depuis {years} ans, en PME et en start-up.",
        f"{years} ans d'expérience en office management et services généraux.",
        f"Assistante de direction devenue office manager, {years} ans de métier.",
        f"Office manager freelance, {years} ans d'expérience dans des équipes de 15 à 150 personnes.",
    ))
    closer = rng.choice((
        "J'aime rendre le quotidien des équipes plus simple et mesurable.",
        "Rigueur, discrétion et sens du service.",
        "Je travaille à jours fixes pour deux ou trois entreprises.",
        "Habituée aux environnements qui grandissent vite.",
    ))
    text = f"{opener} J'ai notamment {done}. {closer}"
    if len(text) < 200:  # the editor asks for 200 characters at least
        text += " Je documente ce que je mets en place pour que l'équipe garde la main après mon passage."
    return text


def plan(index: int) -> Plan:
    """The demo freelancer number ``index`` (0 is om@demo.test, 1 is om2@demo.test)."""
    rng = rng_for("freelancer", index)
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 11) % len(LAST_NAMES)]
    years = rng.choice((4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17))
    projects = rng.sample(PROJECTS, rng.randrange(2, 5))
    city = CITIES[index % len(CITIES)]
    weekdays = [WEEKDAYS[d] for d in sorted(rng.sample(range(5), rng.randrange(2, 5)))]
    siren = make_siren(rng)
    siret = make_siret(siren, rng)
    iban = make_iban(rng)
    levels = {code: rng.randrange(1, 4) for code in SKILL_CODES}
    for project in projects:
        levels[project[0]] = min(5, levels[project[0]] + rng.randrange(1, 3))
    tools = rng.sample(TOOLS_CATALOGUE, rng.randrange(3, 7))
    rate = rng.choice((380, 400, 420, 450, 460, 480, 500, 520, 550)) * 100
    work_mode = rng.choice(("hybrid", "hybrid", "onsite", "remote"))
    status = ProfileStatus.APPROVED if index < APPROVED else rng.choice(
        (ProfileStatus.SUBMITTED, ProfileStatus.DRAFT, ProfileStatus.IN_REVIEW)
    )
    legal_form = rng.choice((LegalForm.MICRO, LegalForm.MICRO, LegalForm.EURL, LegalForm.SASU))
    liable = legal_form != LegalForm.MICRO or rng.random() < 0.3
    freelance_years = rng.randrange(1, min(years - 1, 6))
    result = Plan(
        index=index, email=freelancer_email(index), first=first, last=last, status=status, years=years,
        freelance_years=freelance_years, projects=projects, city=city, weekdays=weekdays, levels=levels,
        tools=sorted(tools), rate_cents=rate, work_mode=work_mode, legal_form=legal_form, liable=liable,
        siren=siren, siret=siret, iban=iban, headline=rng.choice(HEADLINES), bio=_bio(rng, years, projects),
        languages=["fr", "en"] if rng.random() < 0.7 else ["fr"], mobility_km=rng.choice((10, 20, 30, 50)),
        client_sectors=rng.sample(("logiciel", "finance", "sante", "commerce", "medias"), rng.randrange(0, 3)),
        address=f"{rng.randrange(1, 90)} avenue {rng.choice(['Jean-Jaurès', 'de la Gare', 'Foch', 'des Tilleuls'])}",
        submitted_days_ago=rng.randrange(8, 40),
        referee_emails=[f"reference{index}-{n}@client-demo.test" for n in range(2)],
        urssaf_issued=today() - timedelta(days=rng.randrange(10, 150)),
        insurance_days_left=rng.randrange(45, 330),
    )
    _document_cases(result)
    if index == 0:  # om@demo.test time-shares her whole week: Monday at Boréal Logiciels, Tuesday and
        # Thursday at pme@demo.test's company, Wednesday offered to a third client, Friday free.
        result.contract_day = "mon"
        result.weekdays = list(WEEKDAYS)
        # A micro-entrepreneur under the VAT franchise whose year brings her close to 41 250 €.
        result.legal_form, result.liable = LegalForm.MICRO, False
        result.off_platform_turnover_cents = 26_000_00
    return result


def om_contract_day() -> str:
    """The weekday om@demo.test works for Boréal Logiciels (the missions and contracts seeds use it)."""
    return plan(0).contract_day


def _document_cases(p: Plan) -> None:
    """What the dashboards and the expiry calendar show: documents about to expire, or expired."""
    day = today()
    month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if p.index == 0:  # om@demo.test: the dashboard asks to renew the insurance soon; her vigilance
        # certificate dates from before her two running contracts, and turns 6 months within the month
        p.insurance_days_left = 20
        p.urssaf_issued = day - timedelta(days=160)
    elif p.index == 3:  # the URSSAF certificate runs out at the end of this month: on the calendar
        p.urssaf_issued = add_months(month_end + timedelta(days=1), -6)
    elif p.index == 5:  # a few days left: reminder e-mail, calendar
        p.insurance_days_left = min(6, (month_end - day).days)
    elif p.index == 30:  # expired three days ago: out of matching until a new certificate arrives
        p.insurance_days_left = -3


def seed(session: Session) -> list[FreelancerProfile]:
    """The 45 demo freelancers and the two the vetting refused (drafts are left half-way)."""
    profiles = [_freelancer(session, plan(index)) for index in range(COUNT)]
    _queue_cases(session, profiles)
    for number, row in enumerate(REJECTED):
        _rejected(session, number, *row)
    session.flush()
    return profiles


def _freelancer(session: Session, p: Plan) -> FreelancerProfile:
    user = user_by_email(session, p.email)
    if user is not None:
        return user.freelancer_profile
    user = accounts.register_freelancer(
        session, email=p.email, password=signup_password(), first_name=p.first, last_name=p.last,
    )
    set_demo_password(user, FREELANCER_PASSWORD)
    profile = user.freelancer_profile
    submitted = utcnow() - timedelta(days=p.submitted_days_ago)
    fill(session, profile, p, on=submitted.date())
    if p.status != ProfileStatus.DRAFT:
        submission.submit(session, profile, now=submitted)
    return profile


def fill(session: Session, profile: FreelancerProfile, p: Plan, *, on: date) -> None:
    """Type the plan into the nine steps of the editor, as the freelancer would."""
    presentation.save_presentation(
        session, profile, first_name=p.first, last_name=p.last, phone=None, headline=p.headline, bio=p.bio,
        languages=p.languages,
    )
    experience.save_experience_years(session, profile, years_experience=p.years, freelance_years=p.freelance_years)
    started = date(today().year - p.years, 1 + p.index % 12, 1)
    freelance_start = date(today().year - p.freelance_years, 1, 1)
    rng = rng_for("experience", p.index)
    experience.add_experience(session, profile, experience.ExperienceData(
        title="Office manager", organisation=rng.choice(("Scale-up SaaS", "Cabinet de conseil", "Agence digitale",
                                                         "PME industrielle")),
        start_date=started, end_date=freelance_start - timedelta(days=1), description=p.projects[0][2].capitalize() + ".",
    ))
    experience.add_experience(session, profile, experience.ExperienceData(
        title="Office manager freelance", organisation="Indépendante", start_date=freelance_start, is_freelance=True,
        description="Missions à temps partagé pour des PME de 15 à 80 personnes.",
    ))
    skills.save_skills(session, profile, levels=p.levels, sub_skills=sorted({pr[1] for pr in p.projects}), tools=p.tools)
    location.save_location(
        session, profile, city=p.city, mobility_km=p.mobility_km, work_mode=p.work_mode, daily_rate_cents=p.rate_cents,
        client_sectors=p.client_sectors,
    )
    availability.set_offered(session, profile, WeekSlots.from_days(p.weekdays))
    business.save_business(session, profile, business.BusinessData(
        business_name=f"{p.first} {p.last} EI" if p.legal_form == LegalForm.MICRO else f"{p.last.upper()} Office Services",
        legal_form=p.legal_form.value, siret=p.siret,
        vat_regime=(VatRegime.LIABLE if p.liable else VatRegime.FRANCHISE).value,
        vat_number=vat_number_for_siren(p.siren) if p.liable else "", iban=p.iban,
        billing_address_line=p.address, billing_postal_code=POSTAL_CODES.get(p.city, "75011"), billing_city=p.city,
        off_platform_turnover_cents=p.off_platform_turnover_cents,
        share_capital_cents=(1_000_00 if p.legal_form == LegalForm.EURL else 5_000_00)
        if p.legal_form in (LegalForm.EURL, LegalForm.SASU) else None,
        rcs_city=p.city if p.legal_form in (LegalForm.EURL, LegalForm.SASU) else "",
    ))
    mandate.accept_mandate(session, profile)
    upload_documents(session, profile, p, on=on)
    rng = rng_for("references", p.index)
    for number, email in enumerate(p.referee_emails):
        references.add_reference(session, profile, references.ReferenceData(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            company=rng.choice([c[0] for c in COMPANIES]) + " (ancien client)",
            role=rng.choice(("Directrice générale", "CEO", "DAF", "Responsable RH")), email=email,
            relationship_label=rng.choice(("Cliente actuelle", "Ancien client", "Ancienne manager")),
            is_current_client=number == 0,
        ))


def upload_documents(session: Session, profile: FreelancerProfile, p: Plan, *, on: date) -> None:
    """The four documents the vetting needs, as scans the freelancer uploads."""
    rng = rng_for("documents", p.index)
    name = f"{p.first} {p.last}"
    code = "".join(rng.choice(SECURITY_CHARS) for _ in range(15))
    issued = min(p.urssaf_issued, on)
    documents.upload_document(
        session, profile, kind=DocumentKind.URSSAF_CERTIFICATE.value, filename="attestation-vigilance.pdf",
        stream=io.BytesIO(simple_pdf(["URSSAF - Attestation de vigilance (document de démonstration)", name,
                                      f"SIRET {p.siret}", f"Délivrée le {issued:%d/%m/%Y}",
                                      f"Code de sécurité : {code}"])),
        issued_on=issued, security_code=code, on=on,
    )
    documents.upload_document(
        session, profile, kind=DocumentKind.REGISTRATION_PROOF.value, filename="avis-situation-sirene.pdf",
        stream=io.BytesIO(simple_pdf(["Avis de situation au répertoire SIRENE (démonstration)", name, f"SIRET {p.siret}"])),
        issued_on=on - timedelta(days=rng.randrange(100, 900)), on=on,
    )
    insurance_end = today() + timedelta(days=p.insurance_days_left)
    insurance_on = min(on, insurance_end - timedelta(days=300))
    documents.upload_document(
        session, profile, kind=DocumentKind.INSURANCE.value, filename="attestation-rc-pro.pdf",
        stream=io.BytesIO(simple_pdf(["Attestation d'assurance RC Professionnelle (démonstration)", name,
                                      f"Valable jusqu'au {insurance_end:%d/%m/%Y}"])),
        issued_on=insurance_on, expires_on=insurance_end, on=insurance_on,
    )
    documents.upload_document(
        session, profile, kind=DocumentKind.IDENTITY.value, filename="piece-identite.png",
        stream=io.BytesIO(simple_png(640 + p.index % 300, 420)),  # each scan its own file expires_on=today() + timedelta(days=rng.randrange(400, 3000)), on=on,
    )


def _queue_cases(session: Session, profiles: list[FreelancerProfile]) -> None:
    """Give the profiles waiting in the queue something for the operator to look at (through the editor)."""
    planned = [plan(index).status for index in range(len(profiles))]
    waiting = [p for p, status in zip(profiles, planned) if status in (ProfileStatus.SUBMITTED, ProfileStatus.IN_REVIEW)]
    approved = profiles[:APPROVED]
    for position, profile in enumerate(waiting):
        if profile.vetting_score is not None:
            continue  # the vetting ran: the cases are in place already
        if position == 1 and approved:
            # Same IBAN as another freelancer, and a bio copied from theirs.
            model = approved[7 % len(approved)]
            data = business.BusinessData(
                business_name=profile.business_name, legal_form=profile.legal_form, siret=profile.siret,
                vat_regime=profile.vat_regime, vat_number=profile.vat_number or "", iban=model.iban,
                billing_address_line=profile.billing_address_line, billing_postal_code=profile.billing_postal_code,
                billing_city=profile.billing_city,
            )
            business.save_business(session, profile, data)
            presentation.save_presentation(
                session, profile, first_name=profile.user.first_name, last_name=profile.user.last_name, phone=None,
                headline=profile.headline, bio=model.bio.replace("J'ai notamment", "J'ai entre autres"),
                languages=profile.languages,
            )
        elif position == 2:  # more years declared than the dated positions show
            experience.save_experience_years(
                session, profile, years_experience=profile.years_experience + 6, freelance_years=profile.freelance_years)
        elif position == 3 and profile.references:
            reference = profile.references[0]
            domain = profile.user.email.split("@", 1)[1]
            references.update_reference(session, profile, reference, references.ReferenceData(
                name=reference.name, company=reference.company, role=reference.role, email=f"associe@{domain}",
                relationship_label=reference.relationship_label, is_current_client=reference.is_current_client,
            ))
        elif position == 4:
            # One one-line PDF uploaded as registration proof, insurance and ID: the vetting flags the reused file.
            scan = simple_pdf([f"{profile.user.first_name} {profile.user.last_name}"])
            for kind, name in ((DocumentKind.REGISTRATION_PROOF, "kbis.pdf"), (DocumentKind.INSURANCE, "rc-pro.pdf"),
                               (DocumentKind.IDENTITY, "identite.pdf")):
                documents.upload_document(
                    session, profile, kind=kind.value, filename=name, stream=io.BytesIO(scan),
                    expires_on=today() + timedelta(days=200) if kind == DocumentKind.INSURANCE else None,
                )


def _rejected(session: Session, number: int, email: str, first: str, last: str, years: int, dated: int, _reason: str) -> None:
    """A complete profile that the operator will refuse (the vetting seed records the decision and its reason)."""
    if user_by_email(session, email) is not None:
        return
    p = plan(100 + number)
    p.email, p.first, p.last, p.years, p.freelance_years = email, first, last, years, 1
    p.status = ProfileStatus.SUBMITTED
    user = accounts.register_freelancer(session, email=email, password=signup_password(), first_name=first, last_name=last)
    set_demo_password(user, FREELANCER_PASSWORD)
    profile = user.freelancer_profile
    submitted = utcnow() - timedelta(days=20 + 15 * number)
    fill(session, profile, p, on=submitted.date())
    for entry in list(profile.experiences):  # only ``dated`` years of dated positions
        experience.delete_experience(session, profile, entry)
    experience.add_experience(session, profile, experience.ExperienceData(
        title="Assistante administrative", organisation="PME de services",
        start_date=today() - timedelta(days=365 * dated),
    ))
    submission.submit(session, profile, now=submitted)
