"""Demo accounts and companies, and what every area's seed shares.

Everything is drawn from a fixed random seed and looked up by natural keys (e-mail,
SIRET, title), so seeding twice changes nothing. Companies sign up through
:func:`operations.register_sme` and colleagues join through the team operations; only
the printed demo passwords (« demo-pme »…, shorter than the rules allow) are set
directly: they only ever exist in the embedded demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum import luhn

from marketplace.domain import Role
from marketplace.models.companies import Company, TeamInvitation
from marketplace.models.users import User
from marketplace.services.accounts import operations, teams

SEED = 20261123
# A password that passes the rules, replaced at once by the printed demo password.
_SIGNUP_PASSWORD = "mot-de-passe-de-démonstration-2026"

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
POSTAL_CODES = {
    "Paris": "75011", "Boulogne-Billancourt": "92100", "Montreuil": "93100", "Saint-Denis": "93200",
    "Issy-les-Moulineaux": "92130", "Lyon": "69003", "Villeurbanne": "69100", "Nantes": "44000",
    "Bordeaux": "33000", "Lille": "59000", "Toulouse": "31000", "Marseille": "13001", "Rennes": "35000",
    "Strasbourg": "67000", "Montpellier": "34000", "Nice": "06000", "Grenoble": "38000",
}
STREETS = ("de la République", "Victor-Hugo", "du Faubourg", "des Lilas", "Pasteur", "Jean-Jaurès", "de la Gare")

# (legal name, sector, headcount, city); the first two are the demo logins pme@ and pme2@.
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
ADMIN = ("admin@demo.test", "demo-admin", "Alex", "Opérateur")
SME_PASSWORD = "demo-pme"
SME_TEAM_MEMBER = ("equipe@demo.test", "Hugo", "Lemaire")
SME_PENDING_INVITE = "nouvelle.recrue@demo.test"


def rng_for(*key: object) -> random.Random:
    """A generator of its own for each demo entity, so reruns draw the same values."""
    return random.Random("-".join(map(str, (SEED, *key))))


def make_siren(rng: random.Random) -> str:
    body = f"{rng.randrange(10_000_000, 99_999_999):08d}"
    return body + luhn.calc_check_digit(body)


def make_siret(siren: str, rng: random.Random) -> str:
    body = siren + f"{rng.randrange(1, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def make_iban(rng: random.Random) -> str:
    bban = f"30004{rng.randrange(0, 99999):05d}{rng.randrange(0, 10**11):011d}{rng.randrange(0, 99):02d}"
    return "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban


def street_address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 120)} rue {rng.choice(STREETS)}"


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def signup_password() -> str:
    """The password demo accounts sign up with (it passes the rules) before the printed one is set."""
    return _SIGNUP_PASSWORD


def set_demo_password(user: User, password: str) -> None:
    """The printed demo password, set directly: it is too short for the rules on purpose (easy to type)."""
    user.set_password(password)


def company_owner_email(index: int) -> str:
    return {0: "pme@demo.test", 1: "pme2@demo.test"}.get(index, f"direction{index + 1}@demo.test")


@dataclass
class DemoAccounts:
    admin: User
    companies: list[Company]


def seed(session: Session) -> DemoAccounts:
    """The operator, the twelve companies and their owners, and a team for pme@demo.test."""
    admin = _admin(session)
    companies = [_company(session, index, *row) for index, row in enumerate(COMPANIES)]
    _team(session, companies[0])
    session.flush()
    return DemoAccounts(admin=admin, companies=companies)


def _admin(session: Session) -> User:
    email, password, first, last = ADMIN
    admin = user_by_email(session, email)
    if admin is None:
        admin = operations.create_admin(session, email, signup_password(), first, last)
        set_demo_password(admin, password)
    return admin


def _company(session: Session, index: int, name: str, sector: str, headcount: int, city: str) -> Company:
    company = session.scalar(select(Company).where(Company.legal_name == name))
    if company is not None:
        return company
    rng = rng_for("company", index)
    siren = make_siren(rng)
    first, last = FIRST_NAMES[(index * 7) % len(FIRST_NAMES)], LAST_NAMES[(index * 3) % len(LAST_NAMES)]
    owner = operations.register_sme(session, operations.SmeSignup(
        email=company_owner_email(index), password=signup_password(), first_name=first, last_name=last,
        company_name=name, siret=make_siret(siren, rng), headcount=headcount, sector=sector, city=city,
        address_line=street_address(rng), postal_code=POSTAL_CODES.get(city, ""),
    ))
    set_demo_password(owner, SME_PASSWORD)
    return owner.company


def _team(session: Session, company: Company) -> None:
    """A colleague who joined, and an invitation still pending (the team page shows both)."""
    owner = user_by_email(session, company_owner_email(0))
    email, first, last = SME_TEAM_MEMBER
    if user_by_email(session, email) is None:
        invitation = teams.invite(session, company, owner, email)
        member = teams.join(session, invitation, first_name=first, last_name=last, password=signup_password())
        set_demo_password(member, SME_PASSWORD)
    if session.scalar(select(TeamInvitation.id).where(TeamInvitation.email == SME_PENDING_INVITE)) is None:
        teams.invite(session, company, owner, SME_PENDING_INVITE)


def role_of(user: User) -> Role:
    return Role(user.role)
