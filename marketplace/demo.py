"""A realistic demo marketplace (``marketplace demo``): each area seeds itself through its own operations.

Seeding is idempotent: every area finds what it made by natural keys (e-mail, SIRET,
mission title) and completes only what is missing, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Application, Mission
from marketplace.services.accounts import seed as accounts
from marketplace.services.billing import seed as billing
from marketplace.services.contracts import seed as contracts
from marketplace.services.messaging import seed as messaging
from marketplace.services.missions import seed as missions
from marketplace.services.payments import seed as payments
from marketplace.services.privacy import seed as privacy
from marketplace.services.profiles import seed as profiles
from marketplace.services.timesheets import seed as timesheets
from marketplace.services.vetting import seed as vetting


@dataclass
class Summary:
    companies: int = 0
    freelancers: int = 0
    missions: int = 0
    applications: int = 0

    def __str__(self) -> str:
        return (
            f"{self.companies} entreprises, {self.freelancers} office managers, "
            f"{self.missions} missions, {self.applications} candidatures"
        )


def seed(session: Session) -> Summary:
    """Seed (or complete) the demo marketplace, area by area; returns what it holds."""
    people = accounts.seed(session)
    freelancers = profiles.seed(session)
    vetting.seed(session, people.admin, freelancers)
    demo_missions = missions.seed(session, people.companies, freelancers)
    demo_contracts = contracts.seed(session, demo_missions.hires)
    messaging.seed(session, demo_contracts)
    timesheets.seed(session, demo_contracts)
    billing.seed(session, demo_contracts)
    payments.seed(session, people.admin)
    privacy.seed(session)
    session.flush()

    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model))

    return Summary(count(Company), count(FreelancerProfile), count(Mission), count(Application))
