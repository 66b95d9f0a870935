"""All settings come from environment variables prefixed ``HUMANITARIAN_``.

The README has the same table; keep them in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PREFIX = "HUMANITARIAN_"
_ROOT = Path(__file__).resolve().parent.parent


def _default_instance() -> Path:
    return _ROOT / "instance"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Config:
    """Runtime configuration. Every field maps to ``HUMANITARIAN_<NAME>``."""

    DATABASE_URL: str = ""
    SECRET_KEY: str = ""
    SITREP_DIR: str = ""
    REDIS_URL: str = ""
    ENV: str = "development"  # "production" turns on secure cookies and refuses a default secret
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    IMPORT_MAX_BYTES: int = 100 * 1024 * 1024  # an upload to /imports (ACLED or HXL file)
    IMPORT_POLL_SECONDS: int = 30  # how often the scheduler process looks for uploaded imports
    API_PAGE_MAX: int = 1000
    BATCH_MAX: int = 1000
    IDEMPOTENCY_TTL_HOURS: int = 48
    RATELIMIT_API: str = "600 per minute"
    RATELIMIT_LOGIN: str = "10 per minute"
    RATELIMIT_PREFIX: str = "humanitarian"  # Redis key prefix, so deployments can share a Redis
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted; 0 = none.
    TRUSTED_PROXIES: int = 0
    # Sign-in throttling (services/signin.py): failures counted over LOGIN_LOCKOUT_SECONDS, per
    # account at an address and per address.
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_MAX_ADDRESS_FAILURES: int = 50
    LOGIN_LOCKOUT_SECONDS: int = 900
    SCHEDULER_ENABLED: bool = False
    TIMEZONE: str = "UTC"  # where an on-demand sitrep's days end (schedules have their own)
    SCHEDULER_SYNC_SECONDS: int = 30  # how soon a changed schedule reaches the active scheduler
    SMTP_URL: str = ""  # smtp://[user:password@]host:port[?starttls=true], or smtps://
    SMTP_TIMEOUT_SECONDS: int = 30
    MAIL_FROM: str = "Situation reports <sitreps@localhost>"
    PUBLIC_URL: str = "http://127.0.0.1:5000"  # the service's address, for links in e-mails
    MAIL_ATTACH_MAX_BYTES: int = 5_000_000  # larger PDFs are sent as a signed link
    MAIL_LINK_DAYS: int = 30  # how long such a link works
    MAIL_MAX_ATTEMPTS: int = 6  # a message that fails temporarily is tried this many times
    MAIL_RETRY_MINUTES: int = 5  # first retry delay; doubles after each failure
    SITREP_MAX_ATTEMPTS: int = 4  # a failed scheduled sitrep is tried this many times in all
    SITREP_RETRY_MINUTES: int = 15  # first retry delay; doubles after each failure
    SITREP_STALE_MINUTES: int = 30  # an attempt still running after this long was interrupted
    SCHEDULER_LEASE_SECONDS: int = 60  # a silent scheduler loses its lease after this long
    SCHEDULER_MISFIRE_GRACE_SECONDS: int = 21600  # a run missed by less than this still runs once
    # Webhook URLs on private, loopback or link-local addresses are refused unless this is set.
    WEBHOOK_ALLOW_PRIVATE: bool = False
    WEBHOOK_TIMEOUT_SECONDS: int = 5  # connect and read timeout of one delivery
    WEBHOOK_RETRY_HOURS: int = 24  # a subscription failing this long is disabled
    WEBHOOK_INTERVAL_SECONDS: int = 15  # how often the scheduler sends what is due
    CHANGES_PAGE_MAX: int = 1000  # most entries one /changes page returns
    TESTING: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Config:
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(PREFIX + f.name)
            if raw is None:
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)

    def resolve(self, instance_path: Path | None = None) -> None:
        """Fill defaults that depend on the instance folder."""
        instance = instance_path or _default_instance()
        if not self.DATABASE_URL:
            instance.mkdir(parents=True, exist_ok=True)
            self.DATABASE_URL = f"sqlite:///{instance / 'humanitarian.db'}"
        if not self.SITREP_DIR:
            self.SITREP_DIR = str(instance / "sitreps")
        if not self.SECRET_KEY:
            if self.ENV == "production":
                raise RuntimeError("HUMANITARIAN_SECRET_KEY must be set in production")
            self.SECRET_KEY = "dev-only-not-secret"

    def flask_mapping(self) -> dict:
        """The keys Flask and its extensions read."""
        production = self.ENV == "production"
        mapping = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        mapping.update(
            SQLALCHEMY_DATABASE_URI=self.DATABASE_URL,
            SQLALCHEMY_ENGINE_OPTIONS=_engine_options(self.DATABASE_URL),
            SESSION_COOKIE_SECURE=production,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_SECURE=production,
            WTF_CSRF_TIME_LIMIT=None,
            RATELIMIT_STORAGE_URI=self.REDIS_URL or "memory://",
            RATELIMIT_HEADERS_ENABLED=True,
            RATELIMIT_STORAGE_OPTIONS={"key_prefix": self.RATELIMIT_PREFIX},
            # If the limit store (Redis) is down, serve requests unlimited and log the error
            # rather than refuse everyone: availability matters more than the limit.
            RATELIMIT_SWALLOW_ERRORS=True,
        )
        mapping.update(self.extra)
        return mapping


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
