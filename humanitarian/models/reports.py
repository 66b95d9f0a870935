from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow
from .enums import Channel, Sensitivity


class Report(Base):
    """The envelope every append arrives in. Holds the idempotency key and, once the append
    has committed, the exact response so a retry gets the same answer."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("api_token_id", "idempotency_key"),
        UniqueConstraint("user_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "report_channel"))
    organization_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organizations.id"), index=True
    )
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    api_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(
        ForeignKey("api_tokens.id"), index=True
    )
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200))
    request_hash: Mapped[Optional[str]] = mapped_column(String(64))
    response_status: Mapped[Optional[int]] = mapped_column(Integer)
    response_body: Mapped[Optional[Any]] = mapped_column(JSON)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEvent(Base):
    """Append-only trail. No code path updates or deletes these rows.

    ``sensitivity`` is the level of what the entry reveals: the record it concerns (for a
    correction, the higher of before and after), a sitrep's audience, a token's or account's
    grant, or else the acting account's grant. Readers of the trail see only the entries at or
    below their own grant."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[Optional[str]] = mapped_column(String(40))
    entity_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    report_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("reports.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    api_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(
        ForeignKey("api_tokens.id"), index=True
    )
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    request_id: Mapped[Optional[str]] = mapped_column(String(64))
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    details: Mapped[Optional[Any]] = mapped_column(JSON)
    # Entries written before the column existed are taken as restricted: nothing says otherwise.
    sensitivity: Mapped[Sensitivity] = mapped_column(
        enum_column(Sensitivity, "audit_sensitivity"), server_default="restricted"
    )
