"""Accounts: every person who logs in, whatever their role."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.db import Base, enum_check
from marketplace.domain import Role, StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.freelancers import FreelancerProfile


_DUMMY_HASHES: dict[str, str] = {}


def spend_password_check(password: str) -> None:
    """Verify ``password`` against a throwaway hash: an unknown e-mail costs as long as a known one."""
    dummy = _DUMMY_HASHES.get(PASSWORD_HASH_METHOD)
    if dummy is None:
        dummy = _DUMMY_HASHES[PASSWORD_HASH_METHOD] = generate_password_hash(
            secrets.token_hex(16), method=PASSWORD_HASH_METHOD)
    check_password_hash(dummy, password)


class CompanyRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


# Werkzeug's default (scrypt). The test suite lowers the cost to stay fast.
PASSWORD_HASH_METHOD = "scrypt"


def _new_nonce() -> str:
    return secrets.token_hex(8)


class User(UserMixin, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role),
        enum_check("company_role", CompanyRole),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(30))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    # Changing the nonce (password change, reset) logs out every session and
    # invalidates "remember me" cookies, which carry it through get_id().
    login_nonce: Mapped[str] = mapped_column(String(16), default=_new_nonce)
    last_login_at: Mapped[datetime | None]
    # Set when the account's personal data was erased (services/privacy): it never logs in again.
    erased_at: Mapped[datetime | None]
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    company_role: Mapped[str | None] = mapped_column(String(10))

    company: Mapped["Company | None"] = relationship(back_populates="members")
    freelancer_profile: Mapped["FreelancerProfile | None"] = relationship(back_populates="user", uselist=False)

    def set_password(self, password: str) -> None:
        """Hash and store a new password, ending every existing session."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session and "remember me" cookie of this account."""
        self.login_nonce = _new_nonce()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.login_nonce}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_sme(self) -> bool:
        return self.role == Role.SME

    @property
    def is_freelancer(self) -> bool:
        return self.role == Role.FREELANCER

    @property
    def is_company_owner(self) -> bool:
        return self.is_sme and self.company_role == CompanyRole.OWNER

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
