"""The operator's pages say every status, event, object and role in words, never as a stored code."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from marketplace.models import FreelancerProfile
from marketplace.models.audit import AuditLog
from marketplace.services import labels

# Codes the database stores that a page must never show as text.
STATUS_CODES = ("in_review", "submitted", "approved", "rejected", "suspended", "draft", "pending", "running",
                "failed", "published", "shortlisted", "credit_note", "held", "erased", "succeeded")
ROLE_CODES = ("sme", "freelancer", "admin")


def visible_text(page: str) -> str:
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def admin_pages(app, session) -> list[str]:
    """Every admin page reachable by GET without a form, plus one detail page of each kind."""
    urls = [rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "GET" in rule.methods and not rule.arguments]
    from marketplace.models import Contract, Invoice, Timesheet

    for profile in session.scalars(select(FreelancerProfile).where(FreelancerProfile.submitted_at.is_not(None))):
        urls.append(f"/admin/verification/{profile.id}")
    for model, prefix in ((Contract, "/admin/contrats/"), (Invoice, "/admin/factures/"), (Timesheet, "/admin/cra/")):
        first = session.scalars(select(model).limit(1)).first()
        if first is not None:
            urls.append(f"{prefix}{first.id}")
    return urls


def test_admin_pages_show_no_raw_codes(demo_app, demo_client, demo_session):
    response = demo_client.post("/compte/connexion", data={"email": "admin@demo.test", "password": "demo-admin"},
                                follow_redirects=True)
    assert response.request.path == "/admin/"
    actions = set(demo_session.scalars(select(AuditLog.action).distinct()))
    subjects = set(demo_session.scalars(select(AuditLog.subject_type).distinct())) - {""}
    assert {"vetting.approved", "vetting.claimed"} <= actions and "FreelancerProfile" in subjects
    checked = 0
    for url in admin_pages(demo_app, demo_session) + ["/admin/audit?page=2", "/admin/audit?page=3"]:
        page = demo_client.get(url)
        if page.status_code in (301, 302, 404):
            continue
        assert page.status_code == 200, url
        text = visible_text(page.text)
        for code in sorted(actions | set(labels.ACTIONS)):
            assert code not in text, (url, code)
        # « Mission », « Document », « Message » are also the French words.
        for code in sorted(c for c in subjects | set(labels.SUBJECTS) if str(labels.SUBJECTS.get(c)) != c):
            assert not re.search(rf"\b{code}\b", text), (url, code)
        for code in STATUS_CODES + ROLE_CODES:
            assert not re.search(rf"(?<![\w@.-]){code}(?![\w@.-])", text), (url, code)
        checked += 1
    assert checked >= 20


def test_the_audit_log_reads_as_sentences(demo_client, demo_session):
    demo_client.post("/compte/connexion", data={"email": "admin@demo.test", "password": "demo-admin"})
    entry = demo_session.scalars(select(AuditLog).where(AuditLog.action == "vetting.approved")).first()
    history = visible_text(demo_client.get(f"/admin/verification/{entry.subject_id}").text)
    assert "Profil approuvé" in history and "Profil pris en charge" in history
    text = visible_text(demo_client.get("/admin/audit?action=vetting.").text)
    assert re.search(r"Profil freelance n° \d+", text)  # « n° » and the number never split
    users = visible_text(demo_client.get("/admin/comptes").text)
    assert "Entreprise" in users and "Freelance" in users


def test_every_audited_event_has_a_label(demo_session):
    """A new audit event gets its words here (the fallback only names its family)."""
    actions = set(demo_session.scalars(select(AuditLog.action).distinct()))
    assert sorted(a for a in actions if a not in labels.ACTIONS) == []
    subjects = set(demo_session.scalars(select(AuditLog.subject_type).distinct())) - {""}
    assert sorted(s for s in subjects if s not in labels.SUBJECTS) == []


def test_the_admin_menu_is_grouped(demo_client):
    demo_client.post("/compte/connexion", data={"email": "admin@demo.test", "password": "demo-admin"})
    page = demo_client.get("/admin/").text
    nav = page[page.index('id="main-nav"'):page.index('class="user-menu"')]
    top = re.findall(r"<summary>([^<]+)</summary>", nav)
    assert top == ["Vérification", "Contrats et argent", "Plateforme"]
    assert nav.count("<li") - nav.count('<li class="nav-group"') >= 12  # every entry still reachable
    for label in ("Comptes", "Tâches de fond", "Journal d'audit", "Factures", "Paiements", "Échéances"):
        assert f">{label}</a>" in html.unescape(nav), label
