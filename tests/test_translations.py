"""The English catalogue is complete: every string marked in the code is translated, and pages render in English.

French is the source language (the msgids). A string newly wrapped in ``_()`` / ``_l()`` /
``ngettext()`` fails ``test_every_marked_string_has_an_english_translation`` until the catalogue
is updated (README, section "Translations").
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    FreelancerProfileFactory,
    SubmittedProfileFactory,
)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "marketplace" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
NAMED_PLACEHOLDER = re.compile(r"%\([^)]*\)[a-zA-Z]")


def english_catalogue():
    with PO.open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh extraction of the sources, with the README's command, into a temporary .pot."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
        "-k", "_", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), str(ROOT),
    ])
    with pot.open("rb") as fileobj:
        return read_po(fileobj)


def test_every_marked_string_has_an_english_translation(extracted):
    catalogue = english_catalogue()
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        if entry is None or entry.fuzzy or not all(strings(entry)):
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            missing.append(f"{key(message)!r} ({where})")
    assert len(extracted) > 500  # the extraction really read the templates and the code
    assert not missing, (
        "untranslated strings: run pybabel extract / update, translate them in "
        f"{PO.relative_to(ROOT)} and compile:\n" + "\n".join(missing)
    )


def test_no_entry_is_empty_or_fuzzy():
    catalogue = english_catalogue()
    assert len(catalogue) > 500
    bad = [key(m) for m in catalogue if m.id and (m.fuzzy or not all(strings(m)))]
    assert not bad, bad
    assert catalogue.num_plurals == 2
    for message in catalogue:
        if isinstance(message.id, tuple):
            assert len(message.string) == 2, key(message)


def test_translations_keep_the_placeholders():
    problems = []
    for message in english_catalogue():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            # English: msgstr[0] renders the msgid, msgstr[1] the msgid_plural.
            pairs = list(zip(message.id, message.string))
        else:
            pairs = [(message.id, message.string)]
        allowed = {p for source in (message.id if isinstance(message.id, tuple) else (message.id,))
                   for p in NAMED_PLACEHOLDER.findall(source)}
        for source, translation in pairs:
            expected = NAMED_PLACEHOLDER.findall(source)
            found = NAMED_PLACEHOLDER.findall(translation)
            if set(expected) - set(found) or set(found) - allowed or source.count("%%") != translation.count("%%"):
                problems.append((source, translation))
    assert not problems, problems


def test_babel_checks_pass_and_the_compiled_catalogue_is_current():
    catalogue = english_catalogue()
    errors = [(key(message), [str(e) for e in errs]) for message, errs in catalogue.check()]
    assert not errors, errors
    with MO.open("rb") as fileobj:
        compiled = read_mo(fileobj)
    stale = [key(m) for m in catalogue
             if m.id and (compiled.get(m.id) is None or strings(compiled.get(m.id)) != strings(m))]
    assert not stale, f"run pybabel compile -d marketplace/translations: {stale[:10]}"


# --- pages rendered in English ---------------------------------------------------------------
# Only the marked strings are checked: labels kept in Python constants (sectors, statuses,
# diagnostic signals) are not marked for translation yet.

def switch_to_english(client, email: str) -> None:
    login(client, email, PASSWORD)
    client.post("/compte/langue", data={"locale": "en"})


def english_page(client, url: str, expected: tuple[str, ...], french: tuple[str, ...]) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = html.unescape(response.text)
    assert '<html lang="en">' in page, url
    for text in expected:
        assert text in page, f"{text!r} missing from {url}"
    for text in french:
        assert text not in page, f"{url} still shows {text!r}"
    return page


def test_sme_pages_render_in_english(client, sme_user):
    switch_to_english(client, sme_user.email)
    english_page(client, "/entreprise/",
                 ("Dashboard", "Your first mission in three steps", "Take the diagnostic", "Typical volume"),
                 ("Tableau de bord", "Votre première mission", "Faites le diagnostic", "Volume habituel"))
    english_page(client, "/entreprise/missions", ("Filter by status", "Describe a mission"),
                 ("Filtrer par statut", "Décrire une mission"))
    english_page(client, "/entreprise/equipe", ("Members", "Invite a colleague", "Owner"),
                 ("Membres", "Inviter un collègue", "Titulaire"))


def test_freelancer_pages_render_in_english(client, db_session):
    profile = FreelancerProfileFactory(user__email="om-en@example.test")
    switch_to_english(client, profile.user.email)
    english_page(client, "/freelance/", ("Dashboard", "Profile status", "Typical week", "At a glance"),
                 ("Statut du profil", "Semaine type", "En bref"))
    english_page(client, "/freelance/missions", ("Missions for you", "Filter missions", "Remote only"),
                 ("Missions pour vous", "Filtrer les missions", "À distance uniquement"))
    english_page(client, "/freelance/candidatures", ("My applications",), ("Mes candidatures",))


def test_public_tools_render_in_english(client, sme_user):
    switch_to_english(client, sme_user.email)
    english_page(client, "/diagnostic", ("Do you need an office manager?", "See my result", "How to read the result"),
                 ("Avez-vous besoin", "Voir mon résultat", "Comment lire le résultat"))
    english_page(client, "/simulateur", ("Junior employee or senior freelancer?", "Calculate", "Employer contributions"),
                 ("Salarié junior ou freelance senior", "Calculer", "Charges patronales"))


def test_admin_vetting_pages_render_in_english(client, db_session):
    admin = AdminFactory(email="ops-en@om-partage.test")
    profile = SubmittedProfileFactory()
    switch_to_english(client, admin.email)
    english_page(client, "/admin/verification/", ("Profile vetting", "Submitted on", "All flags"),
                 ("Vérification des profils", "Soumis le", "Tous les signalements"))
    english_page(client, f"/admin/verification/{profile.id}",
                 ("Automated checks", "Decision", "URSSAF vigilance certificate", "Approve the profile"),
                 ("Vérifications automatiques", "Attestation de vigilance URSSAF", "Approuver le profil"))
    english_page(client, "/admin/verification/echeances", ("Document expiry dates", "Change month"),
                 ("Échéances des documents", "Changer de mois"))
