"""In a real browser, in French: a freelancer completes the whole profile and submits it,
then (once approved) applies to a mission with the weekdays of their week."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from marketplace.db import commit, db, today
from tests.freelancer_support import EXE_BYTES, LONG_BIO, PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.browser


def save_and_continue(page):
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator(".flashes")).to_contain_text("Étape enregistrée.")


def pdf(name: str, content: bytes = PDF_BYTES, mime: str = "application/pdf") -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def test_a_freelancer_completes_the_whole_profile_in_french_and_submits_it(page, live_server):
    page.goto("/compte/inscription/freelance")
    page.get_by_label("Prénom").fill("Léa")
    page.locator("#last_name").fill("Martin")
    page.get_by_label("Adresse e-mail professionnelle").fill("lea.martin@exemple.test")
    page.locator("#password").fill("un secret bien long")
    page.get_by_label("Confirmation du mot de passe").fill("un secret bien long")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("h1")).to_have_text("Bonjour Léa")
    expect(page.locator(".card", has_text="Statut du profil")).to_contain_text("Brouillon")
    page.get_by_role("link", name=re.compile("Continuer mon profil")).click()

    # 1. Présentation — a half-finished step is kept when one leaves and comes back.
    expect(page.locator("h1")).to_have_text("Présentation")
    page.get_by_label("Titre de votre profil").fill("Office manager senior — services généraux")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("link", name="Missions pour vous").click()
    page.goto("/freelance/profil/presentation")
    expect(page.get_by_label("Titre de votre profil")).to_have_value("Office manager senior — services généraux")
    expect(page.locator(".alert.info")).to_contain_text("Présentez votre parcours en au moins 200 caractères")
    page.get_by_label("Présentation", exact=True).fill(LONG_BIO)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Français").check()
    page.get_by_label("Anglais").check()
    save_and_continue(page)

    # 2. Expérience: a dated position, then the years.
    expect(page.locator("h1")).to_have_text("Expérience")
    page.get_by_label("Intitulé du poste").fill("Office manager")
    page.get_by_label("Entreprise ou organisation").fill("Scale-up SaaS")
    page.get_by_label("Début").fill("2013-09")
    page.get_by_label("Fin").fill("2021-12")
    page.get_by_role("button", name="Ajouter ce poste").click()
    expect(page.locator(".entries")).to_contain_text("Scale-up SaaS")
    page.get_by_label("Intitulé du poste").fill("Office manager freelance")
    page.get_by_label("Entreprise ou organisation").fill("Indépendante")
    page.get_by_label("Début").fill("2022-01")
    page.get_by_label("En freelance", exact=True).check()
    page.get_by_role("button", name="Ajouter ce poste").click()
    page.get_by_label("Années d'expérience en office management").fill("12")
    page.get_by_label("Dont années en freelance").fill("4")
    save_and_continue(page)

    # 3. Compétences et outils.
    expect(page.locator("h1")).to_have_text("Compétences et outils")
    for dimension, level in (("People & Culture", "4"), ("Opérations & Process", "3"), ("Finance & Achats", "4"),
                             ("Services généraux & Espaces", "5"), ("Communication & Coordination", "3")):
        page.get_by_label(f"Niveau en {dimension}").select_option(level)
    page.get_by_label("Déménagements et transferts de locaux").check()
    page.get_by_label("Notes de frais").check()
    page.get_by_label("Notion", exact=True).check()
    page.get_by_label("Autres outils").fill("trello, notion")
    save_and_continue(page)

    # 4. Lieu, mode et tarif.
    expect(page.locator("h1")).to_have_text("Lieu, mode et tarif")
    page.get_by_label("Ville", exact=True).fill("Villeurbanne")
    page.get_by_label("Rayon de mobilité (km)").fill("25")
    page.get_by_label("Hybride").check()
    page.get_by_label("Taux journalier (TJM, € HT)").fill("480")
    page.get_by_label("Santé").check()
    save_and_continue(page)

    # 5. Disponibilités: Tuesday and Thursday, plus Friday morning.
    expect(page.locator("h1")).to_have_text("Disponibilités")
    for slot in ("mardi matin", "mardi après-midi", "jeudi matin", "jeudi après-midi", "vendredi matin"):
        page.get_by_label(slot, exact=True).check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("main form")).to_contain_text("Jusqu'à 2,5 jours par semaine")
    save_and_continue(page)

    # 6. Entreprise: a wrong SIRET is explained beside the field and nothing typed is lost.
    expect(page.locator("h1")).to_have_text("Entreprise et paiement")
    page.get_by_label("Forme juridique").select_option(label="Micro-entreprise (EI)")
    page.get_by_label("SIRET").fill("73282932000079")
    page.get_by_label("Nom commercial ou dénomination").fill("Léa Martin EI")
    page.get_by_label(re.compile("Franchise en base")).check()
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("Adresse de facturation").fill("8 rue Pasteur")
    page.get_by_label("Code postal").fill("69100")
    page.get_by_label("Ville de facturation").fill("Villeurbanne")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#siret-error")).to_have_text("Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas.")
    expect(page.get_by_label("SIRET")).to_have_value("73282932000079")
    expect(page.get_by_label("Adresse de facturation")).to_have_value("8 rue Pasteur")
    expect(page.get_by_label("Numéro de TVA intracommunautaire")).to_be_hidden()  # franchise: no VAT number
    page.get_by_label("SIRET").fill("732 829 320 00074")
    save_and_continue(page)

    # 7. Mandat de facturation.
    expect(page.locator("h1")).to_have_text("Mandat de facturation")
    expect(page.locator(".mandate")).to_contain_text("entière responsabilité")
    page.get_by_label("J'ai lu et j'accepte le mandat de facturation").check()
    page.get_by_role("button", name="Accepter le mandat").click()

    # 8. Justificatifs: a renamed executable is refused; the four documents are accepted.
    expect(page.locator("h1")).to_have_text("Justificatifs")
    card = page.locator("#doc-identity")
    card.get_by_label(re.compile("Fichier")).set_input_files(pdf("identite.pdf", EXE_BYTES))
    card.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.locator("#identity-file-error")).to_contain_text("Format non accepté")
    uploads = {
        "urssaf_certificate": (pdf("attestation-vigilance.pdf"), {"Date d'émission": (today() - timedelta(days=12)).isoformat(),
                                                                    "Code de sécurité": "ABCD1234EFGH567"}),
        "registration_proof": (pdf("avis-insee.pdf"), {}),
        "insurance": (pdf("rc-pro.pdf"), {"Date de fin de validité": (today() + timedelta(days=20)).isoformat()}),
        "identity": (pdf("cni.png", PNG_BYTES, "image/png"), {}),
    }
    for kind, (file, fields) in uploads.items():
        card = page.locator(f"#doc-{kind}")
        card.get_by_label(re.compile("Fichier")).set_input_files(file)
        for label, value in fields.items():
            card.get_by_label(label).fill(value)
        card.get_by_role("button", name=re.compile("Envoyer")).click()
        expect(page.locator(".flashes")).to_contain_text("document enregistré")
        expect(page.locator(f"#doc-{kind} .doc-current")).to_contain_text(file["name"])
    expect(page.locator("#doc-insurance")).to_contain_text("expire dans 20 jours")
    page.get_by_role("link", name="Continuer").click()

    # 9. Références: two referees.
    expect(page.locator("h1")).to_have_text("Références")
    for name, email in (("Marie Curie", "marie@radium.test"), ("Paul Martin", "paul@alpha.test")):
        page.get_by_label("Nom et prénom").fill(name)
        page.get_by_label(re.compile(r"^Entreprise\W*$")).fill("Client SAS")
        page.get_by_label("Fonction").fill("Directrice générale")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Relation de travail").fill("Cliente actuelle, 2 jours par semaine")
        page.get_by_role("button", name="Ajouter cette référence").click()
        expect(page.locator(".entries")).to_contain_text(name)

    # Récapitulatif: complete, then submitted.
    page.get_by_role("link", name="Récapitulatif et envoi").first.click()
    expect(page.locator(".card", has_text="Statut du profil")).to_contain_text("100 %")
    page.get_by_role("button", name="Soumettre mon profil à vérification").click()
    expect(page.locator(".flashes")).to_contain_text("Votre profil est soumis")
    expect(page.locator(".card", has_text="Statut du profil")).to_contain_text("Soumis pour vérification")

    with live_server.app_context():
        from sqlalchemy import select

        from marketplace.models.users import User

        profile = db.session.scalar(select(User).where(User.email == "lea.martin@exemple.test")).freelancer_profile
        assert profile.status == "submitted" and profile.siret == "73282932000074"
        assert profile.tools == ["Notion", "Trello"] and profile.city == "Villeurbanne"
        assert profile.mandate_version == "2026-09" and profile.mandate_ip == "127.0.0.1"
        assert len(profile.references) == 2 and len(profile.experiences) == 2
        db.session.remove()


def test_an_approved_freelancer_applies_with_the_weekdays_of_their_week(page, live_server):
    from tests import factories

    with live_server.app_context():
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            profile = factories.FreelancerProfileFactory(user__email="om@exemple.test", user__first_name="Camille")
            factories.ContractFactory(freelancer=profile, weekdays=["thu"], mission__company__legal_name="Boréal Logiciels")
            profile.available_slots = 0b1111111111
            mission = factories.MissionFactory(title="Office manager — déménagement", weekdays=["tue", "thu"])
            flexible = factories.MissionFactory(title="Office manager flexible", weekdays=[], half_days_per_week=4)
            commit(session)
            mission_id, flexible_id = mission.id, flexible.id
        finally:
            factories.CURRENT_SESSION = None
            db.session.remove()

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("om@exemple.test")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Missions pour vous").first.click()
    expect(page.locator("body")).to_contain_text("pas libre le jeudi")  # Thursday is booked by the contract (« Vous n'êtes pas libre le jeudi »)

    page.goto(f"/freelance/missions/{flexible_id}")
    form = page.locator("#candidater")
    # Thursday is booked by the contract: it cannot be offered a second time.
    expect(form.get_by_label(re.compile(r"^\s*jeudi"))).to_be_disabled()
    expect(form.get_by_label(re.compile(r"^\s*lundi"))).to_be_checked()  # first free days pre-selected
    form.get_by_label("Votre message à l'entreprise").fill("Douze ans d'office management, deux déménagements pilotés.")
    form.get_by_label(re.compile(r"^\s*mercredi")).check()
    form.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.locator("#weekdays-error")).to_contain_text("proposez 2 jours (vous en proposez 3)")
    expect(form.get_by_label("Votre message à l'entreprise")).to_have_value(
        "Douze ans d'office management, deux déménagements pilotés."
    )
    form.get_by_label(re.compile(r"^\s*mardi")).uncheck()
    form.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.locator(".flashes")).to_contain_text("Votre candidature est envoyée")
    expect(form).to_contain_text("Candidature envoyée")

    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.locator("body")).to_contain_text("Office manager flexible")
    expect(page.locator("body")).to_contain_text("Vos contrats")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Retirer")).first.click()
    expect(page.locator(".flashes")).to_contain_text("Candidature retirée.")
    assert mission_id
