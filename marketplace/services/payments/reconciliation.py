"""Bank transfers, read from the platform's bank statements and matched to the invoices they pay.

An operator (or ``marketplace payments import-statement``) imports the bank's statement:
a French CSV export (semicolons, ``dd/mm/yyyy`` dates, decimal commas) or an ISO 20022
CAMT.053 file. Only booked credits become lines (debits and zero lines are skipped).

Nothing is imported twice: a file already imported (same SHA-256) changes nothing, and
each line carries a fingerprint (the bank's own reference, else a hash of its date,
amount, label and reference) under a unique constraint, so the same entry seen in two
overlapping statements is one line. Each line is matched by the invoice numbers its
reference or label names and its amount (what is still due on them): a match records
the transfer (:func:`collecting.record_transfer`); anything else is left « unmatched »
with the reason, for an operator's decision (:func:`decide`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import PARIS, date_fr, money
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.payments import BankLine, BankStatement
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.platform.storage import clean_name, read_bounded
from marketplace.services.payments import collecting

# A month of a busy account is a few hundred kilobytes: larger files are refused before parsing.
MAX_STATEMENT_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 20_000
MAX_NOTE = 2_000
MAX_LABEL = 1_000
MAX_REFERENCE = 255  # BankLine.reference
# The freelancer series (F00012-2026-00007), as banks print it: separators dropped or changed.
INVOICE_NUMBER = re.compile(r"(?<![0-9])F\s?(\d{5})[\s\-_/.]?(20\d{2})[\s\-_/.]?(\d{5})(?![0-9])", re.IGNORECASE)
PLATFORM_NUMBER = re.compile(r"(?<![A-Z0-9])OMP[\s\-_/.]?(20\d{2})[\s\-_/.]?(\d{6})(?![0-9])", re.IGNORECASE)
CAMT053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]$")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One entry of a statement as the bank wrote it (``amount_cents`` < 0 for a debit)."""

    booking_date: date
    amount_cents: int
    label: str = ""
    reference: str = ""
    bank_ref: str = ""  # the bank's own identifier of the entry (AcctSvcrRef, « Référence opération »)
    currency: str = "EUR"


# --- reading the file ---------------------------------------------------------------------------------


def read_upload(stream: BinaryIO) -> bytes:
    """An uploaded statement, refused beyond :data:`MAX_STATEMENT_BYTES` before it fills memory."""
    return read_bounded(stream, MAX_STATEMENT_BYTES)


def sniff(content: bytes) -> str | None:
    """``"camt053"`` for XML, ``"csv"`` for text with semicolon-separated rows, None otherwise (never by name)."""
    head = _strip_bom(content)[:4096].lstrip()
    if head.startswith(b"<"):
        return "camt053"
    try:
        text = _decode(content)
    except DomainError:
        return None
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    if lines and any(";" in line or "\t" in line for line in lines):
        return "csv"
    return None


def parse(content: bytes) -> tuple[str, list[Entry]]:
    """The statement's format and entries; DomainError (on the ``file`` field) when it cannot be read."""
    if not content.strip():
        raise DomainError(_l("Le fichier est vide."), "file")
    if len(content) > MAX_STATEMENT_BYTES:
        raise DomainError(_l("Le relevé dépasse %(value)s Mo.", value=MAX_STATEMENT_BYTES // (1024 * 1024)), "file")
    kind = sniff(content)
    if kind == "camt053":
        return kind, parse_camt053(content)
    if kind == "csv":
        return kind, parse_csv(content)
    raise DomainError(_l("Format non reconnu : envoyez l'export CSV de la banque (séparé par des points-virgules) "
                      "ou un relevé CAMT.053 (XML). Le contenu du fichier est vérifié, pas son extension."), "file")


def _strip_bom(content: bytes) -> bytes:
    return content[len(codecs.BOM_UTF8):] if content.startswith(codecs.BOM_UTF8) else content


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        content, encodings = _strip_bom(content), ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break  # binary data that happens to decode
        return text
    raise DomainError(_l("Ce fichier n'est pas un texte lisible (UTF-8 ou Windows-1252) : est-ce bien l'export CSV ?"),
                      "file")


def _clean(value: str | None, limit: int) -> str:
    return _SPACES.sub(" ", _CONTROL.sub("", value or "")).strip()[:limit]


def parse_amount(text: str) -> int | None:
    """« 1 234,56 », « -12,5 », « 1.234,56 € », « +80.00 » in cents; None when it is not an amount."""
    raw = re.sub(r"[\s\u00a0\u202f\u2009']|EUR|€", "", text or "", flags=re.IGNORECASE)
    if not raw:
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.endswith("-"):
        negative, raw = not negative, raw[:-1]
    if raw[:1] in ("+", "-"):
        negative, raw = negative != (raw[0] == "-"), raw[1:]
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")  # dots, if any, group thousands
    elif not re.fullmatch(r"\d+\.\d{1,2}", raw):
        raw = raw.replace(".", "")  # « 1.234 »: a thousands dot (amounts have two decimals at most)
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", raw):
        return None
    cents = int(Decimal(raw) * 100)
    return -cents if negative else cents


_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> date | None:
    """« 03/12/2026 » (also « 03-12-26 », « 2026-12-03 ») as a date; None otherwise."""
    try:
        if found := _DATE.match(text or ""):
            day, month, year = (int(part) for part in found.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if found := _ISO_DATE.match(text or ""):
            year, month, day = (int(part) for part in found.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


# --- CSV exports ---------------------------------------------------------------------------------------

# Normalized header names (no accents, lower case, words only), in order of preference.
_HEADERS: dict[str, tuple[str, ...]] = {
    "bank_ref": ("reference operation", "reference de l operation", "reference banque", "reference bancaire",
                 "numero d operation", "numero operation", "n operation", "n d operation", "no operation",
                 "id operation", "identifiant operation", "identifiant", "transaction id", "id transaction", "id"),
    "date": ("date operation", "date d operation", "date de l operation", "date comptable",
             "date de comptabilisation", "date compta", "date", "booking date", "date de valeur", "date valeur"),
    "label": ("libelle", "libelle operation", "libelle de l operation", "libelle simplifie", "libelle complet",
              "intitule", "description", "detail", "details", "nature de l operation", "operation", "label",
              "designation"),
    "reference": ("reference", "ref", "reference du virement", "reference virement", "reference client",
                  "reference de bout en bout", "motif", "communication", "informations complementaires",
                  "information complementaire", "libelle complementaire", "remittance information"),
    "amount": ("montant", "montant eur", "montant en eur", "montant en euros", "montant euros", "montant e",
               "amount", "somme"),
    "debit": ("debit", "debit eur", "debit euros", "debit en euros", "montant debit", "sortie", "sorties"),
    "credit": ("credit", "credit eur", "credit euros", "credit en euros", "montant credit", "entree", "entrees"),
}


def _normalize_header(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def _columns(header: list[str]) -> dict[str, int]:
    names = [_normalize_header(cell) for cell in header]
    found: dict[str, int] = {}
    for role, candidates in _HEADERS.items():
        for candidate in candidates:
            index = next((i for i, name in enumerate(names) if name == candidate and i not in found.values()), None)
            if index is not None:
                found[role] = index
                break
    if "date" not in found:  # « Date opé. », « Date de l'opération bancaire »…
        index = next((i for i, n in enumerate(names) if n.startswith("date") and "valeur" not in n), None)
        if index is not None:
            found["date"] = index
    if "label" not in found:
        index = next((i for i, n in enumerate(names) if n.startswith("libelle") and i not in found.values()), None)
        if index is not None:
            found["label"] = index
    return found


def _row_amount(amount: str, credit: str, debit: str) -> int | None:
    """A row's signed amount from one « Montant » column or from « Crédit » / « Débit » columns; 0 when blank."""
    if amount:
        return parse_amount(amount)
    credit_cents = parse_amount(credit) if credit else 0
    debit_cents = parse_amount(debit) if debit else 0
    if credit_cents is None or debit_cents is None:
        return None
    return abs(credit_cents) if credit_cents else -abs(debit_cents)


def parse_csv(content: bytes) -> list[Entry]:
    """The entries of a French bank's CSV export (a header row, possibly after a few lines about the account)."""
    text = _decode(content)
    sample = text.splitlines()[:40]
    delimiter = ";" if any(";" in line for line in sample) else "\t"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header_at, columns = None, {}
    for index, row in enumerate(rows[:40]):
        columns = _columns(row)
        if "date" in columns and ("amount" in columns or "credit" in columns):
            header_at = index
            break
    if header_at is None:
        raise DomainError(_l("En-tête introuvable : le fichier doit avoir une ligne d'en-tête avec une date, un libellé "
                          "et un montant (ou des colonnes Débit et Crédit)."), "file")

    def cell(row: list[str], role: str) -> str:
        index = columns.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    entries = []
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(value.strip() for value in row):
            continue
        day = parse_date(cell(row, "date"))
        if day is None:
            continue  # a balance or total line under the entries
        amount = _row_amount(cell(row, "amount"), cell(row, "credit"), cell(row, "debit"))
        if amount is None:
            shown = cell(row, "amount") or cell(row, "credit") or cell(row, "debit")
            raise DomainError(_l("Ligne %(number)s : montant illisible « %(clean)s ».", number=number, clean=_clean(shown, 40)), "file")
        entries.append(Entry(booking_date=day, amount_cents=amount, label=_clean(cell(row, "label"), MAX_LABEL),
                             reference=_clean(cell(row, "reference"), MAX_REFERENCE),
                             bank_ref=_clean(cell(row, "bank_ref"), 120)))
        if len(entries) > MAX_ENTRIES:
            raise DomainError(_l("Plus de %(MAX_ENTRIES)s opérations : découpez le relevé.", MAX_ENTRIES=MAX_ENTRIES), "file")
    if not entries:
        raise DomainError(_l("Aucune opération lue dans ce fichier : vérifiez qu'il s'agit du relevé des opérations."),
                          "file")
    return entries


# --- CAMT.053 -------------------------------------------------------------------------------------------


def _xml_root(content: bytes):
    """The parsed document, read without a DTD, entities or any network access."""
    from lxml import etree

    if _DTD.search(content):
        raise DomainError(_l("Fichier XML refusé : il déclare une DTD ou des entités, ce qu'aucun relevé bancaire "
                          "ne fait."), "file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise DomainError(_l("Fichier XML illisible : %(clean)s.", clean=_clean(str(exc), 200)), "file") from exc
    if root.getroottree().docinfo.doctype:
        raise DomainError(_l("Fichier XML refusé : il déclare une DTD."), "file")
    return root


def _decimal_cents(text: str | None) -> int | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    cents = value * 100
    if not value.is_finite() or cents != cents.to_integral_value() or abs(value) >= Decimal(10) ** 12:
        return None
    return int(cents)


def parse_camt053(content: bytes) -> list[Entry]:
    """The entries of an ISO 20022 « BkToCstmrStmt » (camt.053.001.02 to .08): booked entries only."""
    from lxml import etree

    root = _xml_root(content)
    qname = etree.QName(root)
    if qname.localname != "Document" or not CAMT053.match(qname.namespace or ""):
        raise DomainError(_l("Ce fichier XML n'est pas un relevé CAMT.053 (versions 001.02 à 001.08)."), "file")
    ns = {"c": qname.namespace}

    def text(node, path: str) -> str:
        return (node.findtext(path, default="", namespaces=ns) or "").strip()

    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise DomainError(_l("Ce relevé CAMT.053 ne contient aucun relevé de compte (Stmt)."), "file")
    entries: list[Entry] = []
    for statement in statements:
        for number, node in enumerate(statement.findall("c:Ntry", ns), start=1):
            status = text(node, "c:Sts/c:Cd") or text(node, "c:Sts")
            if status and status != "BOOK":
                continue  # pending or information only: it comes back booked in a later statement
            if text(node, "c:RvslInd").lower() in ("true", "1"):
                continue  # the reversal of an earlier entry, not a payment
            amount_node = node.find("c:Amt", ns)
            cents = _decimal_cents(amount_node.text if amount_node is not None else None)
            if cents is None:
                raise DomainError(_l("Écriture %(number)s : montant illisible.", number=number), "file")
            sign = 1 if text(node, "c:CdtDbtInd") == "CRDT" else -1
            day = parse_date(text(node, "c:BookgDt/c:Dt") or text(node, "c:BookgDt/c:DtTm")
                             or text(node, "c:ValDt/c:Dt") or text(node, "c:ValDt/c:DtTm"))
            if day is None:
                raise DomainError(_l("Écriture %(number)s : date de comptabilisation illisible.", number=number), "file")
            currency = (amount_node.get("Ccy") or "EUR").upper()
            bank_ref = text(node, "c:AcctSvcrRef") or text(node, "c:NtryRef")
            details = node.findall("c:NtryDtls/c:TxDtls", ns)
            own_amounts = [_decimal_cents(text(tx, "c:Amt") or text(tx, "c:AmtDtls/c:TxAmt/c:Amt")) for tx in details]
            if len(details) > 1 and all(a is not None for a in own_amounts):
                # A batch booked as one entry: each transfer is its own line (its own invoices).
                for index, (tx, tx_cents) in enumerate(zip(details, own_amounts), start=1):
                    tx_ref = text(tx, "c:Refs/c:AcctSvcrRef")
                    entries.append(_camt_entry(day, sign * tx_cents, currency, node, [tx], ns,
                                               tx_ref or (f"{bank_ref}/{index}" if bank_ref else "")))
            else:
                entries.append(_camt_entry(day, sign * cents, currency, node, details, ns, bank_ref))
            if len(entries) > MAX_ENTRIES:
                raise DomainError(_l("Plus de %(MAX_ENTRIES)s opérations : découpez le relevé.", MAX_ENTRIES=MAX_ENTRIES), "file")
    return entries


def _camt_entry(day: date, cents: int, currency: str, node, details: list, ns: dict, bank_ref: str) -> Entry:
    """One line of an entry: the remittance information (unstructured, or the creditor's reference) is
    the reference; the entry's note and the payer's name are the label."""

    def text(element, path: str) -> str:
        return (element.findtext(path, default="", namespaces=ns) or "").strip()

    references, payers, notes = [], [], [text(node, "c:AddtlNtryInf")]
    for tx in details:
        references += [(u.text or "").strip() for u in tx.findall("c:RmtInf/c:Ustrd", ns)]
        references += [(r.text or "").strip() for r in tx.findall("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)]
        end_to_end = text(tx, "c:Refs/c:EndToEndId")
        if end_to_end and end_to_end.upper() != "NOTPROVIDED":
            references.append(end_to_end)
        payers.append(text(tx, "c:RltdPties/c:Dbtr/c:Nm") or text(tx, "c:RltdPties/c:Dbtr/c:Pty/c:Nm"))
        notes.append(text(tx, "c:AddtlTxInf"))
    label = " — ".join(dict.fromkeys(p for p in [*notes, *payers] if p))
    reference = " ".join(dict.fromkeys(r for r in references if r))
    return Entry(booking_date=day, amount_cents=cents, label=_clean(label, MAX_LABEL),
                 reference=_clean(reference, MAX_REFERENCE), bank_ref=_clean(bank_ref, 120), currency=currency)


# --- importing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the statement, and how many lines matched, wait for a decision, or were skipped."""

    statement: BankStatement
    already_imported: bool = False
    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0  # entries an earlier statement already brought
    skipped: int = 0  # debits and zero lines

    @property
    def message(self) -> str:
        if self.already_imported:
            return gettext("Ce relevé a déjà été importé le %(date)s (« %(name)s ») : rien n'a changé.",
                           date=date_fr(self.statement.imported_at), name=self.statement.filename)
        parts = [ngettext("%(num)s virement rapproché", "%(num)s virements rapprochés", self.matched),
                 ngettext("%(num)s ligne à traiter", "%(num)s lignes à traiter", self.unmatched)]
        if self.duplicates:
            parts.append(ngettext("%(num)s déjà importée par un relevé précédent",
                                  "%(num)s déjà importées par un relevé précédent", self.duplicates))
        if self.skipped:
            parts.append(ngettext("%(num)s débit ou ligne à zéro ignoré", "%(num)s débits ou lignes à zéro ignorés",
                                  self.skipped))
        return gettext("Relevé « %(name)s » importé : %(parts)s.", name=self.statement.filename, parts=", ".join(parts))


def fingerprints(entries: list[Entry]) -> list[str]:
    """Each entry's fingerprint: the bank's reference, else a hash of what it shows.

    Two identical entries of one file (two transfers of the same amount, the same day,
    with the same label) stay two: the hash counts their occurrence, so an overlapping
    statement holding both gives the same two fingerprints again.
    """
    seen: Counter[tuple] = Counter()
    result = []
    for entry in entries:
        if entry.bank_ref:
            ref = entry.bank_ref
            result.append(ref if len(ref) <= 40 else hashlib.sha256(ref.encode()).hexdigest())
            continue
        key = (entry.booking_date.isoformat(), entry.amount_cents, entry.currency, entry.label, entry.reference)
        occurrence = seen[key]
        seen[key] += 1
        raw = "|".join(str(part) for part in (*key, occurrence))
        result.append(hashlib.sha256(raw.encode()).hexdigest())
    return result


def _check_operator(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN.value:
        raise DomainError(_l("Seule l'équipe de la plateforme importe les relevés bancaires."))


def import_statement(session: Session, filename: str, content: bytes, actor: User | None) -> ImportResult:
    """Import a statement (CSV or CAMT.053): new credits become lines, matched to invoices when they can be."""
    _check_operator(actor)
    if not content or not content.strip():
        raise DomainError(_l("Le fichier est vide."), "file")
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(select(BankStatement).where(BankStatement.sha256 == digest))
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    kind, entries = parse(content)
    statement = BankStatement(filename=clean_name(filename), format=kind, sha256=digest,
                              imported_by_id=actor.id if actor is not None else None, imported_at=utcnow())
    try:
        with session.begin_nested():
            session.add(statement)
            session.flush()
    except IntegrityError:  # the same file, imported at the same moment by someone else
        return ImportResult(session.scalar(select(BankStatement).where(BankStatement.sha256 == digest)),
                            already_imported=True)
    counts = Counter()
    for entry, fingerprint in zip(entries, fingerprints(entries)):
        if entry.amount_cents <= 0:
            counts["skipped"] += 1
            continue
        if session.scalar(select(BankLine.id).where(BankLine.fingerprint == fingerprint)) is not None:
            counts["duplicates"] += 1
            continue
        line = BankLine(statement_id=statement.id, fingerprint=fingerprint, booking_date=entry.booking_date,
                        amount_cents=entry.amount_cents, label=entry.label, reference=entry.reference,
                        status="unmatched")
        if entry.currency != "EUR":
            line.label = _clean(f"[{entry.currency}] {entry.label}", MAX_LABEL)
        try:
            with session.begin_nested():
                session.add(line)
                session.flush()
        except IntegrityError:  # an overlapping statement imported at the same moment
            counts["duplicates"] += 1
            continue
        counts[_match(session, line, actor, entry.currency)] += 1
    result = ImportResult(statement, matched=counts["matched"], unmatched=counts["unmatched"],
                          duplicates=counts["duplicates"], skipped=counts["skipped"])
    record(session, actor, "bank_statement.imported", statement, details={
        "filename": statement.filename, "format": kind, "sha256": digest, "matched": result.matched,
        "unmatched": result.unmatched, "duplicates": result.duplicates, "skipped": result.skipped})
    return result


def _received(day: date) -> datetime:
    """When a transfer booked on ``day`` was received (midday in Paris, never in the future)."""
    return min(datetime.combine(day, time(12), PARIS), utcnow())


def numbers_in(text: str) -> list[str]:
    """The freelancer invoice numbers ``text`` names, in order, each once, as printed (F00012-2026-00007)."""
    return list(dict.fromkeys(f"F{a}-{b}-{c}".upper() for a, b, c in INVOICE_NUMBER.findall(text or "")))


def _why_not(session: Session, line: BankLine, currency: str) -> tuple[list[Invoice], str | None]:
    """The invoices the line pays, or the reason (French) it cannot be matched automatically."""
    if currency != "EUR":
        return [], f"Crédit en {currency} : seuls les virements en euros sont rapprochés automatiquement."
    text = f"{line.reference} {line.label}"
    numbers = numbers_in(text)
    if not numbers:
        if PLATFORM_NUMBER.search(text):
            return [], ("La référence cite une facture de frais de la plateforme (OMP-…), réglée par compensation "
                        "sur le versement au freelance : aucune facture à payer n'est nommée.")
        return [], "Aucun numéro de facture (F00000-AAAA-00000) dans la référence ni dans le libellé."
    # Locked (PostgreSQL) until the commit: two lines paying the same invoice at once cannot both settle it.
    found = {i.number: i for i in session.scalars(
        select(Invoice).where(Invoice.number.in_(numbers), Invoice.issuer_kind == IssuerKind.FREELANCER.value)
        .order_by(Invoice.id).with_for_update().execution_options(populate_existing=True))}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        return [], ("Numéro de facture inconnu : " if len(unknown) == 1 else "Numéros de facture inconnus : ") + \
            ", ".join(unknown) + "."
    invoices = [found[n] for n in numbers]
    for invoice in invoices:
        problem = _not_payable(invoice)
        if problem:
            return [], problem
    if len({i.company_id for i in invoices}) != 1:
        return [], f"Les factures {', '.join(numbers)} sont adressées à des entreprises différentes."
    due = sum(i.total_ttc_cents - collecting.paid_cents(session, i) for i in invoices)
    if line.amount_cents != due:
        what = "la facture" if len(invoices) == 1 else "les factures"
        return [], (f"Montant différent : {money(line.amount_cents)} reçus, {money(due)} restant dus sur {what} "
                    f"{', '.join(numbers)}.")
    return invoices, None


def _not_payable(invoice: Invoice) -> str | None:
    if invoice.kind != InvoiceKind.INVOICE.value:
        return f"{invoice.number} est un avoir, pas une facture à payer."
    if invoice.status == InvoiceStatus.PAID.value:
        paid = f" (le {date_fr(invoice.paid_at)})" if invoice.paid_at else ""
        return f"La facture {invoice.number} est déjà payée{paid} : doublon ou trop-perçu à rembourser ?"
    if invoice.status == InvoiceStatus.CANCELLED.value:
        return f"La facture {invoice.number} est annulée par un avoir."
    if invoice.status == InvoiceStatus.REFUNDED.value:
        return f"La facture {invoice.number} a été payée puis remboursée."
    if invoice.status == InvoiceStatus.PROCESSING.value:
        return (f"Un prélèvement SEPA est en cours sur la facture {invoice.number} : vérifiez son issue avant de "
                "rapprocher ce virement.")
    return None


def _match(session: Session, line: BankLine, actor: User | None, currency: str = "EUR") -> str:
    """Settle the invoices the line names when its amount is what they still owe; else say why not."""
    invoices, reason = _why_not(session, line, currency)
    if reason is None:
        try:
            with session.begin_nested():
                collecting.record_transfer(session, invoices, line.amount_cents, line.reference or line.label,
                                           bank_line_id=line.id, actor=actor, received=_received(line.booking_date))
        except DomainError as exc:
            reason = exc.message
    numbers = [i.number for i in invoices]
    if reason is None:
        line.status, line.note = "matched", f"Rapprochée automatiquement de {', '.join(numbers)}."
    else:
        line.status, line.note = "unmatched", reason
    session.flush()
    record(session, actor, f"bank_line.{line.status}", line, reason=reason, details={
        "amount_cents": line.amount_cents, "booking_date": line.booking_date.isoformat(), "invoices": numbers,
        "statement_id": line.statement_id})
    return line.status


# --- the operator's decision -------------------------------------------------------------------------------


def decide(session: Session, line: BankLine, admin: User, invoice_ids: list[int] | None, note: str) -> BankLine:
    """An operator settles the given invoices with an unmatched line, or ignores it (a note says why)."""
    if admin is None or admin.role != Role.ADMIN.value:
        raise DomainError(_l("Seule l'équipe de la plateforme décide d'une ligne de relevé."))
    line = session.execute(select(BankLine).where(BankLine.id == line.id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    if line.status != "unmatched":
        raise DomainError(_l("Cette ligne a déjà été traitée."))
    note = _clean(note, MAX_NOTE + 1)
    if len(note) > MAX_NOTE:
        raise DomainError(_l("%(MAX_NOTE)s caractères au plus.", MAX_NOTE=MAX_NOTE), "note")
    numbers: list[str] = []
    if invoice_ids:
        ids = list(dict.fromkeys(invoice_ids))
        invoices = list(session.scalars(select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.id)
                                        .with_for_update().execution_options(populate_existing=True)))
        if len(invoices) != len(ids):
            raise DomainError(_l("Facture introuvable."), "numbers")
        for invoice in invoices:
            if invoice.issuer_kind != IssuerKind.FREELANCER.value:
                raise DomainError(_l("%(number)s est une facture de frais de la plateforme, réglée par compensation : choisissez la facture du freelance.", number=invoice.number), "numbers")
            if invoice.status == InvoiceStatus.PROCESSING.value:
                raise DomainError(_l("Un prélèvement SEPA est en cours sur la facture %(number)s : attendez son issue, puis ignorez ce virement (à rembourser) ou rapprochez-le.", number=invoice.number), "numbers")
        numbers = [i.number for i in invoices]
        collecting.record_transfer(session, invoices, line.amount_cents, line.reference or line.label,
                                   bank_line_id=line.id, actor=admin, received=_received(line.booking_date))
        line.status = "manual"
        line.note = note or f"Rapprochée à la main de {', '.join(numbers)}."
    else:
        if not note:
            raise DomainError(_l("Indiquez pourquoi cette ligne est ignorée."), "note")
        line.status, line.note = "ignored", note
    line.decided_by_id, line.decided_at = admin.id, utcnow()
    session.flush()
    record(session, admin, f"bank_line.{line.status}", line, reason=note or None, details={
        "amount_cents": line.amount_cents, "invoices": numbers, "statement_id": line.statement_id})
    return line


def _named_invoices(session: Session, numbers: str) -> tuple[list[int], DomainError | None]:
    """The freelancer invoices an operator typed the numbers of, or why they cannot be read."""
    if not (numbers or "").strip():
        return [], DomainError(_l("Indiquez les numéros des factures que ce virement règle."), "numbers")
    wanted = numbers_in(numbers)
    if not wanted:
        return [], DomainError(_l("Saisissez des numéros de facture, par exemple F00012-2026-00007."), "numbers")
    found = {i.number: i.id for i in session.scalars(select(Invoice).where(
        Invoice.number.in_(wanted), Invoice.issuer_kind == IssuerKind.FREELANCER.value))}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        return [], DomainError(("Numéro inconnu : " if len(unknown) == 1 else "Numéros inconnus : ") + ", ".join(unknown),
                               "numbers")
    return [found[n] for n in wanted], None


def decision_errors(session: Session, numbers: str, note: str, *, ignore: bool = False) -> list[DomainError]:
    """What is wrong with an operator's decision on a bank line, every field at once; changes nothing."""
    errors = []
    note = _clean(note, MAX_NOTE + 1)
    if len(note) > MAX_NOTE:
        errors.append(DomainError(_l("%(MAX_NOTE)s caractères au plus.", MAX_NOTE=MAX_NOTE), "note"))
    elif ignore and not note:
        errors.append(DomainError(_l("Indiquez pourquoi cette ligne est ignorée."), "note"))
    if not ignore:
        _, error = _named_invoices(session, numbers)
        errors += [error] if error else []
    return errors


def decide_by_numbers(session: Session, line: BankLine, admin: User, numbers: str, note: str, *,
                      ignore: bool = False) -> BankLine:
    """:func:`decide` from what an operator typed: the invoice numbers to settle, or ``ignore`` with a note."""
    raise_if_any(decision_errors(session, numbers, note, ignore=ignore))
    if ignore:
        return decide(session, line, admin, None, note)
    return decide(session, line, admin, _named_invoices(session, numbers)[0], note)


# --- what the statements page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedStatement:
    statement: BankStatement
    counts: dict[str, int]  # lines by status: matched, unmatched, manual, ignored

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def imported_statements(session: Session, limit: int = 50) -> list[ImportedStatement]:
    """The latest imports with their lines counted by status."""
    statements = list(session.scalars(select(BankStatement).order_by(BankStatement.imported_at.desc(),
                                                                     BankStatement.id.desc()).limit(limit)))
    counts: dict[int, dict[str, int]] = {s.id: {} for s in statements}
    if statements:
        for statement_id, status, count in session.execute(
                select(BankLine.statement_id, BankLine.status, func.count(BankLine.id))
                .where(BankLine.statement_id.in_(list(counts))).group_by(BankLine.statement_id, BankLine.status)):
            counts[statement_id][status] = count
    return [ImportedStatement(s, counts[s.id]) for s in statements]
