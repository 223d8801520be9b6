"""Reference requests: a one-time, expiring questionnaire e-mailed to each referee.

The link carries a token derived from the server secret and the request (HMAC), so a
reminder can repeat the same link while the database keeps only its SHA-256: a copy
of the database alone opens no questionnaire. Answers are stored with the time and
IP they came from; a referee on the freelancer's own e-mail domain, or answering
from an IP the freelancer used, is flagged for the operator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import SKILL_DIMENSIONS, Role
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import date_fr, decimal_fr, plural_fr
from marketplace.models.audit import AuditLog
from marketplace.models.freelancers import FreelancerProfile, Reference
from marketplace.models.users import User
from marketplace.models.vetting import CheckKind, CheckStatus, ReferenceRequest
from marketplace.platform import mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.vetting import rules, scheduling
from marketplace.services.vetting.checks import Outcome


class RequestStatus:
    PENDING = "pending"
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.PENDING: "À envoyer",
    RequestStatus.SENT: "Envoyé",
    RequestStatus.ANSWERED: "Répondu",
    RequestStatus.EXPIRED: "Expiré",
    RequestStatus.CANCELLED: "Remplacé",
}
WOULD_REHIRE = {
    "yes": "Oui, sans hésiter",
    "reserved": "Oui, avec des réserves",
    "no": "Non",
}
RATING_DIMENSIONS: tuple[tuple[str, str], ...] = tuple((d.code, d.label) for d in SKILL_DIMENSIONS)
FLAG_LABELS = {
    "own_domain": "Référent sur le domaine e-mail du freelance",
    "same_email": "Adresse du référent identique à celle du freelance",
    "referee_is_freelancer": "Le référent est un freelance inscrit sur la plateforme",
    "freelancer_ip": "Réponse envoyée depuis une adresse IP utilisée par le freelance",
}


class ReferenceLinkError(DomainError):
    """A questionnaire link that cannot be used; ``reason`` says why (unknown, used…)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class Answer:
    """A referee's answers, as typed in the questionnaire."""

    role: str
    period: str
    would_rehire: str
    ratings: dict[str, int | None] = field(default_factory=dict)
    comment: str = ""


# --- tokens and links -----------------------------------------------------------------


def token_for(request: ReferenceRequest) -> str:
    """The secret token of a request's link (recomputable for reminders, never stored)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"reference-request:{request.id}:{request.reference_id}:{request.sent_to}:{int(request.expires_at.timestamp())}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def questionnaire_url(request: ReferenceRequest) -> str:
    return external_url("public.reference_questionnaire", token=token_for(request))


# --- who the freelancer is ------------------------------------------------------------------


def email_domain(email: str) -> str:
    """The registrable part of an address's domain (``mail.acme.fr`` → ``acme.fr``)."""
    domain = (email or "").rpartition("@")[2].strip().lower().rstrip(".")
    labels = domain.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else domain


def freelancer_ips(session: Session, profile: FreelancerProfile, now: datetime | None = None) -> set[str]:
    """IPs the freelancer acted from: audited actions (log-ins…) and the mandate acceptance."""
    since = (now or utcnow()) - timedelta(days=rules.FREELANCER_IP_LOOKBACK_DAYS)
    ips = set(
        session.scalars(
            select(AuditLog.ip_address).where(
                AuditLog.actor_id == profile.user_id, AuditLog.ip_address.is_not(None), AuditLog.created_at >= since
            )
        )
    )
    if profile.mandate_ip:
        ips.add(profile.mandate_ip)
    return {ip for ip in ips if ip}


def creation_flags(session: Session, profile: FreelancerProfile, referee_email: str) -> list[str]:
    """Signals known as soon as the referee's address is: same person, same organisation."""
    flags = []
    own = profile.user.email.lower()
    referee = referee_email.strip().lower()
    if referee == own:
        flags.append("same_email")
    elif email_domain(referee) == email_domain(own) and email_domain(own) not in rules.WEBMAIL_DOMAINS:
        flags.append("own_domain")
    other = session.scalar(
        select(User.id).where(func.lower(User.email) == referee, User.role == Role.FREELANCER.value, User.id != profile.user_id)
    )
    if other is not None:
        flags.append("referee_is_freelancer")
    return flags


# --- sending ---------------------------------------------------------------------------------


def latest_requests(session: Session, profile_id: int) -> dict[int, ReferenceRequest]:
    """The most recent request of each reference of a profile."""
    latest: dict[int, ReferenceRequest] = {}
    for request in session.scalars(
        select(ReferenceRequest).where(ReferenceRequest.profile_id == profile_id).order_by(ReferenceRequest.id)
    ):
        latest[request.reference_id] = request
    return latest


def ensure_requests(session: Session, profile: FreelancerProfile, now: datetime) -> list[ReferenceRequest]:
    """Send a questionnaire to each referee who has none for their current address."""
    latest = latest_requests(session, profile.id)
    created = []
    for reference in profile.references:
        address = reference.email.strip().lower()
        current = latest.get(reference.id)
        if current is not None and current.sent_to == address and current.status != RequestStatus.CANCELLED:
            continue  # sent, answered or expired for this address: nothing new to send
        if current is not None and current.status in (RequestStatus.PENDING, RequestStatus.SENT):
            current.status = RequestStatus.CANCELLED  # the referee's address changed
        created.append(create_request(session, profile, reference, now))
    return created


def create_request(session: Session, profile: FreelancerProfile, reference: Reference, now: datetime) -> ReferenceRequest:
    """Record a request for ``reference`` and e-mail its link."""
    address = reference.email.strip().lower()
    request = ReferenceRequest(
        reference_id=reference.id,
        profile_id=profile.id,
        # Placeholder until the id exists: the real hash depends on it.
        token_hash=f"new-{secrets.token_hex(24)}",
        status=RequestStatus.PENDING,
        sent_to=address,
        expires_at=(now + timedelta(days=rules.REFERENCE_LINK_DAYS)).replace(microsecond=0),
        flags=creation_flags(session, profile, address),
    )
    session.add(request)
    session.flush()
    request.token_hash = hash_token(token_for(request))
    _send(session, request, profile, reference, template="reference_request",
          subject=_l("%(name)s vous cite comme référence : 3 minutes de questionnaire", name=profile.display_name))
    request.status = RequestStatus.SENT
    request.sent_at = now
    return request


def _send(session: Session, request: ReferenceRequest, profile: FreelancerProfile, reference: Reference, *, template: str, subject: str) -> None:
    mail.send(
        session,
        to=request.sent_to,
        subject=subject,
        template=template,
        referee_name=reference.name,
        freelancer_name=profile.display_name,
        reference=reference,
        link=questionnaire_url(request),
        expires_on=date_fr(request.expires_at),
    )


def send_reminders(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Remind referees 3 and 7 days after the first e-mail; expire links past their date."""

    now = now or utcnow()
    counts = {"reminded": 0, "expired": 0}
    waiting = session.scalars(
        select(ReferenceRequest)
        .where(ReferenceRequest.status == RequestStatus.SENT)
        .order_by(ReferenceRequest.id)
        .with_for_update(skip_locked=True)
    ).all()
    touched: set[int] = set()
    for request in waiting:
        if request.expires_at <= now:
            request.status = RequestStatus.EXPIRED
            counts["expired"] += 1
            touched.add(request.profile_id)
            continue
        due = sum(1 for days in rules.REFERENCE_REMINDER_DAYS if now >= request.sent_at + timedelta(days=days))
        if due > request.reminders_sent:
            profile = session.get(FreelancerProfile, request.profile_id)
            _send(session, request, profile, request.reference, template="reference_reminder",
                  subject=_l("Rappel : votre avis sur %(name)s", name=profile.display_name))
            # A missed day does not send two reminders in a row: catch up to the stage reached.
            request.reminders_sent = due
            request.last_reminder_at = now
            counts["reminded"] += 1
    for profile_id in sorted(touched):
        profile = session.get(FreelancerProfile, profile_id)
        if profile is not None and scheduling.is_vetted(profile):
            scheduling.schedule(session, profile, ["references"])
    return counts


def resend(session: Session, admin: User, request_id: int, *, ip_address: str | None, now: datetime | None = None) -> ReferenceRequest:
    """Replace a referee's link with a fresh one (the old link stops working)."""

    now = now or utcnow()
    old = session.get(ReferenceRequest, request_id, with_for_update=True)
    if old is None:
        raise DomainError(_l("Demande de référence introuvable."))
    if old.status == RequestStatus.ANSWERED:
        raise DomainError(_l("Ce référent a déjà répondu : inutile de lui renvoyer le questionnaire."))
    profile = session.get(FreelancerProfile, old.profile_id)
    old.status = RequestStatus.CANCELLED
    new = create_request(session, profile, old.reference, now)
    record(session, admin, "vetting.reference_resent", profile, details={"request_id": new.id, "replaces": old.id,
                                                                          "to": new.sent_to}, ip_address=ip_address)
    scheduling.schedule(session, profile, ["references"])
    return new


# --- answering --------------------------------------------------------------------------------


def open_request(session: Session, token: str, now: datetime | None = None, *, lock: bool = False) -> ReferenceRequest:
    """The request a link opens; ReferenceLinkError when unknown, used, replaced or expired."""
    now = now or utcnow()
    stmt = select(ReferenceRequest).where(ReferenceRequest.token_hash == hash_token(token or ""))
    if lock:
        stmt = stmt.with_for_update()
    request = session.scalar(stmt) if token else None
    if request is None:
        raise ReferenceLinkError(
            "unknown", _l("Ce lien de questionnaire n'est pas valide. Vérifiez qu'il a été copié en entier depuis l'e-mail.")
        )
    if request.status == RequestStatus.ANSWERED:
        raise ReferenceLinkError(
            "used", _l("Ce questionnaire a déjà été rempli : votre réponse a bien été transmise à notre équipe. Merci !")
        )
    if request.status == RequestStatus.CANCELLED:
        raise ReferenceLinkError(
            "replaced", _l("Ce lien a été remplacé par un lien plus récent, envoyé par e-mail : utilisez le dernier message reçu.")
        )
    if request.status == RequestStatus.EXPIRED or request.expires_at <= now:
        raise ReferenceLinkError(
            "expired",
            _l("Ce lien a expiré le %(date)s. Si vous souhaitez encore répondre, demandez à la personne qui vous a cité de nous le signaler : nous vous enverrons un nouveau lien.", date=date_fr(request.expires_at)),
        )
    return request


def validate_answer(answer: Answer) -> dict[str, Any]:
    """The answers to store; every field at fault is named at once (InvalidInput)."""
    role = (answer.role or "").strip()
    period = (answer.period or "").strip()
    errors = []
    if not role:
        errors.append(DomainError(_l("Indiquez votre fonction et votre lien avec la personne."), "role"))
    if not period:
        errors.append(DomainError(_l("Indiquez la période de votre collaboration."), "period"))
    if answer.would_rehire not in WOULD_REHIRE:
        errors.append(DomainError(_l("Dites si vous retravailleriez avec cette personne."), "would_rehire"))
    ratings: dict[str, int | None] = {}
    for code, _label in RATING_DIMENSIONS:
        value = answer.ratings.get(code)
        if value in (None, 0, ""):
            ratings[code] = None
        elif str(value).isdigit() and int(value) in range(1, 6):
            ratings[code] = int(value)
        else:
            ratings[code] = None
            errors.append(DomainError(_l("Les notes vont de 1 à 5."), f"rating_{code}"))
    if not any(ratings.values()) and not any(e.field and e.field.startswith("rating_") for e in errors):
        errors.append(DomainError(_l("Notez au moins une des cinq dimensions (ou plusieurs)."), "rating_people_culture"))
    comment = (answer.comment or "").strip()
    if len(comment) > 3000:
        errors.append(DomainError(_l("Votre commentaire dépasse 3 000 caractères."), "comment"))
    raise_if_any(errors)
    return {"role": role[:200], "period": period[:120], "would_rehire": answer.would_rehire, "ratings": ratings,
            "comment": comment}


def answer(session: Session, token: str, data: Answer, *, ip_address: str | None, now: datetime | None = None) -> ReferenceRequest:
    """Store a referee's answers once; the link cannot be used again."""

    now = now or utcnow()
    request = open_request(session, token, now, lock=True)
    answers = validate_answer(data)
    profile = session.get(FreelancerProfile, request.profile_id)
    request.answers = answers
    request.comment = answers["comment"] or None
    request.answered_at = now
    request.answered_ip = ip_address
    request.status = RequestStatus.ANSWERED
    if ip_address and ip_address in freelancer_ips(session, profile, now) and "freelancer_ip" not in request.flags:
        request.flags = [*request.flags, "freelancer_ip"]
    record(session, None, "vetting.reference_answered", request, details={"profile_id": profile.id}, ip_address=ip_address)
    if scheduling.is_vetted(profile):
        scheduling.schedule(session, profile, ["references"])
    return request


# --- evaluation ---------------------------------------------------------------------------------


def average_rating(answers: dict[str, Any]) -> float | None:
    values = [v for v in (answers.get("ratings") or {}).values() if v]
    return mean(values) if values else None


def current_flags(session: Session, profile: FreelancerProfile, request: ReferenceRequest, now: datetime) -> list[str]:
    """Flags recorded on the request, plus an IP match learnt since the answer."""
    flags = list(request.flags or [])
    if request.answered_ip and "freelancer_ip" not in flags and request.answered_ip in freelancer_ips(session, profile, now):
        flags.append("freelancer_ip")
    return flags


def _reference_outcome(session: Session, profile: FreelancerProfile, reference: Reference, request: ReferenceRequest | None, now: datetime) -> Outcome:
    kind, subject = CheckKind.REFERENCES, str(reference.id)
    details: dict[str, Any] = {"reference_id": reference.id, "name": reference.name, "company": reference.company,
                               "email": reference.email}
    if request is None or request.status in (RequestStatus.PENDING, RequestStatus.CANCELLED):
        return Outcome(kind, CheckStatus.PENDING, f"{reference.name} : questionnaire pas encore envoyé.", details, subject)
    flags = current_flags(session, profile, request, now)
    details |= {"request_id": request.id, "status": request.status, "flags": flags,
                "sent_at": request.sent_at.isoformat() if request.sent_at else None}
    flag_text = " ; ".join(FLAG_LABELS.get(f, f) for f in flags)
    if request.status == RequestStatus.SENT:
        reminders = f", {request.reminders_sent} {plural_fr(request.reminders_sent, 'relance', 'relances')}" if request.reminders_sent else ""
        summary = f"{reference.name} : en attente de réponse (envoyé le {date_fr(request.sent_at)}{reminders}, expire le {date_fr(request.expires_at)})."
        if flags:
            summary += f" Signalé : {flag_text}."
        return Outcome(kind, CheckStatus.PENDING, summary, details, subject)
    if request.status == RequestStatus.EXPIRED:
        return Outcome(kind, CheckStatus.FAILED, f"{reference.name} : pas de réponse avant l'expiration du lien ({date_fr(request.expires_at)}).", details, subject)
    answers = request.answers or {}
    average = average_rating(answers)
    details |= {"average": round(average, 2) if average else None, "would_rehire": answers.get("would_rehire"),
                "answered_at": request.answered_at.isoformat() if request.answered_at else None}
    mean_text = f"moyenne {decimal_fr(average)}/5" if average else "sans note"
    if answers.get("would_rehire") == "no":
        return Outcome(kind, CheckStatus.FAILED, f"{reference.name} ne retravaillerait pas avec le freelance ({mean_text}).", details, subject)
    if flags:
        return Outcome(kind, CheckStatus.WARNING, f"{reference.name} a répondu ({mean_text}), mais : {flag_text}.", details, subject)
    if average is not None and average < rules.REFERENCE_MIN_AVERAGE:
        return Outcome(kind, CheckStatus.WARNING, f"{reference.name} : réponse mitigée ({mean_text}).", details, subject)
    if answers.get("would_rehire") == "reserved":
        return Outcome(kind, CheckStatus.WARNING, f"{reference.name} recommande avec des réserves ({mean_text}).", details, subject)
    return Outcome(kind, CheckStatus.PASSED, f"{reference.name} recommande sans réserve ({mean_text}).", details, subject)


def reference_outcomes(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    """One outcome per reference, and a summary outcome (subject "")."""
    latest = latest_requests(session, profile.id)
    per_reference = [_reference_outcome(session, profile, ref, latest.get(ref.id), now) for ref in profile.references]
    given = len(per_reference)
    verified = sum(1 for o in per_reference if o.status == CheckStatus.PASSED)
    waiting = sum(1 for o in per_reference if o.status == CheckStatus.PENDING)
    details = {"given": given, "verified": verified, "waiting": waiting, "required": rules.MIN_REFERENCES}
    if given < rules.MIN_REFERENCES:
        summary = Outcome(CheckKind.REFERENCES, CheckStatus.FAILED,
                          f"{given} {plural_fr(given, 'référence fournie', 'références fournies')} : "
                          f"{rules.MIN_REFERENCES} au moins sont attendues.", details)
    elif verified >= rules.MIN_REFERENCES:
        summary = Outcome(CheckKind.REFERENCES, CheckStatus.PASSED, f"{verified} {plural_fr(verified, 'référence vérifiée', 'références vérifiées')} sur {given}.", details)
    elif waiting:
        text = (f"En attente des {given} référents." if waiting == given
                else f"{given - waiting} {plural_fr(given - waiting, 'réponse reçue', 'réponses reçues')} sur {given} ; "
                   "en attente des autres référents.")
        summary = Outcome(CheckKind.REFERENCES, CheckStatus.PENDING, text, details)
    else:
        summary = Outcome(CheckKind.REFERENCES, CheckStatus.WARNING,
                          f"Références à examiner : {verified} {plural_fr(verified, 'vérifiée', 'vérifiées')} sur {given}.", details)
    return [summary, *per_reference]
