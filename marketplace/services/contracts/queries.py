"""What contract lists, contract pages and dashboards show, scoped to one company or one freelancer.

:func:`page` says what a status means for the person looking: what is awaited and from
whom, which actions they may take now, what the week looks like, which PDF to read.
Views only render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from marketplace.domain import HALF_LABELS, HALVES, WEEKDAY_LABELS, WEEKDAYS
from marketplace.formatting import date_fr, de
from marketplace.models.companies import Company
from marketplace.models.contracts import (
    Contract,
    ContractBooking,
    ContractSignature,
    ContractStatus,
    ContractVersion,
    Party,
    SatisfactionSurvey,
    VersionKind,
    VersionStatus,
)
from marketplace.models.documents import Document
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.services.contracts import (
    documents,
    ending,
    parties,
    satisfaction,
    vigilance,
)
from marketplace.services.contracts.signing import (
    awaiting_signature,
    expected_name,
    signature_of,
)
from marketplace.services.contracts.terms import Change, Terms, diff, slots_to_week

# Contracts the parties still deal with, most pressing first.
CURRENT_STATUSES = (ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value,
                    ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value)
_ORDER = case(
    {ContractStatus.PENDING_SIGNATURE.value: 0, ContractStatus.DRAFT.value: 1, ContractStatus.ACTIVE.value: 2,
     ContractStatus.NOTICE.value: 3, ContractStatus.ENDED.value: 4, ContractStatus.CANCELLED.value: 5},
    value=Contract.status,
)
ADMIN_PAGE_SIZE = 50


def _listing(query):
    return query.options(
        selectinload(Contract.company), selectinload(Contract.mission),
        selectinload(Contract.freelancer).joinedload(FreelancerProfile.user),
    ).order_by(_ORDER, Contract.start_date.desc(), Contract.id.desc())


def _with_state(query):
    """A listing with what :func:`awaited_by_contract` reads of each contract (no query per row)."""
    return _listing(query).options(
        selectinload(Contract.versions), selectinload(Contract.signatures), selectinload(Contract.surveys))


def for_company(session: Session, company_id: int) -> list[Contract]:
    """Every contract of the company, those waiting for something first."""
    return list(session.scalars(_with_state(select(Contract).where(Contract.company_id == company_id))))


def for_freelancer(session: Session, profile_id: int) -> list[Contract]:
    return list(session.scalars(_with_state(select(Contract).where(Contract.freelancer_id == profile_id))))


def recent_for_company(session: Session, company_id: int, limit: int = 8) -> list[Contract]:
    """The company's contracts for its dashboard (abandoned drafts left out)."""
    return list(session.scalars(_listing(
        select(Contract).where(Contract.company_id == company_id, Contract.status != ContractStatus.CANCELLED.value)
    ).limit(limit)))


def current_for_freelancer(session: Session, profile_id: int) -> list[Contract]:
    """A freelancer's contracts being drafted, to sign, running or in notice."""
    return list(session.scalars(_listing(
        select(Contract).where(Contract.freelancer_id == profile_id, Contract.status.in_(CURRENT_STATUSES))
    )))


def for_admin(session: Session, status: str | None = None, page: int = 1) -> tuple[list[Contract], int]:
    """Every contract (optionally of one status), a page at a time, and how many there are."""
    query = select(Contract)
    if status in ContractStatus.values():
        query = query.where(Contract.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(_with_state(query).limit(ADMIN_PAGE_SIZE).offset((max(page, 1) - 1) * ADMIN_PAGE_SIZE))
    return list(rows), total or 0


def status_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Contract.status, func.count()).group_by(Contract.status)).all())


# --- one contract's page ------------------------------------------------------------------


@dataclass(frozen=True)
class Awaited:
    """Something the contract waits for: from whom, and whether it is the viewer's to do."""

    text: str
    party: str | None
    yours: bool


@dataclass(frozen=True)
class Slot:
    label: str
    held: bool
    releases_on: date | None = None
    added: bool = False  # by the amendment under way
    removed: bool = False


@dataclass
class Page:
    contract: Contract
    party: str | None               # the viewer's side; None for an admin
    terms: Terms                    # what the page shows: the latest proposal, or the terms in force
    version: ContractVersion | None  # the version those terms come from
    in_force: Terms | None
    amendment: ContractVersion | None
    amendment_changes: list[Change]
    draft_changes: list[Change]     # the latest proposal against the one before it
    clauses: list
    week: list[tuple[str, list[Slot]]]
    versions: list[ContractVersion]
    signatures: dict[int, list[ContractSignature]]
    vigilance: vigilance.Vigilance
    awaited: list[Awaited]
    to_sign: ContractVersion | None
    signed_pdf: Document | None
    survey: SatisfactionSurvey | None
    scores: list[tuple[str, int]]
    earliest_notice_end: date | None
    expected_signer_name: str = ""
    can: dict[str, bool] = field(default_factory=dict)


def _week(contract: Contract, shown: Terms, amendment: Terms | None) -> list[tuple[str, list[Slot]]]:
    held = {(b.weekday, b.half): b for b in contract.bookings if b.active}
    wanted = slots_to_week(shown.slots)
    target = slots_to_week(amendment.slots) if amendment else None
    rows = []
    for day in WEEKDAYS:
        cells = []
        for half in HALVES:
            booking = held.get((day, half))
            in_terms = wanted.has(day, half)
            cells.append(Slot(
                label=HALF_LABELS[half], held=booking is not None or in_terms,
                releases_on=booking.released_on if booking else None,
                added=bool(target and target.has(day, half) and not in_terms),
                removed=bool(target and in_terms and not target.has(day, half)),
            ))
        rows.append((WEEKDAY_LABELS[day], cells))
    return rows


def page(session: Session, contract: Contract, viewer: User, today: date) -> Page:
    """Everything a contract's page shows to ``viewer`` (a party, or an admin read-only)."""
    party = parties.party_of(viewer, contract)
    latest = contract.latest_version
    signed = contract.signed_version is not None
    in_force = Terms.from_contract(contract) if signed else None
    amendment = None
    if signed and latest is not None and latest.kind == VersionKind.AMENDMENT.value and latest.status in (
            VersionStatus.PROPOSED.value, VersionStatus.AGREED.value):
        amendment = latest
    if signed or latest is None:
        shown = in_force or Terms.from_contract(contract)
        shown_version = next((v for v in contract.versions if v.number == contract.signed_version), None)
    else:
        shown, shown_version = Terms.from_content(latest.content), latest
    previous = _previous_proposal(contract, latest) if not signed else None
    draft_changes = diff(Terms.from_content(previous.content), shown) if previous is not None else []
    amendment_terms = Terms.from_content(amendment.content) if amendment else None
    to_sign = awaiting_signature(contract)
    signatures: dict[int, list[ContractSignature]] = {}
    for signature in contract.signatures:
        signatures.setdefault(signature.version_number, []).append(signature)
    shown_for_vigilance = amendment_terms or shown
    state = vigilance.status(session, contract, shown_for_vigilance, today)
    survey = satisfaction.pending_survey(contract)
    result = Page(
        contract=contract, party=party, terms=shown, version=shown_version, in_force=in_force, amendment=amendment,
        amendment_changes=diff(in_force, amendment_terms) if amendment_terms else [],
        draft_changes=draft_changes,
        clauses=documents.clauses_of(contract, shown, shown_version) if shown_version else [],
        week=_week(contract, shown, amendment_terms), versions=list(reversed(contract.versions)),
        signatures=signatures, vigilance=state, awaited=[], to_sign=to_sign,
        signed_pdf=contract.document, survey=survey, scores=satisfaction.history(contract),
        earliest_notice_end=ending.earliest_notice_end(contract, today) if contract.status == ContractStatus.ACTIVE.value
        else None,
        expected_signer_name=expected_name(viewer) if party else "",
    )
    result.awaited = _awaited(contract, party, latest, to_sign, state, survey)
    result.can = _permissions(contract, viewer, party, latest, to_sign, amendment, survey)
    return result


def _previous_proposal(contract: Contract, latest: ContractVersion | None) -> ContractVersion | None:
    earlier = [v for v in contract.versions if latest is not None and v.number < latest.number]
    return earlier[-1] if earlier else None


def _name(contract: Contract, party: str) -> str:
    return parties.party_name(contract, party)


def _awaited(contract, party, latest, to_sign, state, survey) -> list[Awaited]:
    items: list[Awaited] = []

    def wait(text: str, who: str | None) -> None:
        items.append(Awaited(text, who, who is not None and who == party))

    status = contract.status
    open_version = latest if latest is not None and latest.status in (
        VersionStatus.PROPOSED.value, VersionStatus.AGREED.value) else None
    if open_version is not None and open_version.status == VersionStatus.PROPOSED.value:
        what = "de l'avenant" if open_version.kind == VersionKind.AMENDMENT.value else "de la version"
        for side in (Party.SME.value, Party.FREELANCER.value):
            if open_version.accepted_by(side) is None:
                wait(f"L'accord {what} {open_version.number} par {_name(contract, side)}", side)
    elif open_version is not None and to_sign is None:
        wait("La préparation du PDF à signer (quelques instants)", None)
    elif to_sign is not None:
        for side in (Party.SME.value, Party.FREELANCER.value):
            if signature_of(contract, to_sign.number, side) is None:
                who = _name(contract, side) if side == Party.FREELANCER.value else f"un responsable {de(_name(contract, side))}"
                wait(f"La signature {de(who)}", side)
    if status in (ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value) and state.required and not state.valid:
        wait(f"Une attestation de vigilance URSSAF de moins de 6 mois {de(contract.freelancer.display_name)}, "
             "avant le démarrage", Party.FREELANCER.value)
    if status in (ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value):
        if contract.end_proposed_date is not None:
            other = parties.other(contract.end_requested_by)
            wait(f"La réponse {de(_name(contract, other))} à la fin proposée le {date_fr(contract.end_proposed_date)}",
                 other)
        if contract.vigilance_requested_at is not None:
            wait("Une attestation de vigilance URSSAF récente (demandée le "
                 f"{date_fr(contract.vigilance_requested_at)})", Party.FREELANCER.value)
        if survey is not None:
            wait(f"Votre avis du trimestre {satisfaction.quarter_label(survey.quarter)}" if party == Party.SME.value
                 else f"L'avis {de(contract.company.legal_name)} sur le trimestre "
                      f"{satisfaction.quarter_label(survey.quarter)}", Party.SME.value)
    return items


def _permissions(contract, viewer, party, latest, to_sign, amendment, survey) -> dict[str, bool]:
    status = contract.status
    drafting = status in (ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value)
    running = status in (ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value)
    proposed = latest is not None and latest.status == VersionStatus.PROPOSED.value
    signed_already = to_sign is not None and party is not None and signature_of(contract, to_sign.number, party)
    return {
        "edit": party is not None and drafting,
        "accept": party is not None and proposed and latest.accepted_by(party) is None,
        "sign": party is not None and to_sign is not None and not signed_already and parties.may_sign(viewer, contract),
        "sign_needs_owner": party == Party.SME.value and to_sign is not None and not parties.may_sign(viewer, contract),
        "cancel": party is not None and drafting,
        "amend": party is not None and status == ContractStatus.ACTIVE.value,
        "withdraw_amendment": party is not None and amendment is not None,
        "notice": party is not None and status == ContractStatus.ACTIVE.value,
        "propose_end": party is not None and running and contract.end_proposed_date is None,
        "answer_end": party is not None and running and contract.end_proposed_date is not None
        and contract.end_requested_by != party,
        "answer_survey": party == Party.SME.value and survey is not None,
        "request_vigilance": party == Party.SME.value and status != ContractStatus.CANCELLED.value
        and status != ContractStatus.ENDED.value,
        "download_vigilance": party == Party.SME.value or party is None,
    }


def version_pair(contract: Contract, first: int, second: int) -> tuple[ContractVersion, ContractVersion] | None:
    by_number = {v.number: v for v in contract.versions}
    if first not in by_number or second not in by_number:
        return None
    return by_number[first], by_number[second]


def compare(contract: Contract, first: int, second: int) -> list[Change] | None:
    """The clauses that differ from version ``first`` to version ``second`` (None: no such version)."""
    pair = version_pair(contract, first, second)
    if pair is None:
        return None
    return diff(Terms.from_content(pair[0].content), Terms.from_content(pair[1].content))


def survey_of(session: Session, contract: Contract, survey_id: int) -> SatisfactionSurvey | None:
    survey = session.get(SatisfactionSurvey, survey_id)
    return survey if survey is not None and survey.contract_id == contract.id else None


def dashboard_scores(session: Session, company_id: int) -> list[tuple[Contract, list[tuple[str, int]]]]:
    """Each contract's satisfaction over the quarters, for the SME dashboard's charts."""
    rows = session.scalars(
        select(Contract).where(Contract.company_id == company_id, Contract.activated_at.is_not(None))
        .options(selectinload(Contract.surveys), selectinload(Contract.freelancer)).order_by(Contract.start_date)
    ).all()
    return [(c, satisfaction.history(c)) for c in rows if satisfaction.history(c)]


def awaited_by_contract(session: Session, contracts: list[Contract], viewer: User | None,
                        today: date) -> dict[int, list[Awaited]]:
    """What each contract of a list waits for and from whom, as its page says it (for the lists)."""
    result = {}
    certificates = vigilance.certificates(session, [c.freelancer_id for c in contracts])
    for contract in contracts:
        latest = contract.latest_version
        shown = (Terms.from_content(latest.content) if latest is not None and contract.signed_version is None
                 else Terms.from_contract(contract))
        result[contract.id] = _awaited(
            contract, parties.party_of(viewer, contract), latest, awaiting_signature(contract),
            vigilance.status_with(certificates.get(contract.freelancer_id), shown, today),
            satisfaction.pending_survey(contract))
    return result


def contract_ids_by_application(session: Session, application_ids) -> dict[int, int]:
    """The contract drafted from each of these applications (an accepted application has one)."""
    ids = [i for i in application_ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(select(Contract.application_id, Contract.id).where(Contract.application_id.in_(ids))).all())


def terms_on(contract: Contract, day: date) -> Terms:
    """The terms in force on ``day``: the latest signed version effective by then (amendments included)."""
    signed = [v for v in contract.versions if v.status == VersionStatus.SIGNED.value]
    in_force = [v for v in signed if (v.effective_from or contract.start_date) <= day]
    if in_force:
        return Terms.from_content(max(in_force, key=lambda v: v.number).content)
    if signed:
        return Terms.from_content(min(signed, key=lambda v: v.number).content)
    return Terms.from_contract(contract)


def running_during(session: Session, first: date, last: date) -> list[Contract]:
    """Contracts signed and running at some point between ``first`` and ``last`` (CRAs, billing)."""
    return list(session.scalars(
        select(Contract).where(
            Contract.signed_version.is_not(None),
            Contract.status.in_([ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value, ContractStatus.ENDED.value]),
            Contract.start_date <= last,
            (Contract.end_date.is_(None)) | (Contract.end_date >= first),
        ).order_by(Contract.id)
    ))


# --- the booked week, on both sides -------------------------------------------------------


@dataclass(frozen=True)
class BookedWeek:
    """Monday–Friday × morning/afternoon: who holds each half day through a signed contract.

    For a freelancer, each held half day names the client company; for a company, the
    freelancers working for it then (several at once when it has more than one).
    """

    holders: dict[tuple[str, str], tuple[str, ...]]

    def at(self, weekday: str, half: str) -> tuple[str, ...]:
        return self.holders.get((weekday, half), ())

    @property
    def half_days(self) -> int:
        """Half days held (a half day held by two freelancers of a company counts twice)."""
        return sum(len(names) for names in self.holders.values())

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, tuple[str, ...]]]]]:
        """``[(weekday, [(half, names), …]), …]`` in week order, for the grid."""
        return [(day, [(half, self.at(day, half)) for half in HALVES]) for day in WEEKDAYS]


def _booked_week(session: Session, where):
    rows = session.execute(
        select(ContractBooking.weekday, ContractBooking.half, Company.legal_name, User.first_name, User.last_name,
               User.email)
        .join(Contract, Contract.id == ContractBooking.contract_id)
        .join(Company, Company.id == Contract.company_id)
        .join(FreelancerProfile, FreelancerProfile.id == ContractBooking.freelancer_id)
        .join(User, User.id == FreelancerProfile.user_id)
        .where(ContractBooking.active.is_(True), where)
        .order_by(Company.legal_name, User.first_name, User.last_name)
    )
    return rows


def booked_week_for_freelancer(session: Session, profile_id: int) -> BookedWeek:
    """The freelancer's booked half days, each with the company holding it (one query)."""
    holders: dict[tuple[str, str], tuple[str, ...]] = {}
    for weekday, half, company, *_ in _booked_week(session, ContractBooking.freelancer_id == profile_id):
        holders[(weekday, half)] = holders.get((weekday, half), ()) + (company,)
    return BookedWeek(holders)


def booked_week_for_company(session: Session, company_id: int) -> BookedWeek:
    """The half days the company's freelancers are booked for it, each with their names (one query)."""
    holders: dict[tuple[str, str], tuple[str, ...]] = {}
    for weekday, half, _, first, last, email in _booked_week(session, Contract.company_id == company_id):
        name = " ".join(p for p in (first, last) if p) or email
        holders[(weekday, half)] = holders.get((weekday, half), ()) + (name,)
    return BookedWeek(holders)
