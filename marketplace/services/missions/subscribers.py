"""The missions area's reactions to domain events."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.models.contracts import ContractStatus
from marketplace.models.missions import Application, ApplicationStatus
from marketplace.platform import events, mail
from marketplace.platform.links import external_url
from marketplace.services.missions.hiring import rhythm, sme_recipients


@events.application_status_changed.connect
def _tell_the_company_about_an_application(
    session: Session, application: Application, old: str | None, new: str, **_: object
) -> None:
    """A new application (or an answer to an invitation) reaches the company's owners at once."""
    if new != ApplicationStatus.APPLIED.value:
        return
    mission, profile = application.mission, application.freelancer
    for person in sme_recipients(mission, None):
        mail.send(
            session, to=person.email, template="sme_new_application", user_id=person.id,
            subject=_l("Nouvelle candidature pour « %(title)s »", title=mission.title),
            person=person, mission=mission, application=application, freelancer=profile,
            answered_invitation=old == ApplicationStatus.INVITED.value,
            rhythm=rhythm(mission, application.offered_weekdays),
            url=external_url("sme.application", application_id=application.id),
        )


@events.contract_status_changed.connect
def _reopen_the_choice_when_a_contract_is_abandoned(
    session: Session, contract, old: str, new: str, party: str | None = None, **_: object
) -> None:
    """A contract abandoned before signature frees the mission's choice: the SME may accept someone else."""
    if new != ContractStatus.CANCELLED.value or contract.application is None:
        return
    application = contract.application
    if application.status == ApplicationStatus.ACCEPTED.value:
        application.status = (ApplicationStatus.WITHDRAWN if party == "freelancer" else ApplicationStatus.DECLINED).value
        application.sme_message = contract.end_reason
        session.flush()
