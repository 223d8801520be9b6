"""The demo shows the freelancer journey: documents, a booked weekday, applications, an invitation."""

from __future__ import annotations

import html

from sqlalchemy import select

from marketplace.models.users import User
from marketplace.services.profiles import documents, submission
from tests.conftest import login


def test_the_demo_freelancer_sees_every_part_of_the_journey(demo_client, demo_session):
    client, db_session = demo_client, demo_session
    login(client, "om@demo.test", "demo-om")
    page = html.unescape(client.get("/freelance/").text)
    for text in ("Invitations à candidater", "Justificatifs à renouveler", "expire dans 20 jours", "Vos contrats",
                 "Boréal Logiciels", "Présélectionnée"):
        assert text in page, text
    assert "Réservé" in client.get("/freelance/profil/disponibilites").text
    profile = db_session.scalar(select(User).where(User.email == "om@demo.test")).freelancer_profile
    assert submission.completeness(db_session, profile).is_complete
    document = documents.current_documents(db_session, profile)["urssaf_certificate"]
    response = client.get(f"/fichiers/{document.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
