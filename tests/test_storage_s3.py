"""Files in an S3-compatible object store (moto as a server): the same storage interface as on disk."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.config import load_settings
from marketplace.errors import ConfigurationError
from marketplace.models.documents import Document
from marketplace.platform import storage
from tests.conftest import login
from tests.factories import PASSWORD, FreelancerProfileFactory, SmeUserFactory
from tests.freelancer_support import PDF_BYTES, PNG_BYTES


@pytest.fixture()
def s3_app(app, db_session, object_store):
    """The test app with its files in the object store's bucket (the database still rolled back per test)."""
    saved = {key: app.config.get(key) for key in object_store.settings}
    app.config.update(object_store.settings)
    app.extensions.pop("marketplace.storage", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("marketplace.storage", None)


def local_files(app) -> list[Path]:
    root = Path(app.instance_path) / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_bytes_round_trip_through_the_bucket(s3_app, object_store):
    before = local_files(s3_app)
    content = b"PK\x03\x04 une archive d'export" * 5000  # several chunks when streamed
    with s3_app.app_context():
        key = storage.store_bytes(content)
        assert object_store.names() == [f"files/{key}"]
        assert object_store.content(f"files/{key}") == content
        assert storage.exists(key) and storage.read_key(key) == content

        with storage.local_copy(key) as path:  # for a library that insists on a path
            assert path.read_bytes() == content
        assert not path.exists()

        assert storage.remove(key) is True
        assert object_store.names() == [] and not storage.exists(key)
        assert storage.remove(key) is False
        with pytest.raises(FileNotFoundError):
            storage.read_key(key)
        with pytest.raises(RuntimeError, match="object store"):
            storage.path_of_key(key)
    assert local_files(s3_app) == before  # nothing touched the instance folder


def test_documents_stream_from_the_bucket(s3_app, object_store, db_session, freelancer):
    with s3_app.app_context():
        document = storage.store_upload(
            db_session, owner=freelancer.user, profile_id=freelancer.id, kind="insurance",
            stream=io.BytesIO(PDF_BYTES), filename="assurance.pdf",
        )
        stored = storage.open_stream(document)
        assert stored.size == len(PDF_BYTES) and b"".join(stored.chunks) == PDF_BYTES
        object_store.client.delete_object(Bucket=object_store.bucket, Key=f"files/{document.storage_key}")
        with pytest.raises(FileNotFoundError):
            storage.open_stream(document)


def _upload(client, kind: str, content: bytes, filename: str, **fields):
    data = {f"{kind}-file": FileStorage(io.BytesIO(content), filename)}
    data.update({f"{kind}-{k}": v for k, v in fields.items()})
    boundary, body = encode_multipart(data)
    return client.post(
        f"/freelance/profil/justificatifs/{kind}", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_an_uploaded_document_is_kept_in_the_bucket_and_served_to_its_owner_only(s3_app, object_store, db_session):
    owner = FreelancerProfileFactory(status="draft", user__email="lea@example.test")
    FreelancerProfileFactory(user__email="autre-om@example.test")
    SmeUserFactory(email="pme@example.test")
    before = local_files(s3_app)

    client = s3_app.test_client()
    login(client, "lea@example.test", PASSWORD)
    response = _upload(client, "identity", PNG_BYTES, "cni.png")
    assert response.status_code == 302

    document = db_session.query(Document).filter_by(profile_id=owner.id, kind="identity").one()
    assert object_store.names() == [f"files/{document.storage_key}"]
    assert object_store.content(f"files/{document.storage_key}") == PNG_BYTES
    assert local_files(s3_app) == before

    page = client.get("/freelance/profil/justificatifs").text
    link = re.search(r'href="(/fichiers/\d+)">cni\.png<', page).group(1)
    served = client.get(link)
    assert served.status_code == 200 and served.data == PNG_BYTES
    assert served.headers["Content-Type"] == "image/png" and served.headers["Cache-Control"] == "private, no-store"
    assert served.headers["Content-Length"] == str(len(PNG_BYTES))
    assert "amazonaws" not in page and object_store.endpoint not in page  # no bucket URL handed out

    for other in ("autre-om@example.test", "pme@example.test"):
        stranger = s3_app.test_client()
        login(stranger, other, PASSWORD)
        assert stranger.get(link).status_code == 404
    assert s3_app.test_client().get(link).status_code == 302  # anonymous: to the log-in page

    # Lost from the bucket: a 404, never a stack trace.
    object_store.client.delete_object(Bucket=object_store.bucket, Key=f"files/{document.storage_key}")
    assert client.get(link).status_code == 404


def test_the_object_store_needs_a_bucket(monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ConfigurationError, match="S3_BUCKET"):
        load_settings(tmp_path)
    monkeypatch.setenv("STORAGE_BACKEND", "ftp")
    with pytest.raises(ConfigurationError, match="STORAGE_BACKEND"):
        load_settings(tmp_path)
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("S3_BUCKET", "om-partage-fichiers")
    monkeypatch.setenv("S3_PREFIX", "prod/")
    settings = load_settings(tmp_path)
    assert settings["STORAGE_BACKEND"] == "s3" and settings["S3_BUCKET"] == "om-partage-fichiers"
    assert settings["S3_PREFIX"] == "prod/"
