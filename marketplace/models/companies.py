"""SMEs: the companies that post missions, and the invitations of their team."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.missions import Mission
    from marketplace.models.users import User


class Company(Timestamps, Base):
    __tablename__ = "companies"
    __table_args__ = (CheckConstraint("headcount >= 1", name="headcount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9), index=True)
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    vat_number: Mapped[str | None] = mapped_column(String(20))
    naf_code: Mapped[str | None] = mapped_column(String(6))
    sector: Mapped[str] = mapped_column(String(40))
    headcount: Mapped[int]
    address_line: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    billing_email: Mapped[str | None] = mapped_column(String(254))
    billing_contact_name: Mapped[str | None] = mapped_column(String(160))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list["User"]] = relationship(back_populates="company")
    missions: Mapped[list["Mission"]] = relationship(back_populates="company")

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.legal_name}>"


class TeamInvitation(Timestamps, Base):
    """An SME owner's invitation of a colleague, accepted through a token link."""

    __tablename__ = "team_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    invited_by: Mapped["User"] = relationship(foreign_keys=[invited_by_id])

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id
