"""From an accepted application to a version both sides accept: drafting, proposals, acceptance.

Accepting an application drafts the contract at once, pre-filled from the mission and
the application (version 1, proposed by the platform). Either side then proposes edits
(each a new version, accepted by its author) or accepts the latest version; when both
have accepted the same version its PDF is rendered by a job on the ``contracts`` queue
and the signatures can begin. Amendments of a running contract follow the same path
with ``kind="amendment"`` and an effective date. Every version is kept.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError, InvalidInput
from marketplace.formatting import date_fr
from marketplace.models.contracts import (
    Contract,
    ContractStatus,
    ContractVersion,
    Party,
    VersionKind,
    VersionStatus,
)
from marketplace.models.missions import Application
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.platform.audit import record
from marketplace.services.contracts import bookings, parties
from marketplace.services.contracts import terms as clauses
from marketplace.services.contracts.rules import (
    DEFAULT_OUT_OF_SCOPE,
    DEFAULT_PAYMENT_TERMS_DAYS,
    MAX_NOTE,
    NOTICE_MONTHS,
)
from marketplace.services.contracts.terms import Terms

OPEN_VERSION = (VersionStatus.PROPOSED.value, VersionStatus.AGREED.value)
CONFIRM_FIELD = "confirm_wording"


# --- drafting ----------------------------------------------------------------------------


def initial_terms(session: Session, application: Application, today: date) -> Terms:
    """The first draft: everything the mission and the application already say."""
    mission, profile = application.mission, application.freelancer
    weekdays = list(mission.weekdays or application.offered_weekdays or [])
    if not weekdays:  # flexible days and none offered: the freelancer's first free ones
        free = bookings.free_slots(profile, bookings.booked_slots(session, [profile.id])[profile.id])
        weekdays = free.full_days()
    tasks = [line.task for line in mission.perimeter]
    in_scope = "\n".join(
        f"{line.task} — environ {clauses.hours_label(line.minutes_per_month)} par mois" for line in mission.perimeter
    ) or mission.description
    focus = ", ".join(t[:1].lower() + t[1:] for t in tasks[:3]) if tasks else "les fonctions d'office management"
    start = mission.start_date if mission.start_date and mission.start_date > today else today + timedelta(days=7)
    slots = clauses.default_slots(weekdays, mission.half_days_per_week)
    days = max(1, len({code.split("-")[0] for code in slots}))
    onsite = min(max(mission.onsite_days_per_week or 0, 1), days) if mission.work_mode == "hybrid" else 0
    rate = application.proposed_rate_cents or min(profile.daily_rate_cents or mission.max_daily_rate_cents,
                                                   mission.max_daily_rate_cents)
    return Terms(
        title=mission.title,
        objectives=(f"Prendre en charge et structurer {focus} pour {mission.company.legal_name}, "
                    "afin de libérer le dirigeant des sujets opérationnels et de rendre l'organisation autonome."),
        in_scope=in_scope,
        out_of_scope=DEFAULT_OUT_OF_SCOPE,
        slots=slots,
        work_mode=mission.work_mode,
        onsite_days_per_week=onsite,
        spending_threshold_cents=mission.spending_threshold_cents,
        kpis=[{"code": k.get("code") or "custom", "label": k.get("label", ""), "target": k.get("target", "")}
              for k in mission.kpis or []],
        daily_rate_cents=rate,
        payment_terms_days=DEFAULT_PAYMENT_TERMS_DAYS,
        notice_months=NOTICE_MONTHS,
        non_compete=mission.non_compete,
        start_date=start,
        end_date=None,
    ).cleaned()


def fee_bp() -> int:
    """The platform's commission in basis points, as configured now (frozen on each new contract)."""
    return int(current_app.config["PLATFORM_FEE_RATE"] * 10_000)


def draft_from_application(session: Session, application: Application, actor: User | None,
                           today: date | None = None, *, now: datetime | None = None, notify: bool = True) -> Contract:
    """The contract of an accepted application, drafted once (a second call returns it).

    ``notify=False`` when the acceptance e-mails already announce it (the usual path).
    """
    existing = session.scalar(select(Contract).where(Contract.application_id == application.id))
    if existing is not None:
        return existing
    today, now = today or today_paris(), now or utcnow()
    mission = application.mission
    terms = initial_terms(session, application, today)
    contract = Contract(
        mission_id=mission.id, application_id=application.id, company_id=mission.company_id,
        freelancer_id=application.freelancer_id, status=ContractStatus.DRAFT.value, version=1,
        platform_fee_bp=fee_bp(), created_at=now, updated_at=now,
    )
    terms.apply_to(contract)
    session.add(contract)
    session.flush()
    session.add(ContractVersion(
        contract_id=contract.id, number=1, kind=VersionKind.INITIAL.value, status=VersionStatus.PROPOSED.value,
        content=terms.to_content(), proposed_by="platform", created_by_id=actor.id if actor else None,
        created_at=now, effective_from=terms.start_date,
    ))
    session.flush()
    record(session, actor, "contract.drafted", contract, at=now, details={
        "application_id": application.id, "mission_id": mission.id, "freelancer_id": application.freelancer_id,
    })
    if not notify:
        return contract
    parties.notify(session, contract, _l("Document de cadrage à relire : %(title)s", title=contract.title), [
        _l("Le document de cadrage entre %(legal_name)s et %(display_name)s est rédigé à partir de la mission et de la candidature : objectifs, périmètre, jours, TJM, indicateurs.", legal_name=contract.company.legal_name, display_name=contract.freelancer.display_name),
        _l("Relisez-le : acceptez-le tel quel ou proposez vos modifications. Quand vous aurez tous deux accepté la "
        "même version, chacun la signera en ligne et les jours convenus seront réservés."),
        _l("Rien n'est réservé avant la signature des deux parties."),
    ])
    return contract


# --- proposals and acceptance ----------------------------------------------------------------


def _require_open(contract: Contract, kind: VersionKind) -> None:
    if kind == VersionKind.INITIAL:
        if contract.status not in (ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value):
            raise DomainError(_l("Ce contrat est signé : pour changer les jours, le volume ou le TJM, proposez un avenant."))
    elif contract.status != ContractStatus.ACTIVE.value:
        raise DomainError(_l("Un avenant se propose sur un contrat en cours (ni en préavis, ni terminé)."))


def _close_open_versions(contract: Contract, reason: str) -> None:
    for version in contract.versions:
        if version.status in OPEN_VERSION:
            version.status = (VersionStatus.SUPERSEDED if version.status == VersionStatus.PROPOSED.value
                              else VersionStatus.WITHDRAWN).value
            version.closed_reason = reason


def propose(
    session: Session,
    contract: Contract,
    actor: User,
    proposed: Terms,
    *,
    note: str = "",
    confirm_wording: bool = False,
    effective_from: date | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> ContractVersion:
    """A new version by one side (accepted by its author), replacing the one under discussion.

    Before the first signature it edits the draft; on a running contract it is an
    amendment effective from ``effective_from``. Wording that reads as disguised
    employment is refused once with the reason beside each field; ``confirm_wording``
    sends it anyway.
    """
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    today, now = today or today_paris(), now or utcnow()
    kind = VersionKind.INITIAL if contract.signed_version is None else VersionKind.AMENDMENT
    _require_open(contract, kind)
    proposed = proposed.cleaned()
    errors: list[DomainError] = []
    if len((note or "").strip()) > MAX_NOTE:
        errors.append(DomainError(_l("2 000 caractères au plus."), "note"))
    if kind == VersionKind.AMENDMENT:
        proposed.start_date = contract.start_date  # the contract's start does not move
        if effective_from is None:
            errors.append(DomainError(_l("Indiquez la date d'effet de l'avenant."), "effective_from"))
        elif effective_from < today:
            errors.append(DomainError(_l("La date d'effet ne peut pas être passée."), "effective_from"))
        elif effective_from < contract.start_date:
            errors.append(DomainError(_l("La date d'effet ne peut pas précéder le début du contrat (%(date)s).", date=date_fr(contract.start_date)), "effective_from"))
        elif contract.end_date is not None and effective_from > contract.end_date:
            errors.append(DomainError(_l("La date d'effet doit précéder la fin du contrat."), "effective_from"))
    try:
        clauses.check(proposed, today=today, amendment_from=effective_from if kind == VersionKind.AMENDMENT else None)
    except InvalidInput as exc:
        errors = exc.errors + errors
    if errors:
        raise InvalidInput(errors)
    warnings = clauses.wording_warnings(proposed)
    if warnings and not confirm_wording:
        raise InvalidInput(warnings + [DomainError(
            _l("Certains passages ressemblent à une relation de salariat (voir les champs signalés). Reformulez-les, "
            "ou cochez cette case pour envoyer le texte tel quel."), CONFIRM_FIELD)])
    latest = contract.latest_version
    if latest is None:  # a contract recorded before versions existed: its columns are version « 0 »
        latest = ContractVersion(number=contract.signed_version or 0, content=Terms.from_contract(contract).to_content(),
                                 status=VersionStatus.SIGNED.value, kind=VersionKind.INITIAL.value)
    base = Terms.from_contract(contract) if kind == VersionKind.AMENDMENT else Terms.from_content(latest.content)
    if kind == VersionKind.AMENDMENT and latest.status in OPEN_VERSION and latest.kind == VersionKind.AMENDMENT.value:
        base_for_change = Terms.from_content(latest.content)
        same_date = latest.effective_from == effective_from
    else:
        base_for_change, same_date = base, True
    if not clauses.diff(base_for_change, proposed) and same_date:
        raise DomainError(_l("Cette version ne change rien : acceptez plutôt celle qui vous est proposée."))
    if kind == VersionKind.AMENDMENT and not clauses.diff(base, proposed):
        raise DomainError(_l("Cet avenant ne change aucune clause du contrat en vigueur."))

    _close_open_versions(contract, f"Remplacée par la version {latest.number + 1}.")
    version = ContractVersion(
        contract_id=contract.id, number=latest.number + 1, kind=kind.value, status=VersionStatus.PROPOSED.value,
        content=proposed.to_content(), note=(note or "").strip(), proposed_by=party, created_by_id=actor.id,
        created_at=now, effective_from=effective_from if kind == VersionKind.AMENDMENT else proposed.start_date,
    )
    if party == Party.SME.value:
        version.sme_accepted_at = now
    else:
        version.freelancer_accepted_at = now
    session.add(version)
    contract.version = version.number
    contract.blocked_reason = None
    if kind == VersionKind.INITIAL:
        proposed.apply_to(contract)  # a draft shows its latest proposal
        parties.set_status(session, contract, ContractStatus.DRAFT, party)
    session.flush()
    session.expire(contract, ["versions"])
    changes = clauses.diff(Terms.from_content(latest.content), proposed)
    record(session, actor, "contract.version_proposed", contract, reason=version.note or None, at=now, details={
        "version": version.number, "kind": kind.value, "changed": [c.name for c in changes],
        "wording_confirmed": bool(warnings),
    })
    what = "un avenant" if kind == VersionKind.AMENDMENT else "une nouvelle version du document de cadrage"
    lines = [f"{parties.party_name(contract, party)} propose {what} (version {version.number}). À vous de l'accepter "
             "ou de répondre par vos propres modifications."]
    if kind == VersionKind.AMENDMENT:
        lines.append(f"Date d'effet proposée : {date_fr(effective_from)}.")
    lines += [f"{c.label} : {c.after}" for c in changes[:6]]
    if version.note:
        lines.append(f"Son message : « {version.note} »")
    parties.notify(session, contract, _l("Nouvelle proposition de contrat : %(title)s", title=contract.title), lines,
                   to=(parties.other(party),))
    return version


def accept(session: Session, contract: Contract, actor: User, number: int,
           today: date | None = None, now: datetime | None = None) -> ContractVersion:
    """Accept version ``number``; once both sides have, it is rendered to PDF for signature."""
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    today, now = today or today_paris(), now or utcnow()
    version = contract.latest_version
    if version is None or version.number != number or version.status != VersionStatus.PROPOSED.value:
        raise DomainError(_l("Cette version a été remplacée entre-temps : relisez la dernière proposition."))
    if version.accepted_by(party) is not None:
        raise DomainError(_l("Vous avez déjà accepté cette version : elle attend la réponse de l'autre partie."))
    proposed = Terms.from_content(version.content)
    if version.kind == VersionKind.INITIAL.value and proposed.start_date and proposed.start_date < today:
        raise DomainError(_l("La date de début de cette version est passée : proposez une version avec une nouvelle date."))
    if version.kind == VersionKind.AMENDMENT.value and version.effective_from and version.effective_from < today:
        raise DomainError(_l("La date d'effet de cet avenant est passée : proposez-le de nouveau avec une autre date."))
    if party == Party.SME.value:
        version.sme_accepted_at = now
    else:
        version.freelancer_accepted_at = now
    both = version.sme_accepted_at is not None and version.freelancer_accepted_at is not None
    record(session, actor, "contract.version_accepted", contract, at=now, details={"version": number, "both": both})
    if not both:
        parties.notify(session, contract, _l("Version %(number)s acceptée : %(title)s", number=number, title=contract.title), [
            _l("%(party_name)s a accepté la version %(number)s. Acceptez-la à votre tour, ou proposez vos modifications.", party_name=parties.party_name(contract, party), number=number),
        ], to=(parties.other(party),))
        session.flush()
        return version
    version.status = VersionStatus.AGREED.value
    if version.kind == VersionKind.INITIAL.value:
        parties.set_status(session, contract, ContractStatus.PENDING_SIGNATURE, party)
    session.flush()
    jobs.enqueue(session, "contracts.render_version", version.id, dedupe_key=f"contract-render-{version.id}")
    parties.notify(session, contract, _l("Version %(number)s acceptée par les deux parties : %(title)s", number=number, title=contract.title), [
        _l("Vous êtes d'accord sur la version %(number)s. Son PDF est en préparation : vous recevrez un e-mail dès qu'il est prêt à signer.", number=number),
    ])
    return version


def cancel(session: Session, contract: Contract, actor: User, reason: str) -> Contract:
    """Abandon a contract before it is signed by both (the application can then be reconsidered)."""
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Expliquez en quelques mots pourquoi : l'autre partie le lira."), "reason")
    if len(reason) > MAX_NOTE:
        raise DomainError(_l("2 000 caractères au plus."), "reason")
    if contract.status not in (ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value):
        raise DomainError(_l("Un contrat signé ne s'abandonne pas : donnez votre préavis ou convenez d'une fin."))
    _close_open_versions(contract, "Contrat abandonné.")
    contract.end_reason = reason
    contract.ended_at = utcnow()
    parties.set_status(session, contract, ContractStatus.CANCELLED, party)
    record(session, actor, "contract.cancelled", contract, reason=reason)
    parties.notify(session, contract, _l("Contrat abandonné : %(title)s", title=contract.title), [
        _l("%(party_name)s a abandonné le contrat avant sa signature.", party_name=parties.party_name(contract, party)),
        _l("Motif : « %(reason)s »", reason=reason),
    ], to=(parties.other(party),))
    return contract


def withdraw_amendment(session: Session, contract: Contract, actor: User) -> None:
    """Drop the amendment under discussion (either side)."""
    parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    latest = contract.latest_version
    if latest is None or latest.kind != VersionKind.AMENDMENT.value or latest.status not in OPEN_VERSION:
        raise DomainError(_l("Aucun avenant n'est en discussion."))
    latest.status = VersionStatus.WITHDRAWN.value
    latest.closed_reason = f"Retiré par {actor.display_name}."
    record(session, actor, "contract.amendment_withdrawn", contract, details={"version": latest.number})
    parties.notify(session, contract, _l("Avenant retiré : %(title)s", title=contract.title), [
        _l("L'avenant (version %(number)s) a été retiré par %(display_name)s. Le contrat continue aux conditions en vigueur.", number=latest.number, display_name=actor.display_name),
    ], exclude=actor)
