"""Fraud and duplicate signals, and the consistency of the declared experience.

Duplicates are looked for against every other profile: same SIRET (or SIREN), same
IBAN, same phone, same e-mail pattern (``marie.martin+om@…`` and ``mariemartin87@…``),
and bios so close (TF-IDF cosine over all bios) that one was copied from the other.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.domain import LegalForm
from marketplace.formatting import decimal_fr, percent, plural_fr
from marketplace.models.documents import DOCUMENT_KIND_LABELS, Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.models.vetting import CheckKind, CheckStatus
from marketplace.platform.identifiers import clean_digits
from marketplace.services.vetting import rules
from marketplace.services.vetting.checks import Outcome, current_documents

# Function words carry no authorship; keeping them would make any two French bios alike.
FRENCH_STOP_WORDS = frozenset(
    """a au aux avec ce ces cet cette dans de des du elle en et il ils je j l la le les leur leurs lui ma mais me
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
    vos votre vous y d s n c m t est sont ai as avons avez ont etre été ete suis plus tres très aussi depuis""".split()
)
SIGNAL_LABELS = {
    "siret": "Même SIRET",
    "siren": "Même SIREN",
    "iban": "Même IBAN",
    "phone": "Même téléphone",
    "email_pattern": "Même motif d'adresse e-mail",
    "bio": "Présentation quasi identique",
    "document": "Même fichier déposé",
}
STRONG_SIGNALS = frozenset({"siret", "iban"})
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def email_pattern(email: str) -> str | None:
    """An address reduced to its pattern: no +tag, dots or digits in the local part."""
    local, _, domain = (email or "").strip().lower().partition("@")
    local = local.split("+", 1)[0]
    local = re.sub(r"[\d._\-]", "", local)
    if len(local) < rules.EMAIL_PATTERN_MIN_LETTERS or not domain:
        return None
    domain = "gmail.com" if domain in GMAIL_DOMAINS else domain
    return f"{local}@{domain}"


def phone_key(phone: str | None) -> str | None:
    """The national significant number of a (French) phone: 06 12… = +33 6 12…."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = digits[1:]
    return digits if len(digits) >= 9 else None


def _compact(value: str | None) -> str | None:
    compact = clean_digits(value or "").upper()
    return compact or None


def identity_signals(session: Session, profile: FreelancerProfile) -> list[dict[str, Any]]:
    """Other profiles sharing a SIRET/SIREN, IBAN, phone or e-mail pattern with this one."""
    me = profile.user
    siret, iban = _compact(profile.siret), _compact(profile.iban)
    phone, pattern = phone_key(me.phone), email_pattern(me.email)
    portage = profile.legal_form == LegalForm.PORTAGE.value
    signals = []
    rows = session.execute(
        select(FreelancerProfile, User).join(User, FreelancerProfile.user_id == User.id).where(FreelancerProfile.id != profile.id)
    )
    for other, user in rows:
        found = []
        other_siret = _compact(other.siret)
        # Freelancers carried by one portage company legitimately share its SIRET.
        both_portage = portage and other.legal_form == LegalForm.PORTAGE.value
        if siret and other_siret and not both_portage:
            if other_siret == siret:
                found.append("siret")
            elif other_siret[:9] == siret[:9]:
                found.append("siren")
        if iban and _compact(other.iban) == iban:
            found.append("iban")
        if phone and phone_key(user.phone) == phone:
            found.append("phone")
        if pattern and email_pattern(user.email) == pattern:
            found.append("email_pattern")
        for kind in found:
            signals.append({"kind": kind, "label": SIGNAL_LABELS[kind], "profile_id": other.id, "name": user.display_name})
    return signals


def bio_signals(session: Session, profile: FreelancerProfile) -> tuple[list[dict[str, Any]], int]:
    """Other profiles whose bio is a near-duplicate of this one (TF-IDF cosine), and how many were compared."""
    bio = (profile.bio or "").strip()
    if len(bio) < rules.BIO_MIN_LENGTH:
        return [], 0
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    others = [
        (pid, text.strip())
        for pid, text in session.execute(
            select(FreelancerProfile.id, FreelancerProfile.bio).where(FreelancerProfile.id != profile.id)
        )
        if text and len(text.strip()) >= rules.BIO_MIN_LENGTH
    ]
    if not others:
        return [], 0
    vectorizer = TfidfVectorizer(
        strip_accents="unicode", lowercase=True, ngram_range=(1, 2), sublinear_tf=True,
        stop_words=sorted(FRENCH_STOP_WORDS), token_pattern=r"(?u)\b\w\w+\b",
    )
    matrix = vectorizer.fit_transform([bio] + [text for _pid, text in others])
    # TF-IDF rows are L2-normalised: the linear kernel is the cosine similarity.
    similarities = linear_kernel(matrix[0:1], matrix[1:]).ravel()
    names = {
        pid: user.display_name
        for pid, user in session.execute(
            select(FreelancerProfile.id, User).join(User, FreelancerProfile.user_id == User.id)
        )
    }
    signals = [
        {"kind": "bio", "label": f"{SIGNAL_LABELS['bio']} ({percent(round(float(score), 3), 0)})", "profile_id": pid,
         "name": names.get(pid, ""), "similarity": round(float(score), 3)}
        for (pid, _text), score in zip(others, similarities, strict=True)
        if score >= rules.BIO_SIMILARITY_THRESHOLD
    ]
    signals.sort(key=lambda s: -s["similarity"])
    return signals, len(others)


def _vetted_kinds() -> list[str]:
    return [kind.value for kind in rules.VETTED_DOCUMENTS]


def shared_with_others(session: Session, profile_id: int) -> list[dict[str, Any]]:
    """Current documents of this profile whose file (same SHA-256) was also uploaded on another profile."""
    mine = {document.sha256: kind for kind, document in current_documents(session, profile_id).items()}
    if not mine:
        return []
    rows = session.execute(
        select(Document.sha256, Document.kind, FreelancerProfile.id, User)
        .join(FreelancerProfile, Document.profile_id == FreelancerProfile.id)
        .join(User, FreelancerProfile.user_id == User.id)
        .where(Document.sha256.in_(list(mine)), Document.profile_id != profile_id, Document.kind.in_(_vetted_kinds()))
        .order_by(FreelancerProfile.id, Document.id)
    ).all()
    found, seen = [], set()
    for sha256, their_kind, other_id, user in rows:
        key = (sha256, other_id)
        if key in seen:
            continue
        seen.add(key)
        found.append({"sha256": sha256, "kind": mine[sha256], "their_kind": their_kind, "profile_id": other_id,
                      "name": user.display_name})
    return found


def file_signals(session: Session, profile: FreelancerProfile) -> list[dict[str, Any]]:
    """One signal per other profile holding one of this profile's files."""
    signals = []
    for shared in shared_with_others(session, profile.id):
        kind_label = DOCUMENT_KIND_LABELS[DocumentKind(shared["kind"])]
        signals.append({"kind": "document", "label": f"{SIGNAL_LABELS['document']} ({kind_label})",
                        "profile_id": shared["profile_id"], "name": shared["name"], "document_kind": shared["kind"]})
    return signals


def duplicates_outcome(session: Session, profile: FreelancerProfile, now: datetime) -> Outcome:
    """Every duplicate signal against all other profiles, in one check."""
    signals = identity_signals(session, profile)
    signals += file_signals(session, profile)
    bios, compared = bio_signals(session, profile)
    signals += bios
    total = session.scalar(select(func.count()).select_from(FreelancerProfile).where(FreelancerProfile.id != profile.id))
    details = {"signals": signals, "profiles_compared": total, "bios_compared": compared,
               "threshold": rules.BIO_SIMILARITY_THRESHOLD}
    expires_at = now + timedelta(days=rules.DUPLICATES_RECHECK_DAYS)
    if not signals:
        return Outcome(CheckKind.DUPLICATES, CheckStatus.PASSED, f"Aucun doublon parmi {total} {plural_fr(total, 'autre profil', 'autres profils')}.", details, expires_at=expires_at)
    described = " ; ".join(f"{s['label']} que {s['name'] or 'profil n° ' + str(s['profile_id'])}" for s in signals)
    status = CheckStatus.FAILED if any(s["kind"] in STRONG_SIGNALS for s in signals) else CheckStatus.WARNING
    return Outcome(CheckKind.DUPLICATES, status, f"{described}.", details, expires_at=expires_at)


def _union_years(intervals: list[tuple[date, date]]) -> float:
    """Years covered by the union of date intervals (overlaps counted once)."""
    total, current_start, current_end = 0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days
    return total / 365.25


def experience_outcome(profile: FreelancerProfile, today: date) -> Outcome:
    """Declared years against the dated positions (overlaps counted once)."""
    kind = CheckKind.EXPERIENCE
    declared, freelance = profile.years_experience, profile.freelance_years
    entries = [e for e in profile.experiences if e.start_date <= today]
    future = len(profile.experiences) - len(entries)
    dated = _union_years([(e.start_date, min(e.end_date or today, today)) for e in entries])
    dated_freelance = _union_years([(e.start_date, min(e.end_date or today, today)) for e in entries if e.is_freelance])
    details = {"declared_years": declared, "dated_years": round(dated, 1), "declared_freelance_years": freelance,
               "dated_freelance_years": round(dated_freelance, 1), "positions": len(profile.experiences),
               "future_positions": future}
    if freelance > declared:
        return Outcome(kind, CheckStatus.FAILED, f"{freelance} ans de freelance déclarés pour {declared} ans d'expérience au total.", details)
    if not entries:
        return Outcome(kind, CheckStatus.WARNING, f"Aucun poste daté : les {declared} ans déclarés ne peuvent pas être vérifiés.", details)
    gap = declared - dated
    measured = f"{declared} ans déclarés, {decimal_fr(round(dated, 1))} ans couverts par les postes datés"
    if gap > rules.EXPERIENCE_FAILURE_YEARS:
        return Outcome(kind, CheckStatus.FAILED, f"Incohérent : {measured}.", details)
    if gap > rules.EXPERIENCE_WARNING_YEARS:
        return Outcome(kind, CheckStatus.WARNING, f"À vérifier : {measured}.", details)
    if freelance - dated_freelance > rules.EXPERIENCE_FAILURE_YEARS:
        return Outcome(
            kind, CheckStatus.WARNING,
            f"{freelance} ans de freelance déclarés, {decimal_fr(round(dated_freelance, 1))} ans datés en freelance.", details,
        )
    if future:
        return Outcome(kind, CheckStatus.WARNING, f"{measured} ; {future} {plural_fr(future, 'poste commençant', 'postes commençant')} dans le futur.", details)
    return Outcome(kind, CheckStatus.PASSED, f"Cohérent : {measured}.", details)


def fraud_outcomes(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    """Duplicates and experience consistency."""
    from marketplace.formatting import PARIS

    return [duplicates_outcome(session, profile, now), experience_outcome(profile, now.astimezone(PARIS).date())]
