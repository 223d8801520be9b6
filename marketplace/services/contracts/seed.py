"""The demo's contracts, each taken to its stage through the contract operations, with a past clock.

The missions seed accepts the applications (which drafts each contract); here the
parties propose, accept, sign, amend and give notice, dated in the past where the story
needs it (so the CRAs and invoices have months to cover):

* « boreal » — om@demo.test's Monday at Boréal Logiciels, signed four months ago, amended
  this month (a higher TJM);
* « pme » — om@demo.test's Tuesday and Thursday at pme@demo.test's company: she proposed
  an edit, the company accepted it, both signed three months ago;
* « om_to_sign » — a Wednesday the company has signed: om@demo.test's signature is awaited;
* « pme_to_sign » — a Friday project the freelancer has signed: pme@demo.test's is awaited;
* « notice » — a contract the company ended with one month's notice;
* « negotiating » — a version proposed by the freelancer, awaiting the company's answer;
* « running » — a Wednesday and Friday contract signed four months ago, with a freelancer
  liable to VAT.

The PDFs are rendered and sealed by the same functions the jobs run (their jobs, run
after the commit, then find the work done). A rerun finds each contract past its first
version and leaves it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.domain import add_months
from marketplace.formatting import PARIS
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.missions import Application
from marketplace.models.users import CompanyRole, User
from marketplace.services.contracts import (
    documents,
    ending,
    negotiation,
    signing,
    vigilance,
)
from marketplace.services.contracts.terms import Terms

DEMO_ADDRESS = "192.0.2.10"  # documentation range: no real visitor
DEMO_BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 (démonstration)"


def at(day: date, hour: int = 10) -> datetime:
    """A Paris working hour on ``day``, as the UTC timestamp the operations store."""
    return datetime.combine(day, time(hour), PARIS)


def seed(session: Session, hires: dict[str, Application]) -> dict[str, Contract]:
    """Take each hired case's contract to its stage; returns them by case."""
    contracts: dict[str, Contract] = {}
    for case, application in hires.items():
        contract = negotiation.draft_from_application(session, application, None)  # drafted at acceptance
        contracts[case] = contract
        if len(contract.versions) > 1 or contract.status != ContractStatus.DRAFT.value:
            continue  # seeded already
        STORIES[case](session, contract, application.decided_at.astimezone(PARIS).date())
    session.flush()
    return contracts


# --- the parties' gestures -------------------------------------------------------------------


def _owner(contract: Contract) -> User:
    owners = [u for u in contract.company.members if u.company_role == CompanyRole.OWNER.value]
    return owners[0] if owners else contract.company.members[0]


def _freelancer(contract: Contract) -> User:
    return contract.freelancer.user


def _propose(session, contract, actor, day, change, note="", effective_from=None):
    terms = change(Terms.from_content(contract.latest_version.content) if effective_from is None
                   else Terms.from_contract(contract))
    return negotiation.propose(session, contract, actor, terms, note=note, effective_from=effective_from,
                               today=day, now=at(day, 9))


def _accept(session, contract, actor, day):
    return negotiation.accept(session, contract, actor, contract.latest_version.number, today=day, now=at(day, 11))


def _agree_and_render(session, contract, day) -> None:
    """Whoever has not accepted the latest version does; its PDF is rendered (the job's work)."""
    version = contract.latest_version
    for actor, accepted in ((_owner(contract), version.sme_accepted_at), (_freelancer(contract), version.freelancer_accepted_at)):
        if accepted is None:
            _accept(session, contract, actor, day)
    documents.render_version(session, contract.latest_version.id)
    session.refresh(contract.latest_version)


def _sign(session, contract, actor, day, hour=14) -> signing.Signed:
    version = signing.awaiting_signature(contract)
    return signing.sign(session, contract, actor, signing.SignatureData(
        full_name=signing.expected_name(actor), read_and_approved=True, document_hash=version.document_hash,
        ip_address=DEMO_ADDRESS, user_agent=DEMO_BROWSER,
    ), today=day, now=at(day, hour))


def _sign_both(session, contract, day, first_party="freelancer") -> None:
    people = [_freelancer(contract), _owner(contract)]
    if first_party == "sme":
        people.reverse()
    _sign(session, contract, people[0], day, 12)
    result = _sign(session, contract, people[1], day, 16)
    if result.completed:
        documents.seal_version(session, contract.versions[-1].id, now=at(day, 16))


def _signing_day(session, contract, wanted: date) -> date:
    """The day the story signs: ``wanted``, or once the freelancer's vigilance certificate existed."""
    certificate = vigilance.certificate(session, contract.freelancer_id)
    if certificate is not None and certificate.issued_on is not None and certificate.issued_on > wanted:
        return certificate.issued_on + timedelta(days=1)
    return wanted


# --- the stories -------------------------------------------------------------------------------


def _boreal(session: Session, contract: Contract, accepted: date) -> None:
    day = _signing_day(session, contract, accepted + timedelta(days=3))
    _propose(session, contract, _owner(contract), day, lambda t: replace(
        t, start_date=day + timedelta(days=7),
        objectives="Reprendre les services généraux et les achats courants, un jour par semaine, et documenter "
                   "chaque process pour que l'équipe garde la main.",
    ))
    _agree_and_render(session, contract, day)
    _sign_both(session, contract, day)
    # This month the TJM goes up: an amendment signed by both, in force from the 1st.
    first = today_paris().replace(day=1)
    talk = max(first - timedelta(days=20), contract.start_date)
    _propose(session, contract, _freelancer(contract), talk,
             lambda t: replace(t, daily_rate_cents=t.daily_rate_cents + 2_000), effective_from=first,
             note="Mon tarif évolue au 1er du mois, comme annoncé en septembre.")
    _agree_and_render(session, contract, talk + timedelta(days=2))
    _sign(session, contract, _freelancer(contract), talk + timedelta(days=3))
    _sign(session, contract, _owner(contract), first, 9)  # on its date: in force at once
    documents.seal_version(session, contract.versions[-1].id, now=at(first, 9))


def _pme(session: Session, contract: Contract, accepted: date) -> None:
    day = _signing_day(session, contract, accepted + timedelta(days=2))
    _propose(session, contract, _freelancer(contract), day, lambda t: replace(
        t, start_date=day + timedelta(days=12),
        out_of_scope=t.out_of_scope + "\nRédaction des contrats de travail et de leurs avenants.",
    ), note="J'ai précisé ce qui reste hors de mon périmètre et avancé la date de début.")
    _agree_and_render(session, contract, day + timedelta(days=1))
    _sign_both(session, contract, day + timedelta(days=2))


def _om_to_sign(session: Session, contract: Contract, accepted: date) -> None:
    day = accepted + timedelta(days=2)
    _agree_and_render(session, contract, day)
    _sign(session, contract, _owner(contract), day + timedelta(days=1))


def _pme_to_sign(session: Session, contract: Contract, accepted: date) -> None:
    day = accepted + timedelta(days=1)
    _propose(session, contract, _freelancer(contract), day, lambda t: replace(
        t, end_date=add_months(t.start_date, 3),
        objectives="Préparer le déménagement de l'équipe : cahier des charges, choix des prestataires, "
                   "planning, et accueil dans les nouveaux locaux.",
    ), note="Le projet a une fin naturelle : je propose trois mois.")
    _agree_and_render(session, contract, day + timedelta(days=1))
    _sign(session, contract, _freelancer(contract), day + timedelta(days=2))


def _notice(session: Session, contract: Contract, accepted: date) -> None:
    day = _signing_day(session, contract, accepted + timedelta(days=3))
    _propose(session, contract, _owner(contract), day, lambda t: replace(t, start_date=day + timedelta(days=5)))
    _agree_and_render(session, contract, day)
    _sign_both(session, contract, day, first_party="sme")
    if contract.status != ContractStatus.ACTIVE.value:
        return
    noticed = max(contract.start_date + timedelta(days=7), today_paris() - timedelta(days=10))
    ending.give_notice(session, contract, _owner(contract), "Nous recrutons une office manager à temps plein "
                       "en interne : merci pour ces mois de travail.", today=noticed, now=at(noticed, 10))


def _negotiating(session: Session, contract: Contract, accepted: date) -> None:
    day = accepted + timedelta(days=1)
    _propose(session, contract, _freelancer(contract), day, lambda t: replace(
        t, daily_rate_cents=t.daily_rate_cents + 3_000, spending_threshold_cents=100_000,
    ), note="Je propose un TJM ajusté à la durée courte et une délégation de 1 000 € par dépense.")


def _running(session: Session, contract: Contract, accepted: date) -> None:
    day = _signing_day(session, contract, accepted + timedelta(days=2))
    _propose(session, contract, _owner(contract), day, lambda t: replace(t, start_date=day + timedelta(days=7)))
    _agree_and_render(session, contract, day)
    _sign_both(session, contract, day + timedelta(days=1))


STORIES = {
    "boreal": _boreal,
    "pme": _pme,
    "om_to_sign": _om_to_sign,
    "pme_to_sign": _pme_to_sign,
    "notice": _notice,
    "negotiating": _negotiating,
    "running": _running,
}
