"""The domain model, one module per domain; importing this registers every table."""

from marketplace.models.audit import AuditLog
from marketplace.models.billing import BillingRun, Invoice, InvoiceLine, InvoiceSeries
from marketplace.models.companies import Company, TeamInvitation
from marketplace.models.contracts import (
    Contract,
    ContractBooking,
    ContractSignature,
    ContractVersion,
)
from marketplace.models.documents import Document
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile, Reference
from marketplace.models.matching import MatcherModel, MatcherSnapshot
from marketplace.models.messaging import Message, MessageThread, ThreadReader
from marketplace.models.missions import (
    Application,
    Mission,
    MissionVersion,
    PerimeterLine,
)
from marketplace.models.outbox import JobIntent, OutboundEmail
from marketplace.models.payments import Payment, Payout
from marketplace.models.privacy import AccountClosure, DataExport, RetentionRecord
from marketplace.models.timesheets import Timesheet, TimesheetEntry
from marketplace.models.users import User
from marketplace.models.vetting import ReferenceRequest, VettingCheck

__all__ = [
    "AccountClosure", "DataExport", "RetentionRecord",
    "Application", "AuditLog", "BillingRun", "Company", "Contract", "ContractBooking",
    "ContractSignature", "ContractVersion", "Document", "ExperienceEntry", "FreelancerProfile",
    "Invoice", "InvoiceLine", "InvoiceSeries", "JobIntent", "MatcherModel", "MatcherSnapshot", "Mission", "MissionVersion", "OutboundEmail",
    "Payment", "Payout", "PerimeterLine", "Reference", "ReferenceRequest", "TeamInvitation",
    "Timesheet", "TimesheetEntry", "User", "VettingCheck",
    "Message", "MessageThread", "ThreadReader",
]
