"""Accounts: sign-up as an SME or a freelancer, authentication, password reset, admins."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import SECTORS, Role
from marketplace.errors import DomainError, raise_if_any
from marketplace.geo import find_commune
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import CompanyRole, User, spend_password_check
from marketplace.platform import mail
from marketplace.platform.audit import record
from marketplace.platform.identifiers import normalize_phone, validate_siret
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
        raise DomainError(_l("Adresse e-mail invalide."), field) from exc


def personal_words(email: str, *names: str) -> list[str]:
    """What a password must not contain: the e-mail's name part and the person's names."""
    return [(email or "").partition("@")[0], *names]


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _checked(errors: list[DomainError], check, *args, **kwargs):
    """``check(*args)``'s value, or None with its refusal added to ``errors``."""
    try:
        return check(*args, **kwargs)
    except DomainError as exc:
        errors.extend(exc.errors)
        return None


def _check_new_user(
    session: Session, errors: list[DomainError], *, email: str, password: str, first_name: str, last_name: str,
    phone: str | None,
) -> tuple[str | None, str | None]:
    """Every refusal of a new account's fields added to ``errors``; the clean e-mail and phone."""
    if not (first_name or "").strip():
        errors.append(DomainError(_l("Indiquez votre prénom."), "first_name"))
    if not (last_name or "").strip():
        errors.append(DomainError(_l("Indiquez votre nom."), "last_name"))
    clean_email = _checked(errors, normalize_email, email)
    if clean_email is not None and find_user_by_email(session, clean_email) is not None:
        errors.append(DomainError(
            _l("Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe."),
            "email"))
    _checked(errors, passwords.check, password or "",
             personal=personal_words(clean_email or email or "", first_name or "", last_name or ""))
    clean_phone = _checked(errors, normalize_phone, phone)
    return clean_email, clean_phone


def _new_user(*, email: str, password: str, role: Role, first_name: str, last_name: str,
              phone: str | None) -> User:
    user = User(email=email, role=role.value, first_name=first_name.strip(), last_name=last_name.strip(),
                phone=phone)
    user.set_password(password)
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
    """Create the company and its owner account; every wrong field is refused at once."""
    errors: list[DomainError] = []
    if not (data.company_name or "").strip():
        errors.append(DomainError(_l("Indiquez la raison sociale de l'entreprise."), "company_name"))
    siret = _checked(errors, validate_siret, data.siret or "")
    if siret is not None and session.scalar(select(Company.id).where(Company.siret == siret)) is not None:
        errors.append(DomainError(
            _l("Cette entreprise a déjà un compte : demandez à son titulaire de vous inviter depuis son espace."),
            "siret",
        ))
    if data.headcount is None or data.headcount < 1:
        errors.append(DomainError(_l("L'effectif doit être d'au moins 1 personne."), "headcount"))
    if data.sector not in SECTORS:
        errors.append(DomainError(_l("Choisissez un secteur d'activité dans la liste."), "sector"))
    commune = find_commune(data.city or "")
    if commune is None:
        errors.append(DomainError(_l("Ville inconnue : choisissez une commune dans la liste proposée."), "city"))
    email, phone = _check_new_user(
        session, errors, email=data.email, password=data.password, first_name=data.first_name,
        last_name=data.last_name, phone=data.phone,
    )
    raise_if_any(errors)
    user = _new_user(email=email, password=data.password, role=Role.SME, first_name=data.first_name,
                     last_name=data.last_name, phone=phone)
    session.add(user)
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
    session.flush()
    record(session, user, "account.signup", user, details={"role": "sme", "company_id": company.id})
    return user


def register_freelancer(
    session: Session, *, email: str, password: str, first_name: str, last_name: str, phone: str | None = None
) -> User:
    """Create a freelancer account with an empty draft profile; every wrong field is refused at once."""
    errors: list[DomainError] = []
    clean_email, clean_phone = _check_new_user(
        session, errors, email=email, password=password, first_name=first_name, last_name=last_name, phone=phone,
    )
    raise_if_any(errors)
    user = _new_user(email=clean_email, password=password, role=Role.FREELANCER, first_name=first_name,
                     last_name=last_name, phone=clean_phone)
    session.add(user)
    user.freelancer_profile = FreelancerProfile(business_name=f"{first_name.strip()} {last_name.strip()} EI")
    session.flush()
    record(session, user, "account.signup", user, details={"role": "freelancer"})
    return user


def authenticate(session: Session, email: str, password: str, ip_address: str | None = None) -> User:
    """The active user with these credentials; one vague message otherwise."""
    user = find_user_by_email(session, email or "")
    if user is None:
        spend_password_check(password or "")  # timing tells nothing about which accounts exist
        raise DomainError(_l("Adresse e-mail ou mot de passe incorrect."))
    if not user.check_password(password or "") or user.erased_at is not None:  # an erased account never returns
        raise DomainError(_l("Adresse e-mail ou mot de passe incorrect."))
    if not user.active:
        raise DomainError(_l("Ce compte est désactivé. Contactez le support pour le réactiver."))
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
        subject=_l("Réinitialisation de votre mot de passe"),
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
        raise DomainError(_l("Ce lien a expiré. Demandez un nouveau lien de réinitialisation.")) from exc
    except BadSignature as exc:
        raise DomainError(_l("Ce lien n'est pas valide. Demandez un nouveau lien de réinitialisation.")) from exc
    user = session.get(User, data.get("u"))
    if user is None or user.login_nonce != data.get("n") or not user.active:
        raise DomainError(_l("Ce lien a déjà été utilisé. Demandez un nouveau lien de réinitialisation."))
    return user


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link cannot be used again."""
    user = user_for_reset_token(session, token)
    passwords.check(new_password, personal=personal_words(user.email, user.first_name, user.last_name))
    user.set_password(new_password)
    record(session, user, "account.password_reset", user)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    errors: list[DomainError] = []
    if not user.check_password(current or ""):
        errors.append(DomainError(_l("Mot de passe actuel incorrect."), "current_password"))
    _checked(errors, passwords.check, new or "", "new_password",
             personal=personal_words(user.email, user.first_name, user.last_name))
    raise_if_any(errors)
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
        raise DomainError(_l("%(email)s est déjà un compte %(role)s : utilisez une autre adresse pour l'administration.", email=email, role=user.role))
    user.set_password(password)
    user.active = True
    session.flush()
    record(session, None, "admin.created", user)
    return user


def set_locale(user: User, locale: str) -> None:
    from marketplace.i18n import LANGUAGES

    if locale not in LANGUAGES:
        raise DomainError(_l("Langue non disponible."))
    user.locale = locale
