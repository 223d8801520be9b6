"""The demo's contracts: om@demo.test works one weekday a week for Boréal Logiciels.

The missions seed posts the mission and accepts her application; the contract and its
booked weekday are recorded here from that application until the contract operations
exist (signing books the weekday).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today, utcnow
from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
from marketplace.models.missions import Application


def seed(session: Session, application: Application | None) -> Contract | None:
    """The running contract of the demo's accepted application (om@demo.test with Boréal Logiciels)."""
    if application is None:
        return None
    contract = session.scalar(select(Contract).where(Contract.application_id == application.id))
    if contract is not None:
        return contract
    mission = application.mission
    contract = Contract(
        mission_id=mission.id, application_id=application.id, company_id=mission.company_id,
        freelancer_id=application.freelancer_id, status=ContractStatus.ACTIVE.value, half_days_per_week=2,
        weekdays=list(mission.weekdays), work_mode="hybrid", onsite_days_per_week=1,
        daily_rate_cents=application.proposed_rate_cents, start_date=today() - timedelta(days=60),
        activated_at=utcnow() - timedelta(days=60), objectives="Reprendre les services généraux et les achats courants.",
    )
    contract.bookings = [
        ContractBooking(freelancer_id=application.freelancer_id, weekday=day, half=half)
        for day in mission.weekdays for half in ("am", "pm")
    ]
    session.add(contract)
    session.flush()
    return contract
