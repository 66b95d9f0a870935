"""Import jobs: an uploaded ACLED or HXL file, processed once by the scheduler process (or
``flask imports run``), with its progress, counts and row errors."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from .base import Base, UTCDateTime, enum_column, new_uuid, utcnow
from .enums import Sensitivity


class ImportFormat(enum.StrEnum):
    acled = "acled"
    hxl = "hxl"


class ImportState(enum.StrEnum):
    pending = "pending"
    running = "running"
    succeeded = "succeeded"  # the file was read to the end and its good rows written
    failed = "failed"  # refused as a whole (not readable, rows refused): nothing written


COUNTS = ("created", "updated", "unchanged", "retracted", "refused")


class ImportJob(Base):
    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("processed_rows >= 0", name="processed_rows_non_negative"),
        Index("ix_import_jobs_state_created_at", "state", "created_at"),
        # A retried upload with the same Idempotency-Key finds its job instead of adding one.
        UniqueConstraint("api_token_id", "idempotency_key"),
        UniqueConstraint("user_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    format: Mapped[ImportFormat] = mapped_column(enum_column(ImportFormat, "import_format"))
    kind: Mapped[str] = mapped_column(String(20))  # "incidents" or "movements"
    filename: Mapped[str] = mapped_column(String(300), default="")
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    state: Mapped[ImportState] = mapped_column(
        enum_column(ImportState, "import_state"), default=ImportState.pending
    )
    # The uploaded bytes, kept in the database so any process can run the job; dropped once
    # it has run. Deferred: listing jobs never loads them.
    content: Mapped[Optional[bytes]] = deferred(mapped_column(LargeBinary))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[Optional[int]] = mapped_column(Integer)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    retracted: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 12, "column": "event_date", "message": "..."}], the first ERRORS_KEPT of them.
    errors: Mapped[Any] = mapped_column(JSON, default=list)
    error: Mapped[Optional[str]] = mapped_column(Text)  # why a whole file was refused
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    api_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("api_tokens.id"))
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
