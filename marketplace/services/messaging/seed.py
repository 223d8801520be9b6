"""Demo messages, posted through the operations with a past clock.

* on the « pme » contract (pme@demo.test and om@demo.test), a conversation begun on the
  application before the acceptance and continued with the contract; the company's last
  message is unread by the freelancer;
* on an open application to pme@demo.test's published mission, a freelancer's question the
  company has not read yet.

A rerun finds the threads already written and leaves them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today
from marketplace.formatting import PARIS
from marketplace.models.contracts import Contract
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.models.users import CompanyRole
from marketplace.services.messaging import threads


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(today() - timedelta(days=days_ago), time(hour, minute), PARIS)


def seed(session: Session, contracts: dict[str, Contract]) -> int:
    """Post the demo's messages (idempotent); how many were posted."""
    posted = 0
    contract = contracts.get("pme")
    if contract is not None and threads.for_contract(session, contract) is None:
        owner = _owner(contract.company)
        freelancer = contract.freelancer.user
        if owner is not None:
            conversation = (
                (owner, 100, 9, "Bonjour,\nMerci pour votre candidature. Avant de décider : pourriez-vous démarrer "
                                "début du mois prochain, et êtes-vous à l'aise avec Pennylane pour les notes de frais ?"),
                (freelancer, 100, 11, "Bonjour,\nOui pour le démarrage. Pennylane : je l'utilise chez deux clients, "
                                      "y compris pour la pré-comptabilité.\nJe peux passer une demi-journée sur place "
                                      "la première semaine pour faire le tour des sujets."),
                (owner, 2, 16, f"Bonjour {freelancer.first_name},\nPouvez-vous préparer pour jeudi la liste des fournisseurs à "
                               "renégocier ? Nous en parlerons au point hebdomadaire.\nMerci !"),
            )
            for author, days_ago, hour, body in conversation:
                threads.post_on_contract(session, contract, author, body, now=_at(days_ago, hour))
                posted += 1
    application = _open_application(session, contracts)
    if application is not None and threads.for_application(session, application) is None:
        threads.post_on_application(
            session, application, application.freelancer.user,
            "Bonjour,\nLe périmètre mentionne la gestion des registres de sécurité : s'agit-il de les créer ou de "
            "les tenir à jour ? Je suis disponible pour en parler cette semaine.", now=_at(1, 10, 30))
        posted += 1
    session.flush()
    return posted


def _owner(company):
    return next((u for u in company.members if u.active and u.company_role == CompanyRole.OWNER.value), None)


def _open_application(session: Session, contracts: dict[str, Contract]) -> Application | None:
    """An open application to the published mission of pme@demo.test's company."""
    contract = contracts.get("pme")
    if contract is None:
        return None
    return session.scalar(
        select(Application).join(Application.mission)
        .where(Mission.company_id == contract.company_id, Mission.status == MissionStatus.PUBLISHED.value,
               Application.status.in_([ApplicationStatus.APPLIED.value, ApplicationStatus.SHORTLISTED.value]))
        .order_by(Application.id).limit(1))
