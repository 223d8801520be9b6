"""Monthly activity reports (CRA): the days a freelancer worked under a contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check
from marketplace.domain import N_, StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.contracts import Contract


class TimesheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISPUTED = "disputed"


TIMESHEET_STATUS_LABELS = {
    TimesheetStatus.DRAFT: N_("Brouillon"),
    TimesheetStatus.SUBMITTED: N_("À valider"),
    TimesheetStatus.APPROVED: N_("Validé"),
    TimesheetStatus.DISPUTED: N_("Contesté"),
}


class Timesheet(Timestamps, Base):
    """One month of one contract: the dates worked, sent, then approved (or disputed) by the SME.

    A correction after approval replaces it by a new version (the old one keeps
    ``replaced_at``); one live version per contract and month.
    """

    __tablename__ = "timesheets"
    __table_args__ = (
        enum_check("status", TimesheetStatus),
        UniqueConstraint("contract_id", "month", "version"),
        Index("uq_timesheets_live_contract_month", "contract_id", "month", unique=True,
              sqlite_where=text("replaced_at IS NULL"), postgresql_where=text("replaced_at IS NULL")),
        CheckConstraint("total_half_days >= 0", name="total_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    month: Mapped[date]  # first day of the month
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default=TimesheetStatus.DRAFT.value, index=True)
    total_half_days: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    auto_approved: Mapped[bool] = mapped_column(default=False)
    disputed_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime | None]
    correction_reason: Mapped[str | None] = mapped_column(Text)  # why this version replaced the previous one

    contract: Mapped["Contract"] = relationship()
    entries: Mapped[list["TimesheetEntry"]] = relationship(
        back_populates="timesheet", cascade="all, delete-orphan", order_by="TimesheetEntry.day"
    )

    @property
    def status_label(self) -> str:
        return TIMESHEET_STATUS_LABELS[TimesheetStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        from marketplace.models.contracts import Contract

        return cls.contract.has(Contract.company_id == company_id)

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        from marketplace.models.contracts import Contract

        return cls.contract.has(Contract.freelancer_id == profile_id)


class TimesheetEntry(Base):
    """One date worked: a full day (2 half days) or a half day."""

    __tablename__ = "timesheet_entries"
    __table_args__ = (
        UniqueConstraint("timesheet_id", "day"),
        CheckConstraint("half_days IN (1, 2)", name="half_days_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timesheet_id: Mapped[int] = mapped_column(ForeignKey("timesheets.id", ondelete="CASCADE"))
    day: Mapped[date]
    half_days: Mapped[int] = mapped_column(default=2)
    note: Mapped[str] = mapped_column(String(255), default="")

    timesheet: Mapped[Timesheet] = relationship(back_populates="entries")
