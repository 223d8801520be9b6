"""Settings, read from environment variables once at start-up.

Two run modes share one code path:

* **embedded** (default): SQLite under ``instance/``, jobs run in-process after the
  request's commit, e-mails written to ``instance/outbox/``, a secret key generated
  once and kept in ``instance/secret_key``;
* **production** (``MARKETPLACE_ENV=production``): ``DATABASE_URL`` and ``REDIS_URL``
  point at PostgreSQL and Redis, ``SECRET_KEY`` must be given.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from marketplace.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: inside the installed package, else at the checkout's top."""
    packaged = Path(__file__).resolve().parent / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / name


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name) or default
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigurationError(f"{name} doit être un nombre décimal (reçu : {raw!r}).") from exc


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} doit être un entier (reçu : {raw!r}).") from exc


def instance_path_from_env() -> Path:
    """The instance folder: ``MARKETPLACE_INSTANCE`` or ``./instance``."""
    return Path(os.environ.get("MARKETPLACE_INSTANCE") or Path.cwd() / "instance").resolve()


def embedded_secret_key(instance: Path) -> str:
    """Read, or create once, the secret key of the embedded mode."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create exclusively so two processes starting together keep one key.
    try:
        with open(path, "x") as fh:
            fh.write(key)
        os.chmod(path, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key


def load_settings(instance: Path) -> dict:
    """Settings from the environment, validated; raises ConfigurationError."""
    env = os.environ.get("MARKETPLACE_ENV", "embedded").strip().lower()
    if env not in {"embedded", "production"}:
        raise ConfigurationError("MARKETPLACE_ENV doit valoir « embedded » ou « production ».")
    production = env == "production"

    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError(
                "SECRET_KEY est obligatoire en production : définissez une valeur longue et "
                "aléatoire (par exemple `python -c 'import secrets; print(secrets.token_hex(32))'`)."
            )
        secret_key = embedded_secret_key(instance)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'marketplace.sqlite'}"
    if production and database_url.startswith("sqlite"):
        raise ConfigurationError("DATABASE_URL doit pointer vers PostgreSQL en production.")
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    redis_url = os.environ.get("REDIS_URL") or None
    if production and not redis_url:
        raise ConfigurationError("REDIS_URL est obligatoire en production (files RQ).")

    storage_backend = (os.environ.get("STORAGE_BACKEND") or "local").strip().lower()
    if storage_backend not in {"local", "s3"}:
        raise ConfigurationError("STORAGE_BACKEND doit valoir « local » ou « s3 ».")
    if storage_backend == "s3" and not os.environ.get("S3_BUCKET"):
        raise ConfigurationError("S3_BUCKET est obligatoire avec STORAGE_BACKEND=s3.")

    fee_rate = _env_decimal("PLATFORM_FEE_RATE", "0.15")
    if not Decimal("0") <= fee_rate < Decimal("1"):
        raise ConfigurationError("PLATFORM_FEE_RATE doit être compris entre 0 et 1 (ex. 0.15).")

    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    hosts = [h.strip() for h in (os.environ.get("TRUSTED_HOSTS") or "").split(",") if h.strip()]
    if production and not hosts:
        hosts = [urlsplit(base_url).hostname or ""]
    return {
        "MARKETPLACE_ENV": env,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BASE_URL": base_url,
        # Hosts the app answers for (others get 400); unset in the embedded mode.
        "TRUSTED_HOSTS": hosts or None,
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # Throttling of log-ins, resets, sign-ups, public tools and the API (see web/security.py).
        "THROTTLING": _env_bool("THROTTLING", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        # A Redis outage must not stop log-ins: the limiter falls back to memory.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOG_FORMAT": (os.environ.get("LOG_FORMAT") or "text").strip().lower(),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "OM Partagé <no-reply@marketplace.local>"  # the brand people know
        ),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_CONNECT_WEBHOOK_SECRET": os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET") or None,
        "STRIPE_API_VERSION": os.environ.get("STRIPE_API_VERSION") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # Stripe.js, loaded by the payment method page only (localstripe serves its own copy).
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/",
        "PLATFORM_FEE_RATE": fee_rate,
        # The platform as the seller of its fee invoices (defaults: the demo's fictitious company).
        "PLATFORM_LEGAL_NAME": os.environ.get("PLATFORM_LEGAL_NAME") or "OM Partagé SAS",
        "PLATFORM_LEGAL_MENTION": os.environ.get("PLATFORM_LEGAL_MENTION")
        or "SAS au capital de 20 000 € – RCS Paris",
        "PLATFORM_SIRET": os.environ.get("PLATFORM_SIRET") or "91234567500017",
        "PLATFORM_VAT_NUMBER": os.environ.get("PLATFORM_VAT_NUMBER") or "FR65912345675",
        "PLATFORM_ADDRESS_LINE": os.environ.get("PLATFORM_ADDRESS_LINE") or "12 rue de la Chaussée-d'Antin",
        "PLATFORM_POSTAL_CODE": os.environ.get("PLATFORM_POSTAL_CODE") or "75009",
        "PLATFORM_CITY": os.environ.get("PLATFORM_CITY") or "Paris",
        "PLATFORM_BILLING_EMAIL": os.environ.get("PLATFORM_BILLING_EMAIL") or "facturation@om-partage.example",
        # The account SMEs pay invoices into by bank transfer (the demo's is fictitious: bank 99999).
        "PLATFORM_IBAN": os.environ.get("PLATFORM_IBAN") or "FR19 3000 4429 0214 4370 2485 447",
        "PLATFORM_BIC": os.environ.get("PLATFORM_BIC") or "OMPAFRPPXXX",
        # The legal notices (loi n° 2004-575, art. 6): publisher, director of publication, host.
        # Defaults: the demo's fictitious company; bracketed values are placeholders to set.
        "LEGAL_PUBLISHER_NAME": os.environ.get("LEGAL_PUBLISHER_NAME") or os.environ.get("PLATFORM_LEGAL_NAME")
        or "OM Partagé SAS",
        "LEGAL_PUBLISHER_FORM": os.environ.get("LEGAL_PUBLISHER_FORM") or os.environ.get("PLATFORM_LEGAL_MENTION")
        or "SAS au capital de 20 000 € – RCS Paris",
        "LEGAL_PUBLISHER_ADDRESS": os.environ.get("LEGAL_PUBLISHER_ADDRESS")
        or "12 rue de la Chaussée-d'Antin, 75009 Paris",
        "LEGAL_PUBLISHER_SIRET": os.environ.get("LEGAL_PUBLISHER_SIRET") or os.environ.get("PLATFORM_SIRET")
        or "91234567500017",
        "LEGAL_PUBLICATION_DIRECTOR": os.environ.get("LEGAL_PUBLICATION_DIRECTOR")
        or "[LEGAL_PUBLICATION_DIRECTOR : nom du directeur de la publication]",
        "LEGAL_CONTACT_EMAIL": os.environ.get("LEGAL_CONTACT_EMAIL") or "contact@om-partage.example",
        "LEGAL_PRIVACY_EMAIL": os.environ.get("LEGAL_PRIVACY_EMAIL") or os.environ.get("LEGAL_CONTACT_EMAIL")
        or "donnees-personnelles@om-partage.example",
        "LEGAL_HOST_NAME": os.environ.get("LEGAL_HOST_NAME") or "[LEGAL_HOST_NAME : nom de l'hébergeur]",
        "LEGAL_HOST_ADDRESS": os.environ.get("LEGAL_HOST_ADDRESS") or "[LEGAL_HOST_ADDRESS : adresse de l'hébergeur]",
        "LEGAL_HOST_CONTACT": os.environ.get("LEGAL_HOST_CONTACT") or "[LEGAL_HOST_CONTACT : téléphone ou site de l'hébergeur]",
        # The platform's seal on signed contracts: a PEM key and its certificate chain; unset,
        # a self-signed certificate generated once under <instance>/seal/ (embedded mode).
        "SEAL_KEY_PATH": os.environ.get("SEAL_KEY_PATH") or None,
        "SEAL_CERT_PATH": os.environ.get("SEAL_CERT_PATH") or None,
        "SEAL_KEY_PASSWORD": os.environ.get("SEAL_KEY_PASSWORD") or None,
        "JOB_SWEEP_AFTER_SECONDS": _env_int("JOB_SWEEP_AFTER_SECONDS", 300),
        # A running job's lease: its worker renews it every third of it; a dead worker's job is
        # re-dispatched by the sweep once the lease has run out.
        "JOB_LEASE_SECONDS": _env_int("JOB_LEASE_SECONDS", 120),
        # Extra modules whose jobs are registered (plugins; the test suite's sample jobs).
        "JOB_MODULES": [m.strip() for m in (os.environ.get("MARKETPLACE_JOB_MODULES") or "").split(",") if m.strip()],
        # A CRA left unanswered this many working days is approved by the daily job.
        "TIMESHEET_AUTO_APPROVE_WORKING_DAYS": _env_int("TIMESHEET_AUTO_APPROVE_WORKING_DAYS", 5),
        "UPLOAD_MAX_BYTES": _env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        # Where uploaded documents, contract and invoice PDFs and export archives live:
        # « local » (<instance>/uploads/, one machine) or « s3 » (an S3-compatible object
        # store every machine reaches; credentials unset: boto3's usual chain, e.g. an IAM role).
        "STORAGE_BACKEND": storage_backend,
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_REGION": os.environ.get("S3_REGION") or None,
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "S3_PREFIX": os.environ.get("S3_PREFIX") or "",
        "PASSWORD_RESET_MAX_AGE": _env_int("PASSWORD_RESET_MAX_AGE", 3600),
        # Seconds between two looks of a process for a matcher model refitted elsewhere (one small query).
        "MATCHER_CHECK_SECONDS": _env_int("MATCHER_CHECK_SECONDS", 30),
        # Days between an account's closure and the erasure of its personal data (cancellable until then).
        "ACCOUNT_CLOSURE_GRACE_DAYS": _env_int("ACCOUNT_CLOSURE_GRACE_DAYS", 30),
        # Days a personal data export (and its e-mailed link) stays available.
        "DATA_EXPORT_DAYS": _env_int("DATA_EXPORT_DAYS", 7),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
    }
