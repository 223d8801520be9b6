"""Quarterly satisfaction: each quarter the SME rates each running contract (/10, KPIs, a comment).

The first days of a quarter a job opens one survey per contract that ran during the
quarter just ended and e-mails the company's owners; an owner or member answers it on
the contract's page. The answers feed a chart per contract on the SME dashboard and,
from three answers on, the freelancer's average shown to SMEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import add_months
from marketplace.errors import DomainError, raise_if_any
from marketplace.models.contracts import (
    Contract,
    ContractStatus,
    Party,
    SatisfactionSurvey,
)
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.services.contracts import parties
from marketplace.services.contracts.rules import (
    KPI_STATUSES,
    MAX_SURVEY_COMMENT,
    SATISFACTION_MIN_ANSWERS,
)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter(day: date) -> date:
    return add_months(quarter_start(day), -3)


def quarter_label(start: date) -> str:
    """``date(2026, 10, 1)`` → ``T4 2026``."""
    return f"T{(start.month - 1) // 3 + 1} {start.year}"


def open_surveys(session: Session, today: date) -> int:
    """Open the survey of the quarter just ended for each contract that ran in it, and e-mail the SME."""
    quarter = previous_quarter(today)
    quarter_end = add_months(quarter, 3)
    rows = session.scalars(
        select(Contract).where(
            Contract.activated_at.is_not(None),
            Contract.start_date < quarter_end,
            Contract.status.in_([ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value, ContractStatus.ENDED.value]),
            (Contract.end_date.is_(None)) | (Contract.end_date >= quarter),
        ).order_by(Contract.id)
    ).all()
    opened = 0
    for contract in rows:
        try:
            with session.begin_nested():
                session.add(SatisfactionSurvey(contract_id=contract.id, quarter=quarter, kpi_results=[]))
                session.flush()
        except IntegrityError:
            continue  # opened already (a rerun)
        session.expire(contract, ["surveys"])
        opened += 1
        parties.notify(session, contract, _l("Votre avis sur %(display_name)s (%(quarter_label)s)", display_name=contract.freelancer.display_name, quarter_label=quarter_label(quarter)), [
            _l("Comment s'est passé le trimestre %(quarter_label)s avec %(display_name)s ? Une note sur 10, où en sont les indicateurs du contrat, un commentaire : deux minutes suffisent.", quarter_label=quarter_label(quarter), display_name=contract.freelancer.display_name),
            _l("Votre réponse nourrit le suivi du contrat sur votre tableau de bord."),
        ], to=(Party.SME.value,), action=_l("Donner mon avis"))
    return opened


@dataclass
class SurveyAnswer:
    score: int | None
    kpi_statuses: dict[str, str]
    comment: str = ""


def pending_survey(contract: Contract) -> SatisfactionSurvey | None:
    return next((s for s in reversed(contract.surveys) if s.answered_at is None), None)


def answer(session: Session, survey: SatisfactionSurvey, actor: User, data: SurveyAnswer,
           now: datetime | None = None) -> SatisfactionSurvey:
    """Record the SME's answer; a survey is answered once."""
    contract = survey.contract
    if parties.party_of(actor, contract) != Party.SME.value:
        raise DomainError(_l("Seule l'entreprise cliente répond à ce questionnaire."))
    if survey.answered_at is not None:
        raise DomainError(_l("Ce questionnaire a déjà reçu une réponse. Merci !"))
    errors = []
    if data.score is None or not 0 <= data.score <= 10:
        errors.append(DomainError(_l("Donnez une note de 0 à 10."), "score"))
    results = []
    for index, kpi in enumerate(contract.kpis or []):
        status = data.kpi_statuses.get(kpi_key(index, kpi))
        if status not in KPI_STATUSES:
            errors.append(DomainError(_l("Indiquez où en est cet indicateur."), f"kpi-{index}"))
        results.append({"code": kpi.get("code"), "label": kpi.get("label"), "target": kpi.get("target"),
                        "status": status})
    comment = (data.comment or "").strip()
    if len(comment) > MAX_SURVEY_COMMENT:
        errors.append(DomainError(_l("2 000 caractères au plus."), "comment"))
    raise_if_any(errors)
    survey.score = data.score
    survey.kpi_results = results
    survey.comment = comment
    survey.answered_at = now or utcnow()
    survey.answered_by_id = actor.id
    session.flush()
    record(session, actor, "contract.satisfaction_answered", contract, details={
        "quarter": survey.quarter.isoformat(), "score": data.score,
    })
    return survey


def kpi_key(index: int, kpi: dict) -> str:
    """The form key of a contract's KPI (codes repeat: « custom »)."""
    return kpi.get("code") + f"-{index}" if kpi.get("code") else str(index)


@dataclass(frozen=True)
class FreelancerSatisfaction:
    average: Decimal
    answers: int


def freelancer_average(session: Session, profile_id: int) -> FreelancerSatisfaction | None:
    """The freelancer's average score over every answered survey, from three answers on."""
    count, total = session.execute(
        select(func.count(SatisfactionSurvey.id), func.sum(SatisfactionSurvey.score))
        .join(Contract, Contract.id == SatisfactionSurvey.contract_id)
        .where(Contract.freelancer_id == profile_id, SatisfactionSurvey.score.is_not(None))
    ).one()
    if count < SATISFACTION_MIN_ANSWERS:
        return None
    average = (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return FreelancerSatisfaction(average, count)


def history(contract: Contract) -> list[tuple[str, int]]:
    """(quarter, score) of each answered survey, oldest first: the contract's chart."""
    return [(quarter_label(s.quarter), s.score) for s in contract.surveys if s.score is not None]
