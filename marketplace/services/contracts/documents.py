"""The contract's PDFs: the agreed version to sign, then the signed file sealed by the platform.

Both are made by jobs on the ``contracts`` queue. :func:`render_version` turns an agreed
version into a paginated French PDF (parties with their SIREN/SIRET, every clause, the
version, the date), stores it and records its SHA-256: that hash is what each side
signs. :func:`seal_version` appends a signature page (who signed, when, from where, the
hash) to the exact signed file and seals the whole with the platform's PAdES signature,
so any later change shows in a PDF reader. Both return early when already done.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import utcnow
from marketplace.domain import HALF_LABELS, HALVES, WEEKDAY_LABELS, WEEKDAYS, LegalForm
from marketplace.formatting import date_fr, datetime_fr, euros, percent
from marketplace.models.contracts import (
    Contract,
    ContractSignature,
    ContractVersion,
    Party,
    VersionKind,
    VersionStatus,
)
from marketplace.models.documents import DocumentKind
from marketplace.platform import pdf, seal, storage
from marketplace.services.contracts import parties
from marketplace.services.contracts.rules import CLAUSE_LABELS, SIGNATURE_STATEMENT
from marketplace.services.contracts.terms import (
    Terms,
    describe_slots,
    display,
    slots_to_week,
)


@dataclass(frozen=True)
class Clause:
    number: int
    title: str
    paragraphs: tuple[str, ...]


def _company_lines(contract: Contract) -> list[str]:
    company = contract.company
    lines = [company.legal_name, f"SIREN {company.siren} — SIRET {company.siret}"]
    if company.vat_number:
        lines.append(f"TVA intracommunautaire {company.vat_number}")
    address = " ".join(p for p in (company.address_line, company.postal_code, company.city) if p)
    if address:
        lines.append(address)
    return lines


def _freelancer_lines(contract: Contract) -> list[str]:
    profile = contract.freelancer
    name = profile.business_name or profile.display_name
    if profile.legal_form in (LegalForm.MICRO.value, LegalForm.EI.value) and "EI" not in name.split():
        name = f"{name} (EI)"
    lines = [f"{profile.display_name}, exerçant sous le nom « {name} »" if profile.business_name else name]
    if profile.siret:
        lines.append(f"SIREN {profile.siret[:9]} — SIRET {profile.siret}")
    if profile.vat_number:
        lines.append(f"TVA intracommunautaire {profile.vat_number}")
    elif profile.vat_regime == "franchise":
        lines.append("Franchise en base de TVA (art. 293 B du CGI)")
    address = " ".join(p for p in (profile.billing_address_line, profile.billing_postal_code, profile.billing_city) if p)
    if address:
        lines.append(address)
    return lines


def clauses_of(contract: Contract, terms: Terms, version: ContractVersion) -> list[Clause]:
    """Every clause of the document, numbered, in French (the PDF and the contract page show them)."""
    fee = percent(contract.platform_fee_rate, 1)
    rhythm = [f"Volume : {display(terms, 'half_days_per_week')}, les demi-journées suivantes : "
              f"{describe_slots(terms.slots)}.",
              f"Mode de travail : {display(terms, 'work_mode').lower()}"
              + (f", dont {display(terms, 'onsite_days_per_week')} sur site par semaine." if terms.work_mode == "hybrid"
                 else "."),
              "Ces jours sont un rythme convenu entre les parties, non des horaires imposés : le freelance organise "
              "librement son travail et ses horaires à l'intérieur de ce rythme."]
    items = [
        ("Objet et objectifs", [terms.objectives]),
        (CLAUSE_LABELS["in_scope"], terms.in_scope.splitlines()),
        (CLAUSE_LABELS["out_of_scope"], terms.out_of_scope.splitlines() or ["—"]),
        ("Volume et rythme", rhythm),
        ("Délégation de décision", [
            f"Le freelance engage seul les dépenses courantes jusqu'à {euros(terms.spending_threshold_cents)} HT par "
            "dépense, dans le budget de fonctionnement convenu ; au-delà, il recueille l'accord préalable du client."]),
        (CLAUSE_LABELS["kpis"], [f"{k['label']} : {k['target']}" for k in terms.kpis]
         + ["Les indicateurs sont revus chaque trimestre lors du questionnaire de satisfaction."]),
        ("Prix et facturation", [
            f"Taux journalier : {euros(terms.daily_rate_cents)} HT par jour (une demi-journée : la moitié).",
            "Facturation mensuelle, sur les jours et demi-journées déclarés dans le compte rendu d'activité (CRA) et "
            "validés par le client. Les factures sont émises par " + legal.PLATFORM_NAME + " au nom et pour le compte "
            "du freelance, en vertu de son mandat de facturation.",
            f"Délai de paiement : {terms.payment_terms_days} jours à compter de la date de facture. "
            + legal.late_penalty_mention() + ". " + legal.RECOVERY_INDEMNITY_MENTION + ".",
            f"Frais de service de la plateforme : {fee} du montant HT facturé, à la charge du freelance, taux figé "
            "pour la durée du contrat.",
        ]),
        ("Durée et fin", [
            f"Le contrat prend effet le {date_fr(terms.start_date)} "
            + (f"et prend fin le {date_fr(terms.end_date)}." if terms.end_date else "pour une durée indéterminée."),
            f"Chaque partie peut y mettre fin à tout moment avec un préavis de {display(terms, 'notice_months')}, "
            "ou d'un commun accord à la date convenue.",
        ]),
        ("Indépendance", [
            "Le freelance exécute la prestation en toute indépendance : il n'est soumis à aucun lien de "
            "subordination, fixe ses méthodes, utilise ses propres moyens et son adresse électronique, et reste "
            "libre de travailler pour d'autres clients.",
            "Il peut refuser une tâche étrangère au périmètre ; toute extension du périmètre fait l'objet d'un avenant.",
        ]),
    ]
    if terms.non_compete:
        items.append(("Non-concurrence", [
            "Pendant la durée du contrat, le freelance s'interdit de travailler pour un concurrent direct du client "
            "(même secteur d'activité). Cette clause n'interdit aucune autre mission."]))
    items.append(("Confidentialité et données", [
        "Chaque partie garde confidentielles les informations de l'autre. Les données personnelles traitées "
        "pour le client le sont sur ses instructions, pour les seuls besoins de la mission."]))
    if version.kind == VersionKind.AMENDMENT.value:
        items.insert(0, ("Avenant", [
            f"Le présent avenant modifie le contrat à compter du {date_fr(version.effective_from)}. Les clauses "
            "ci-dessous remplacent celles du contrat à cette date ; les jours abandonnés sont libérés à cette date."]))
    return [Clause(n, title, tuple(p for p in paragraphs if p)) for n, (title, paragraphs) in enumerate(items, 1)]


def week_strip(slots) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Monday–Friday × morning/afternoon, marked where the contract holds the half day."""
    week = slots_to_week(slots)
    return [(WEEKDAY_LABELS[d], [(HALF_LABELS[h], week.has(d, h)) for h in HALVES]) for d in WEEKDAYS]


def _css(name: str) -> str:
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, name)
    return source


def render_pdf(contract: Contract, version: ContractVersion, now: datetime | None = None) -> bytes:
    terms = Terms.from_content(version.content)
    html = pdf.render_document_template(
        "contracts/contract_pdf.html", contract=contract, version=version, terms=terms,
        clauses=clauses_of(contract, terms, version), company_lines=_company_lines(contract),
        freelancer_lines=_freelancer_lines(contract), strip=week_strip(terms.slots),
        generated_at=now or utcnow(), platform=legal.PLATFORM_NAME,
    )
    return pdf.html_to_pdf(html, stylesheet=_css("contracts/contract_pdf.css"))


def render_version(session: Session, version_id: int) -> int | None:
    """Render an agreed version to PDF, store it and record its hash; then tell both sides it is ready."""
    version = session.execute(
        select(ContractVersion).where(ContractVersion.id == version_id).with_for_update()
    ).scalar_one_or_none()
    if version is None or version.document_id is not None or version.status != VersionStatus.AGREED.value:
        return None  # already rendered, or replaced since it was agreed
    contract = version.contract
    content = render_pdf(contract, version)
    kind = "avenant" if version.kind == VersionKind.AMENDMENT.value else "contrat"
    document = storage.store_generated(
        session, kind=DocumentKind.CONTRACT_PDF, content=content,
        filename=f"{kind}-{contract.id}-version-{version.number}.pdf",
        company_id=contract.company_id, profile_id=contract.freelancer_id,
    )
    version.document_id = document.id
    version.document_hash = document.sha256
    session.flush()
    parties.notify(session, contract, _l("Prêt à signer : %(title)s", title=contract.title), [
        _l("Le PDF de la version %(number)s est prêt. Relisez-le, puis signez-le en ligne : tapez votre nom, cochez « %(SIGNATURE_STATEMENT)s ». Son empreinte SHA-256 est %(sha256)s.", number=version.number, SIGNATURE_STATEMENT=SIGNATURE_STATEMENT, sha256=document.sha256),
    ], action=_l("Relire et signer"))
    return document.id


def signature_page(contract: Contract, version: ContractVersion, signatures: list[ContractSignature],
                   identity_name: str, now: datetime) -> bytes:
    html = pdf.render_document_template(
        "contracts/signature_page.html", contract=contract, version=version, signatures=signatures,
        party_labels={Party.SME.value: contract.company.legal_name, Party.FREELANCER.value: contract.freelancer.display_name},
        sealed_at=now, sealer=identity_name, platform=legal.PLATFORM_NAME, statement=SIGNATURE_STATEMENT,
        datetime_fr=datetime_fr,
    )
    return pdf.html_to_pdf(html, stylesheet=_css("contracts/contract_pdf.css"))


def seal_version(session: Session, version_id: int, now: datetime | None = None) -> int | None:
    """The signed PDF plus its signature page, sealed by the platform (PAdES); stored on the version."""
    version = session.execute(
        select(ContractVersion).where(ContractVersion.id == version_id).with_for_update()
    ).scalar_one_or_none()
    if version is None or version.sealed_document_id is not None or version.status != VersionStatus.SIGNED.value:
        return None
    now = now or utcnow()
    contract = version.contract
    signed = storage.read(version.document)
    if hashlib.sha256(signed).hexdigest() != version.document_hash:
        raise RuntimeError(f"contract {contract.id} v{version.number}: the stored PDF no longer has the signed hash")
    signatures = sorted((s for s in contract.signatures if s.version_number == version.number),
                        key=lambda s: s.signed_at)
    identity = seal.configured_identity()
    merged = pdf.append_pages(signed, signature_page(contract, version, signatures, identity.signer_name, now))
    sealed = seal.seal_pdf(
        merged, identity, reason=f"Contrat n° {contract.id}, version {version.number}, signé par les deux parties",
        location="France",
    )
    kind = "avenant" if version.kind == VersionKind.AMENDMENT.value else "contrat"
    document = storage.store_generated(
        session, kind=DocumentKind.CONTRACT_PDF, content=sealed,
        filename=f"{kind}-{contract.id}-version-{version.number}-signe.pdf",
        company_id=contract.company_id, profile_id=contract.freelancer_id,
    )
    version.sealed_document_id = document.id
    if contract.signed_version == version.number:
        contract.document_id = document.id
    session.flush()
    subject = (_l("Votre avenant signé : %(title)s", title=contract.title) if version.kind == VersionKind.AMENDMENT.value
               else _l("Votre contrat signé : %(title)s", title=contract.title))
    parties.notify(session, contract, subject, [
        _l("Le PDF signé par les deux parties et scellé par %(PLATFORM_NAME)s est disponible sur la page du contrat. Toute modification ultérieure du fichier serait signalée par votre lecteur PDF.", PLATFORM_NAME=legal.PLATFORM_NAME),
    ], action=_l("Télécharger le PDF signé"))
    return document.id
