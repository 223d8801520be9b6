"""Uploads: sniffed from their bytes, bounded, stored privately, served to owners only."""

from __future__ import annotations

import io

import pytest

from marketplace.errors import DomainError
from marketplace.models.documents import Document, DocumentKind
from marketplace.platform import storage as documents
from tests.conftest import login
from tests.factories import PASSWORD, FreelancerProfileFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 64


def upload(session, profile, content: bytes, filename: str, kind=DocumentKind.INSURANCE) -> Document:
    return documents.store_upload(
        session, owner=profile.user, profile_id=profile.id, kind=kind, stream=io.BytesIO(content), filename=filename
    )


@pytest.mark.parametrize("content,expected", [(PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")])
def test_accepted_types_are_sniffed_from_content(app_ctx, db_session, freelancer, content, expected):
    document = upload(db_session, freelancer, content, "scan.bin")
    assert document.content_type == expected
    assert documents.path_of(document).read_bytes() == content
    assert document.original_name == "scan.bin" and document.storage_key not in document.original_name


def test_a_renamed_executable_is_refused(app_ctx, db_session, freelancer):
    with pytest.raises(DomainError, match="Format non accepté") as exc:
        upload(db_session, freelancer, EXE_BYTES, "attestation.pdf")
    assert exc.value.field == "file"


def test_a_truncated_pdf_is_refused(app_ctx, db_session, freelancer):
    with pytest.raises(DomainError, match="Format non accepté"):
        upload(db_session, freelancer, b"%PDF-1.4\nno end marker", "a.pdf")


def test_size_limit(app, app_ctx, db_session, freelancer):
    limit = app.config["UPLOAD_MAX_BYTES"]
    big = b"%PDF-1.4\n" + b"0" * limit + b"\n%%EOF\n"
    with pytest.raises(DomainError, match="10 Mo au plus"):
        upload(db_session, freelancer, big, "big.pdf")


def test_files_live_outside_the_web_root(app, app_ctx, db_session, freelancer):
    document = upload(db_session, freelancer, PDF_BYTES, "../../etc/passwd")
    path = documents.path_of(document)
    assert str(path).startswith(app.instance_path) and not str(path).startswith(app.static_folder)
    assert document.original_name == "passwd"


def test_a_new_upload_supersedes_the_previous_one(app_ctx, db_session, freelancer):
    first = upload(db_session, freelancer, PDF_BYTES, "v1.pdf")
    second = upload(db_session, freelancer, PDF_BYTES, "v2.pdf")
    assert first.superseded_at is not None and second.superseded_at is None


def test_only_the_owner_and_admins_can_read_a_document(app, client, db_session, freelancer, admin_user, sme_user):
    with app.app_context():
        document = upload(db_session, freelancer, PDF_BYTES, "assurance.pdf")
    other = FreelancerProfileFactory(user__email="other-om@example.test")
    url = f"/fichiers/{document.id}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, expected in ((other.user, 404), (sme_user, 404), (freelancer.user, 200), (admin_user, 200)):
        login(client, user.email, PASSWORD)
        response = client.get(url)
        assert response.status_code == expected, user.email
        if expected == 200:
            assert response.data == PDF_BYTES and response.mimetype == "application/pdf"
            assert response.headers["Cache-Control"] == "private, no-store"
        client.post("/compte/deconnexion")
