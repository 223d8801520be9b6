"""Uploaded and generated files, stored outside the web root under random names."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check
from marketplace.domain import N_, StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.users import User


class DocumentKind(StrEnum):
    URSSAF_CERTIFICATE = "urssaf_certificate"
    REGISTRATION_PROOF = "registration_proof"
    INSURANCE = "insurance"
    IDENTITY = "identity"
    CONTRACT_PDF = "contract_pdf"
    INVOICE_PDF = "invoice_pdf"
    OTHER = "other"


DOCUMENT_KIND_LABELS = {
    DocumentKind.URSSAF_CERTIFICATE: N_("Attestation de vigilance URSSAF"),
    DocumentKind.REGISTRATION_PROOF: N_("Justificatif d'immatriculation (Kbis, RNE, avis INSEE)"),
    DocumentKind.INSURANCE: N_("Attestation d'assurance responsabilité civile professionnelle"),
    DocumentKind.IDENTITY: N_("Pièce d'identité"),
    DocumentKind.CONTRACT_PDF: N_("Contrat"),
    DocumentKind.INVOICE_PDF: N_("Facture"),
    DocumentKind.OTHER: N_("Autre document"),
}


class Document(Timestamps, Base):
    __tablename__ = "documents"
    __table_args__ = (
        enum_check("kind", DocumentKind),
        CheckConstraint("size_bytes >= 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # RESTRICT: contract and invoice PDFs carry the profile and must outlive it (privacy erasure deletes the rest).
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    # Set on documents an SME may read (its contracts, the invoices it receives).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))  # sniffed from the bytes, never from the name
    size_bytes: Mapped[int]
    # Content hash, computed at upload: the vetting flags one file reused for several documents or profiles.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    security_code: Mapped[str | None] = mapped_column(String(40))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verification_note: Mapped[str | None] = mapped_column(Text)
    # Smallest expiry notice already e-mailed (30, 7 days ahead; 0 once expired): one e-mail per stage.
    expiry_notice_days: Mapped[int | None]
    # A newer upload of the same kind supersedes this one; it is kept for the record.
    superseded_at: Mapped[datetime | None]

    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])

    @property
    def kind_label(self) -> str:
        return DOCUMENT_KIND_LABELS[DocumentKind(self.kind)]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.profile_id == profile_id
