"""An S3-compatible object store for the tests: moto run as a server on 127.0.0.1.

``moto_server`` runs once per test session as its own process (like localstripe in
``tests/payments/conftest.py``), on a free port; ``object_store`` gives each test a
fresh bucket and the settings that point the app at it (``STORAGE_BACKEND=s3`` …).
The app talks to it over HTTP through boto3, exactly as it would to a real store.
"""

from __future__ import annotations

import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.local_servers import free_port, serving

REGION = "eu-west-3"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}),
    )


def storage_settings(endpoint: str, bucket: str, prefix: str = "files/") -> dict[str, str]:
    """The app's settings for this store, as config keys (the same names as the environment variables)."""
    return {
        "STORAGE_BACKEND": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_PREFIX": prefix,
    }


def _answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return True  # it answers, whatever it says
    except OSError:
        return False


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Endpoint URL of a moto S3 server run for the session on a free local port."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is missing: pip install -e '.[test]'")
    port = free_port()
    with serving("moto_server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                 tmp_path_factory.mktemp("moto"), f"http://127.0.0.1:{port}", _answering) as url:
        yield url


class ObjectStore:
    """One bucket of the moto server, and what is in it."""

    def __init__(self, endpoint: str, bucket: str) -> None:
        self.endpoint, self.bucket = endpoint, bucket
        self.client = s3_client(endpoint)
        self.settings = storage_settings(endpoint, bucket)

    def names(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def content(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()


@pytest.fixture()
def object_store(moto_server: str) -> Iterator[ObjectStore]:
    """A fresh, empty bucket for one test (emptied and deleted afterwards)."""
    store = ObjectStore(moto_server, f"marketplace-test-{secrets.token_hex(6)}")
    store.client.create_bucket(Bucket=store.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield store
    for name in store.names():
        store.client.delete_object(Bucket=store.bucket, Key=name)
    store.client.delete_bucket(Bucket=store.bucket)
