"""VAT franchise (art. 293 B du CGI): a freelancer's turnover of the year against 37 500 € and 41 250 €.

The year-to-date turnover is the HT of the invoices issued in the freelancer's name this
calendar year (credit notes deducted) plus the turnover they declared off the platform.
Past 41 250 €, VAT is due from the invoice that crosses it: the billing run then issues
no franchise invoice for that freelancer, and stops with a reason until a VAT number is on
file; with one, it invoices at 20 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.domain import VatRegime
from marketplace.formatting import euros
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.contracts import Contract
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.timesheets import Timesheet, TimesheetStatus

# Warn when the next month at the current pace would cross a threshold.
WARNING_LEVELS = ("ok", "approaching", "above_base", "crossed")


def turnover_cents(session: Session, profile_id: int, year: int) -> int:
    """HT invoiced in the freelancer's name during ``year``, credit notes deducted."""
    signed = case((Invoice.kind == InvoiceKind.CREDIT_NOTE.value, -Invoice.total_ht_cents), else_=Invoice.total_ht_cents)
    return session.scalar(select(func.coalesce(func.sum(signed), 0)).where(
        Invoice.freelancer_id == profile_id, Invoice.issuer_kind == IssuerKind.FREELANCER.value,
        Invoice.issue_date >= date(year, 1, 1), Invoice.issue_date <= date(year, 12, 31),
    )) or 0


@dataclass(frozen=True)
class FranchiseStatus:
    """Where a freelancer stands against the thresholds this year (their dashboard shows it)."""

    in_franchise: bool
    year: int
    on_platform_cents: int
    off_platform_cents: int
    pending_cents: int  # approved CRAs not invoiced yet
    monthly_pace_cents: int  # the average month invoiced so far this year

    @property
    def total_cents(self) -> int:
        return self.on_platform_cents + self.off_platform_cents

    @property
    def projected_cents(self) -> int:
        return self.total_cents + max(self.pending_cents, self.monthly_pace_cents)

    @property
    def level(self) -> str:
        if self.total_cents > legal.FRANCHISE_MAJOR_THRESHOLD_CENTS:
            return "crossed"
        if self.projected_cents > legal.FRANCHISE_MAJOR_THRESHOLD_CENTS:
            return "approaching"
        if self.total_cents > legal.FRANCHISE_THRESHOLD_CENTS:
            return "above_base"
        return "ok"

    @property
    def message(self) -> str:
        base, major = euros(legal.FRANCHISE_THRESHOLD_CENTS), euros(legal.FRANCHISE_MAJOR_THRESHOLD_CENTS)
        if not self.in_franchise:
            return "Vous êtes redevable de la TVA : vos factures portent 20 % de TVA."
        if self.level == "crossed":
            return (f"Votre chiffre d'affaires {self.year} ({euros(self.total_cents)}) dépasse {major} : la TVA est due "
                    "depuis la facture qui a franchi le seuil. Renseignez votre numéro de TVA dans votre profil ; "
                    "vos prochaines factures porteront 20 % de TVA.")
        if self.level == "approaching":
            return (f"Au rythme actuel, vos prochaines factures dépasseront {major} cette année : la TVA sera due dès "
                    "la facture qui franchit le seuil. Demandez votre numéro de TVA dès maintenant.")
        if self.level == "above_base":
            return (f"Vous avez dépassé {base} : la franchise s'applique encore cette année tant que vous restez sous "
                    f"{major}, mais plus l'an prochain.")
        return f"Franchise en base de TVA : {euros(self.total_cents)} sur {base} cette année."


def status(session: Session, profile: FreelancerProfile, today: date) -> FranchiseStatus:
    on_platform = turnover_cents(session, profile.id, today.year)
    months_elapsed = max(1, today.month - 1)
    pending = _approved_not_invoiced_cents(session, profile)
    return FranchiseStatus(
        in_franchise=profile.vat_regime == VatRegime.FRANCHISE.value,
        year=today.year, on_platform_cents=on_platform, off_platform_cents=profile.off_platform_turnover_cents or 0,
        pending_cents=pending, monthly_pace_cents=on_platform // months_elapsed,
    )


def _approved_not_invoiced_cents(session: Session, profile: FreelancerProfile) -> int:
    rows = session.execute(
        select(Timesheet.total_half_days, Contract.daily_rate_cents)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.freelancer_id == profile.id, Timesheet.status == TimesheetStatus.APPROVED.value,
               Timesheet.replaced_at.is_(None),
               ~select(Invoice.id).where(Invoice.timesheet_id == Timesheet.id,
                                         Invoice.kind == InvoiceKind.INVOICE.value,
                                         Invoice.status != "cancelled").exists())
    ).all()
    return sum(half_days * rate // 2 for half_days, rate in rows)


@dataclass(frozen=True)
class VatDecision:
    """How the next invoice of ``amount_cents`` HT is taxed, or why it cannot be issued."""

    taxed: bool
    refused: str | None = None


def decide(session: Session, profile: FreelancerProfile, amount_cents: int, issue_date: date) -> VatDecision:
    if profile.vat_regime != VatRegime.FRANCHISE.value:
        if not profile.vat_number:
            return VatDecision(True, refused="Freelance redevable de la TVA sans numéro de TVA intracommunautaire : "
                                             "il doit le renseigner dans son profil.")
        return VatDecision(True)
    so_far = turnover_cents(session, profile.id, issue_date.year) + (profile.off_platform_turnover_cents or 0)
    if so_far + amount_cents <= legal.FRANCHISE_MAJOR_THRESHOLD_CENTS:
        return VatDecision(False)
    if profile.vat_number:
        return VatDecision(True)  # the invoice that crosses 41 250 € is taxable, and those after it
    return VatDecision(True, refused=(
        f"Seuil de la franchise en base dépassé ({euros(so_far + amount_cents)} sur "
        f"{euros(legal.FRANCHISE_MAJOR_THRESHOLD_CENTS)} en {issue_date.year}) : la TVA est due et le freelance doit "
        "renseigner son numéro de TVA avant toute nouvelle facture."))
