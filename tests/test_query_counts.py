"""Key pages run a fixed handful of SQL statements, whatever the amount of data behind them.

Each page is rendered on a small world and on one with several times more missions,
applicants, applications, contracts, CRAs and invoices; the number of statements must
not grow (an N+1 query would) and stays under the page's ceiling.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import event

from marketplace.db import commit, today
from marketplace.models.missions import ApplicationStatus, MissionStatus
from marketplace.services.billing import issuing
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ApplicationFactory,
    CompanyFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
    SubmittedProfileFactory,
    submit,
)

SMALL, LARGE = 2, 6
# The contracts ran the two months before this one (a CRA and an invoice each).
START = months.previous_month(months.previous_month(months.previous_month(months.month_start(today()))))


@dataclass
class World:
    owner: object
    om: object
    admin: object
    missions: list = field(default_factory=list)


def _tuesdays(month: date) -> list[date]:
    """The working Tuesdays of ``month`` (the contracts' days; public holidays left out)."""
    day, found = month, []
    while day.month == month.month:
        if day.weekday() == 1 and months.holiday_name(day) is None:
            found.append(day)
        day += timedelta(days=1)
    return found


def _billed(app, session, contract, owner) -> None:
    """The month before last approved and invoiced, last month sent and waiting for the SME."""
    last = months.previous_month(months.month_start(today()))
    before = months.previous_month(last)
    with app.app_context():
        sheet = reports.open_month(session, contract, before)
        reports.save(session, sheet, contract.freelancer.user, [Declared(d, 2) for d in _tuesdays(before)])
        reports.submit(session, sheet, contract.freelancer.user)
        reports.approve(session, sheet, owner)
        issued = issuing.issue_month(session, contract, before, today=today())
        assert issued.issued, issued.skipped
        sheet = reports.open_month(session, contract, last)
        reports.save(session, sheet, contract.freelancer.user, [Declared(_tuesdays(last)[0], 2)])
        reports.submit(session, sheet, contract.freelancer.user)
        commit(session)


def build_world(app, session, n: int) -> World:
    """``n`` of everything each key page lists, around one SME owner and one freelancer."""
    owner = SmeUserFactory(email=f"direction-{n}@pme.test")
    om = FreelancerProfileFactory(user__email=f"om-{n}@freelance.test", mobility_km=1000,
                                  available_slots=(1 << 10) - 1)  # every half-day free
    admin = AdminFactory(email=f"ops-{n}@om-partage.test")
    world = World(owner=owner, om=om, admin=admin)
    applicants = [FreelancerProfileFactory() for _ in range(n)]
    statuses = [ApplicationStatus.APPLIED, ApplicationStatus.SHORTLISTED, ApplicationStatus.INVITED]
    for i in range(n):
        mission = MissionFactory(company=owner.company, perimeter=[])
        world.missions.append(mission)
        ApplicationFactory(mission=mission, freelancer=om, status=statuses[i % len(statuses)].value)
        for j, applicant in enumerate(applicants):
            ApplicationFactory(mission=mission, freelancer=applicant, status=statuses[(i + j) % len(statuses)].value)
    # Freelancers who have not applied: the SME's recommendations.
    for _ in range(n):
        FreelancerProfileFactory()
    # Other companies' published missions the freelancer is offered, and some they cannot take (budget far
    # below their rate): « missions pour vous » lists both.
    for _ in range(n):
        MissionFactory(company=CompanyFactory())
        MissionFactory(company=CompanyFactory(), max_daily_rate_cents=20_000)
    MissionFactory(company=owner.company, status=MissionStatus.DRAFT.value, published_at=None)
    # Contracts: the SME with n freelancers, the freelancer with n companies; each with a CRA and an invoice.
    contracts = []
    for applicant in applicants:
        filled = MissionFactory(company=owner.company, status=MissionStatus.FILLED.value)
        contracts.append((ContractFactory(mission=filled, freelancer=applicant, start_date=START,
                                          booked=[]), owner))
    for _ in range(n):
        client = SmeUserFactory()
        filled = MissionFactory(company=client.company, status=MissionStatus.FILLED.value)
        contracts.append((ContractFactory(mission=filled, freelancer=om, start_date=START, booked=[]),
                          client))
    for contract, approver in contracts:
        _billed(app, session, contract, approver)
    # The vetting queue.
    with app.app_context():
        for _ in range(n):
            submit(SubmittedProfileFactory(status="draft", submitted_at=None))
        commit(session)
    return world


def statements_of(client, engine, session, url: str) -> tuple[list[str], str]:
    """The SQL statements run while serving ``url``, and the page (asked twice: the first warms the matcher)."""
    assert client.get(url).status_code == 200, url
    # The tests keep one session across requests; in production each request starts with an empty one.
    session.expunge_all()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return seen, response.get_data(as_text=True)


# page → (who, url built from the world, ceiling). The dashboards gather a dozen sections (profile,
# documents, applications, contracts, CRAs, invoices, payouts, suggestions): a query or two each.
PAGES = {
    "sme dashboard": ("owner", lambda w: "/entreprise/", 30),
    "sme missions": ("owner", lambda w: "/entreprise/missions", 10),
    "sme mission and recommendations": ("owner", lambda w: f"/entreprise/missions/{w.missions[0].id}", 16),
    "sme applications": ("owner", lambda w: f"/entreprise/missions/{w.missions[0].id}/candidatures", 16),
    "sme contracts": ("owner", lambda w: "/entreprise/contrats", 14),
    "sme cra": ("owner", lambda w: "/entreprise/cra", 14),
    "sme invoices": ("owner", lambda w: "/entreprise/factures", 10),
    "freelancer dashboard": ("om", lambda w: "/freelance/", 40),
    "missions for you": ("om", lambda w: "/freelance/missions", 16),
    "freelancer applications": ("om", lambda w: "/freelance/candidatures", 14),
    "freelancer contracts": ("om", lambda w: "/freelance/contrats", 14),
    "freelancer cra": ("om", lambda w: "/freelance/cra", 12),
    "freelancer invoices": ("om", lambda w: "/freelance/factures", 10),
    "vetting queue": ("admin", lambda w: "/admin/verification/", 10),
}


def counts(app, engine, db_session, n: int) -> dict[str, tuple[list[str], str]]:
    world = build_world(app, db_session, n)
    users = {"owner": world.owner.email, "om": world.om.user.email, "admin": world.admin.email}
    urls = {name: url(world) for name, (_who, url, _ceiling) in PAGES.items()}
    found = {}
    for who in ("owner", "om", "admin"):
        client = app.test_client()
        assert login(client, users[who], PASSWORD).status_code == 200
        for name, (role, url, _ceiling) in PAGES.items():
            if role == who:
                found[name] = statements_of(client, engine, db_session, urls[name])
    return found


def _short(statement: str) -> str:
    return " ".join(statement.split())[:300]


def grown(small: list[str], large: list[str]) -> str:
    """What the larger world ran more often than the smaller, most repeated first (where an N+1 shows)."""
    before, after = Counter(map(_short, small)), Counter(map(_short, large))
    return "\n".join(f"    {after[q] - before[q]:+} × {q}" for q, _k in after.most_common() if after[q] > before[q])


def items(page: str) -> int:
    """How many rows, cards and list entries a page shows."""
    return len(re.findall(r"<(?:tr|article|li)[\s>]", page))


def test_each_key_page_runs_the_same_handful_of_statements_with_three_times_the_data(app, engine, db_session):
    small = counts(app, engine, db_session, SMALL)
    # The larger world is added beside the first: public lists (missions, the vetting queue) hold both.
    large = counts(app, engine, db_session, LARGE)
    report = "\n".join(
        f"{name:35} {len(small[name][0]):>3} → {len(large[name][0]):>3} statements, "
        f"{items(small[name][1]):>3} → {items(large[name][1]):>3} items" for name in PAGES)
    # Each page does show more of the larger world (else the comparison would prove nothing).
    thin = [name for name in PAGES if items(large[name][1]) <= items(small[name][1])]
    assert not thin, f"the larger world shows no more on {thin}:\n{report}"
    grew = [name for name in PAGES if len(large[name][0]) > len(small[name][0])]
    details = "\n".join(f"{name}:\n{grown(small[name][0], large[name][0])}" for name in grew)
    assert not grew, f"statements grow with the data on {grew}:\n{report}\n{details}"
    over = [name for name, (_who, _url, ceiling) in PAGES.items() if len(large[name][0]) > ceiling]
    assert not over, f"over the ceiling on {over}:\n{report}"
