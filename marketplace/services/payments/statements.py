"""What the platform tells each seller and the tax office once a year: art. 242 bis CGI and DAC7.

Both read the same facts: each invoice collected for a freelancer is one payout row
(its TTC = what the freelancer is paid + the platform's fee), dated when the money was
received (a card or SEPA charge that succeeded, or the bank transfer's booking date),
in Paris time. A payout reversed with a returned debit does not count.

* :func:`make_yearly_statement` — the freelancer's yearly statement (art. 242 bis CGI):
  gross TTC collected, the platform's fees and the net paid out, month by month, as a
  paginated French PDF the freelancer can read; made once per freelancer and year.
* :func:`dac7_rows` / :func:`write_dac7_csv` — one row per seller paid in the year with
  their identity, IBAN, and per quarter the consideration (TTC minus fees), the fees
  and the number of activities (collected invoices).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TextIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import utcnow
from marketplace.formatting import PARIS, month_fr
from marketplace.models.documents import DocumentKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.payments import Payout, YearlyStatement
from marketplace.platform import mail, pdf, storage
from marketplace.platform.audit import record
from marketplace.platform.identifiers import format_iban
from marketplace.platform.links import external_url

# What the statement says (art. 242 bis CGI): gathered here so a lawyer reads them in one place.
STATEMENT_TITLE = _l("Relevé annuel des sommes perçues par l'intermédiaire de la plateforme")
STATEMENT_LEGAL_BASIS = _l("Document établi en application de l'article 242 bis du code général des impôts, "
                           "à conserver avec vos justificatifs.")
STATEMENT_NOTES = (
    _l("Montant brut : total TTC des factures émises en votre nom par la plateforme (mandat de facturation) et "
       "encaissées auprès de vos clients pendant l'année, à la date de l'encaissement."),
    _l("Frais de la plateforme : total TTC des factures de frais de la plateforme, déduits de chaque versement."),
    _l("Net : ce qui vous est versé (ou reste à vous verser) sur votre compte bancaire."),
    _l("Ces sommes sont des recettes de votre activité professionnelle : elles sont à déclarer à l'administration "
       "fiscale (impots.gouv.fr) et, pour un micro-entrepreneur, à l'Urssaf (autoentrepreneur.urssaf.fr), "
       "selon votre régime."),
    _l("La plateforme transmet chaque année ces informations à l'administration fiscale (directive européenne "
       "« DAC7 », article 1649 ter A et suivants du code général des impôts)."),
)

REVERSED = "reversed"


@dataclass(frozen=True)
class Collected:
    """One collected invoice of a freelancer: when the money came in, its TTC, the fee, the net."""

    payout: Payout
    day: date  # the day it was received, in Paris

    @property
    def gross_cents(self) -> int:
        return self.payout.amount_cents + self.payout.fee_cents

    @property
    def fee_cents(self) -> int:
        return self.payout.fee_cents

    @property
    def net_cents(self) -> int:
        return self.payout.amount_cents


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)


def collected(session: Session, year: int, freelancer_id: int | None = None) -> list[Collected]:
    """Every invoice collected in ``year`` (Paris time), for one freelancer or all, in order."""
    start, end = _year_bounds(year)
    query = (select(Payout).where(Payout.created_at >= start, Payout.created_at < end, Payout.status != REVERSED)
             .order_by(Payout.created_at, Payout.id))
    if freelancer_id is not None:
        query = query.where(Payout.freelancer_id == freelancer_id)
    return [Collected(p, p.created_at.astimezone(PARIS).date()) for p in session.scalars(query)]


# --- the yearly statement (art. 242 bis CGI) ---------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What one month (or quarter) of the year adds up to."""

    start: date
    count: int = 0
    gross_cents: int = 0
    fees_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.fees_cents

    @property
    def label(self) -> str:
        return month_fr(self.start)


@dataclass(frozen=True)
class YearTotals:
    year: int
    months: list[Period]
    items: list[Collected] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(m.count for m in self.months)

    @property
    def gross_cents(self) -> int:
        return sum(m.gross_cents for m in self.months)

    @property
    def fees_cents(self) -> int:
        return sum(m.fees_cents for m in self.months)

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.fees_cents


def yearly_totals(session: Session, freelancer_id: int, year: int) -> YearTotals:
    """A freelancer's year, month by month: collected invoices, gross TTC, fees, net."""
    items = collected(session, year, freelancer_id)
    by_month: dict[int, list[Collected]] = defaultdict(list)
    for item in items:
        by_month[item.day.month].append(item)
    months = [Period(date(year, m, 1), len(by_month[m]), sum(i.gross_cents for i in by_month[m]),
                     sum(i.fee_cents for i in by_month[m])) for m in range(1, 13)]
    return YearTotals(year, months, items)


def _css(name: str) -> str:
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, name)
    return source


def _seller_lines(profile: FreelancerProfile) -> list[str]:
    name = profile.business_name or profile.display_name
    lines = [name if name == profile.display_name else f"{profile.display_name} — {name}"]
    if profile.siret:
        lines.append(f"SIREN {profile.siret[:9]} — SIRET {profile.siret}")
    if profile.vat_number:
        lines.append(_l("TVA intracommunautaire %(number)s", number=profile.vat_number))
    address = " ".join(p for p in (profile.billing_address_line, profile.billing_postal_code, profile.billing_city) if p)
    if address:
        lines.append(address)
    if profile.iban:
        lines.append(_l("Compte de versement : %(iban)s", iban=masked_iban(profile.iban)))
    return lines


def _platform_lines() -> list[str]:
    config = current_app.config
    return [config["PLATFORM_LEGAL_NAME"], f"SIRET {config['PLATFORM_SIRET']}",
            f"{config['PLATFORM_ADDRESS_LINE']} {config['PLATFORM_POSTAL_CODE']} {config['PLATFORM_CITY']}"]


def masked_iban(iban: str) -> str:
    """« FR76 •••• •••• 1234 »: enough to recognize one's account on a document sent by e-mail."""
    compact = "".join(iban.split()).upper()
    return f"{compact[:4]} •••• •••• {compact[-4:]}" if len(compact) > 8 else compact


def render_statement_pdf(profile: FreelancerProfile, totals: YearTotals, now: datetime | None = None) -> bytes:
    """The statement as a paginated PDF in the freelancer's language: the months, then each collected invoice."""
    html = pdf.render_document_template(
        "payments/yearly_statement.html", locale=profile.user.locale or "fr", profile=profile, totals=totals, title=STATEMENT_TITLE,
        legal_basis=STATEMENT_LEGAL_BASIS, notes=STATEMENT_NOTES, seller_lines=_seller_lines(profile),
        platform_lines=_platform_lines(), platform=legal.PLATFORM_NAME, generated_at=now or utcnow(),
    )
    return pdf.html_to_pdf(html, stylesheet=_css("payments/yearly_statement.css"))


def find_statement(session: Session, freelancer_id: int, year: int) -> YearlyStatement | None:
    return session.scalar(select(YearlyStatement).where(YearlyStatement.freelancer_id == freelancer_id,
                                                        YearlyStatement.year == year))


def make_yearly_statement(session: Session, freelancer_id: int, year: int, now: datetime | None = None) -> YearlyStatement:
    """The freelancer's statement of ``year``: made, stored and sent once; a rerun returns the one made."""
    existing = find_statement(session, freelancer_id, year)
    if existing is not None:
        return existing
    now = now or utcnow()
    profile = session.get(FreelancerProfile, freelancer_id)
    if profile is None:
        raise LookupError(f"no freelancer profile {freelancer_id}")
    totals = yearly_totals(session, freelancer_id, year)
    content = render_statement_pdf(profile, totals, now)
    try:
        with session.begin_nested():
            document = storage.store_generated(
                session, kind=DocumentKind.OTHER, content=content, filename=f"releve-annuel-{year}.pdf",
                owner_id=profile.user_id, profile_id=profile.id)
            statement = YearlyStatement(freelancer_id=profile.id, year=year, document_id=document.id,
                                        gross_cents=totals.gross_cents, fees_cents=totals.fees_cents, created_at=now)
            session.add(statement)
            session.flush()
    except IntegrityError:  # made meanwhile by another run (the CLI beside the cron job)
        return find_statement(session, freelancer_id, year)
    record(session, None, "yearly_statement.issued", statement, at=now, details={
        "year": year, "gross_cents": totals.gross_cents, "fees_cents": totals.fees_cents, "count": totals.count,
        "document_id": document.id})
    mail.send(session, to=profile.user.email,
              subject=_l("Votre relevé annuel %(year)s (%(platform)s)", year=year, platform=legal.PLATFORM_NAME),
              template="payment_notice", user_id=profile.user_id, first_name=profile.user.first_name, lines=[
                  _l("Votre relevé des sommes perçues par l'intermédiaire de %(platform)s en %(year)s est "
                     "disponible : montants bruts encaissés, frais de la plateforme et net versé, mois par mois.",
                     platform=legal.PLATFORM_NAME, year=year),
                  _l("Il est établi en application de l'article 242 bis du code général des impôts : conservez-le "
                     "pour vos déclarations."),
              ], url=external_url("public.document_file", document_id=document.id), action=_l("Télécharger le relevé"))
    return statement


def paid_freelancer_ids(session: Session, year: int) -> list[int]:
    """The freelancers who were paid through the platform in ``year``."""
    return sorted({c.payout.freelancer_id for c in collected(session, year)})


def yearly_statements(session: Session, year: int, now: datetime | None = None) -> list[YearlyStatement]:
    """The statement of ``year`` for every freelancer paid that year (those already made are kept)."""
    return [make_yearly_statement(session, profile_id, year, now) for profile_id in paid_freelancer_ids(session, year)]


# --- DAC7 --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dac7Row:
    """One reportable seller of the year: identity, account, and per quarter what they received."""

    profile_id: int
    last_name: str
    first_name: str
    business_name: str
    siren: str
    siret: str
    vat_number: str
    address_line: str
    postal_code: str
    city: str
    country: str
    iban: str
    consideration_cents: tuple[int, int, int, int]  # paid or credited to the seller: TTC minus the fees
    fees_cents: tuple[int, int, int, int]
    activities: tuple[int, int, int, int]

    @property
    def total_consideration_cents(self) -> int:
        return sum(self.consideration_cents)

    @property
    def total_fees_cents(self) -> int:
        return sum(self.fees_cents)

    @property
    def total_activities(self) -> int:
        return sum(self.activities)


def dac7_rows(session: Session, year: int) -> list[Dac7Row]:
    """One row per seller paid in ``year``, quarters by payment date (Paris time)."""
    by_seller: dict[int, list[Collected]] = defaultdict(list)
    for item in collected(session, year):
        by_seller[item.payout.freelancer_id].append(item)
    rows = []
    for profile_id in sorted(by_seller):
        profile = session.get(FreelancerProfile, profile_id)
        consideration, fees, activities = [0] * 4, [0] * 4, [0] * 4
        for item in by_seller[profile_id]:
            quarter = (item.day.month - 1) // 3
            consideration[quarter] += item.net_cents
            fees[quarter] += item.fee_cents
            activities[quarter] += 1
        rows.append(Dac7Row(
            profile_id=profile.id, last_name=profile.user.last_name, first_name=profile.user.first_name,
            business_name=profile.business_name or "", siren=(profile.siret or "")[:9], siret=profile.siret or "",
            vat_number=profile.vat_number or "", address_line=profile.billing_address_line,
            postal_code=profile.billing_postal_code, city=profile.billing_city, country="FR",
            iban=format_iban(profile.iban).replace(" ", "") if profile.iban else "",
            consideration_cents=tuple(consideration), fees_cents=tuple(fees), activities=tuple(activities),
        ))
    return rows


DAC7_COLUMNS = (
    "Identifiant vendeur", "Nom", "Prénom", "Raison sociale", "SIREN", "SIRET", "Numéro de TVA", "Adresse",
    "Code postal", "Ville", "Pays", "IBAN",
    "Contrepartie T1", "Contrepartie T2", "Contrepartie T3", "Contrepartie T4", "Contrepartie totale",
    "Frais T1", "Frais T2", "Frais T3", "Frais T4", "Frais totaux",
    "Activités T1", "Activités T2", "Activités T3", "Activités T4", "Activités totales",
)


def _euros_csv(cents: int) -> str:
    """« 1234,56 »: a French decimal comma, no thousands separator (spreadsheets read it as a number)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"


def _text_csv(value: str) -> str:
    """A seller's text as a cell no spreadsheet takes for a formula (« =HYPERLINK(…) » typed as a name)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_dac7_csv(session: Session, year: int, stream: TextIO) -> int:
    """Write the year's DAC7 rows as a semicolon-separated CSV (French decimal commas); the number of sellers."""
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(DAC7_COLUMNS)
    rows = dac7_rows(session, year)
    for row in rows:
        writer.writerow([
            row.profile_id, *[_text_csv(v) for v in (
                row.last_name, row.first_name, row.business_name, row.siren, row.siret, row.vat_number,
                row.address_line, row.postal_code, row.city, row.country, row.iban)],
            *[_euros_csv(c) for c in row.consideration_cents], _euros_csv(row.total_consideration_cents),
            *[_euros_csv(c) for c in row.fees_cents], _euros_csv(row.total_fees_cents),
            *row.activities, row.total_activities,
        ])
    return len(rows)
