"""Accounts: sign-up as an SME or a freelancer, authentication, password reset, admins."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import SECTORS, Role
from marketplace.errors import DomainError
from marketplace.geo import find_commune
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import CompanyRole, User, spend_password_check
from marketplace.platform import mail
from marketplace.platform.audit import record
from marketplace.platform.identifiers import validate_siret
from marketplace.platform.links import external_url
from marketplace.services.accounts import passwords
from marketplace.services.accounts.rules import RESET_SALT


def normalize_email(value: str, field: str = "email") -> str:
    """A syntactically valid address, lower-cased; else DomainError."""
    # Outside production, accept the reserved ".test" domain of the demo and tests.
    test_environment = current_app.config.get("MARKETPLACE_ENV") != "production"
    try:
        return validate_email(
            (value or "").strip(), check_deliverability=False, test_environment=test_environment
        ).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError("Adresse e-mail invalide.", field) from exc


def personal_words(email: str, *names: str) -> list[str]:
    """What a password must not contain: the e-mail's name part and the person's names."""
    return [(email or "").partition("@")[0], *names]


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _new_user(session: Session, *, email: str, password: str, role: Role, first_name: str, last_name: str) -> User:
    email = normalize_email(email)
    passwords.check(password, personal=personal_words(email, first_name, last_name))
    if find_user_by_email(session, email) is not None:
        raise DomainError("Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe.", "email")
    user = User(email=email, role=role.value, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_password(password)
    session.add(user)
    return user


@dataclass
class SmeSignup:
    email: str
    password: str
    first_name: str
    last_name: str
    company_name: str
    siret: str
    headcount: int
    sector: str
    city: str
    phone: str | None = None
    address_line: str = ""
    postal_code: str = ""


def register_sme(session: Session, data: SmeSignup) -> User:
    """Create the company and its owner account."""
    siret = validate_siret(data.siret)
    if session.scalar(select(Company.id).where(Company.siret == siret)) is not None:
        raise DomainError(
            "Cette entreprise a déjà un compte : demandez à son titulaire de vous inviter depuis son espace.",
            "siret",
        )
    if not data.company_name.strip():
        raise DomainError("Indiquez la raison sociale de l'entreprise.", "company_name")
    if data.headcount is None or data.headcount < 1:
        raise DomainError("L'effectif doit être d'au moins 1 personne.", "headcount")
    if data.sector not in SECTORS:
        raise DomainError("Choisissez un secteur d'activité dans la liste.", "sector")
    commune = find_commune(data.city)
    if commune is None:
        raise DomainError("Ville inconnue : choisissez une commune dans la liste proposée.", "city")
    user = _new_user(
        session, email=data.email, password=data.password, role=Role.SME,
        first_name=data.first_name, last_name=data.last_name,
    )
    company = Company(
        legal_name=data.company_name.strip(),
        siren=siret[:9],
        siret=siret,
        sector=data.sector,
        headcount=data.headcount,
        city=commune.name,
        latitude=commune.latitude,
        longitude=commune.longitude,
        address_line=" ".join((data.address_line or "").split())[:200],
        postal_code="".join((data.postal_code or "").split())[:10],
        billing_email=user.email,
        billing_contact_name=f"{data.first_name} {data.last_name}".strip(),
    )
    session.add(company)
    user.company = company
    user.company_role = CompanyRole.OWNER.value
    user.phone = data.phone or None
    session.flush()
    record(session, user, "account.signup", user, details={"role": "sme", "company_id": company.id})
    return user


def register_freelancer(
    session: Session, *, email: str, password: str, first_name: str, last_name: str, phone: str | None = None
) -> User:
    """Create a freelancer account with an empty draft profile."""
    if not first_name.strip() or not last_name.strip():
        raise DomainError("Indiquez votre prénom et votre nom.", "first_name")
    user = _new_user(
        session, email=email, password=password, role=Role.FREELANCER,
        first_name=first_name, last_name=last_name,
    )
    user.phone = phone or None
    user.freelancer_profile = FreelancerProfile(business_name=f"{first_name.strip()} {last_name.strip()} EI")
    session.flush()
    record(session, user, "account.signup", user, details={"role": "freelancer"})
    return user


def authenticate(session: Session, email: str, password: str, ip_address: str | None = None) -> User:
    """The active user with these credentials; one vague message otherwise."""
    user = find_user_by_email(session, email or "")
    if user is None:
        spend_password_check(password or "")  # timing tells nothing about which accounts exist
        raise DomainError("Adresse e-mail ou mot de passe incorrect.")
    if not user.check_password(password or "") or user.erased_at is not None:  # an erased account never returns
        raise DomainError("Adresse e-mail ou mot de passe incorrect.")
    if not user.active:
        raise DomainError("Ce compte est désactivé. Contactez le support pour le réactiver.")
    user.last_login_at = utcnow()
    if ip_address and user.is_freelancer:
        # Vetting flags a reference answered from an IP the freelancer logs in from.
        record(session, user, "account.login", user, ip_address=ip_address)
    return user


def logout(session: Session, user: User) -> None:
    """End every session of the account: the cookies issued before (session and « remember me ») stop working."""
    user.end_sessions()
    record(session, user, "account.logout", user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def password_reset_token(user: User) -> str:
    """A signed token; it dies with the next password change (the nonce changes)."""
    return _serializer().dumps({"u": user.id, "n": user.login_nonce})


def request_password_reset(session: Session, email: str) -> None:
    """E-mail a reset link when the account exists; say nothing either way."""
    try:
        email = normalize_email(email)
    except DomainError:
        return
    user = find_user_by_email(session, email)
    if user is None or not user.active:
        return
    token = password_reset_token(user)
    mail.send(
        session,
        to=user.email,
        subject="Réinitialisation de votre mot de passe",
        template="password_reset",
        user_id=user.id,
        user=user,
        reset_url=external_url("auth.reset_password", token=token),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def user_for_reset_token(session: Session, token: str) -> User:
    """The user a valid, unexpired, unused token belongs to; else DomainError."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise DomainError("Ce lien a expiré. Demandez un nouveau lien de réinitialisation.") from exc
    except BadSignature as exc:
        raise DomainError("Ce lien n'est pas valide. Demandez un nouveau lien de réinitialisation.") from exc
    user = session.get(User, data.get("u"))
    if user is None or user.login_nonce != data.get("n") or not user.active:
        raise DomainError("Ce lien a déjà été utilisé. Demandez un nouveau lien de réinitialisation.")
    return user


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link cannot be used again."""
    user = user_for_reset_token(session, token)
    passwords.check(new_password, personal=personal_words(user.email, user.first_name, user.last_name))
    user.set_password(new_password)
    record(session, user, "account.password_reset", user)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError("Mot de passe actuel incorrect.", "current_password")
    passwords.check(new, "new_password", personal=personal_words(user.email, user.first_name, user.last_name))
    user.set_password(new)
    record(session, user, "account.password_changed", user)


def create_admin(session: Session, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create a platform administrator, or promote and reset an existing account."""
    email = normalize_email(email)
    passwords.check(password, personal=personal_words(email, first_name, last_name))
    user = find_user_by_email(session, email)
    if user is None:
        user = User(email=email, role=Role.ADMIN.value, first_name=first_name, last_name=last_name)
        session.add(user)
    elif user.role != Role.ADMIN.value:
        raise DomainError(f"{email} est déjà un compte {user.role} : utilisez une autre adresse pour l'administration.")
    user.set_password(password)
    user.active = True
    session.flush()
    record(session, None, "admin.created", user)
    return user


def set_locale(user: User, locale: str) -> None:
    from marketplace.i18n import LANGUAGES

    if locale not in LANGUAGES:
        raise DomainError("Langue non disponible.")
    user.locale = locale
