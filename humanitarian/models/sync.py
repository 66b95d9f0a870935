"""Keeping partners in sync: the ordered change feed and the webhook outbox.

``change_log`` holds one row per committed change, in commit order (``position``, assigned at
commit time: see ``services/changes.py``). ``webhook_messages`` is the outbox: one row per
change and matching subscription, written in the same transaction as the change and sent later
by the scheduler; ``webhook_attempts`` is the delivery log.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, new_uuid, utcnow
from .enums import Sensitivity
from .reports import BigIntPK


class ChangeEntry(Base):
    """One committed change of one record. ``sensitivity`` is the lowest level that may learn
    of it (a record made more public appears then; one made less public is withdrawn from
    those who saw it before)."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_kind_record_id", "kind", "record_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column()
    action: Mapped[str] = mapped_column(String(20))
    revision: Mapped[Optional[int]] = mapped_column(Integer)
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    admin_pcode: Mapped[Optional[str]] = mapped_column(String(20))
    other_pcode: Mapped[Optional[str]] = mapped_column(String(20))  # a movement's destination
    report_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("reports.id"))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookSubscription(Base):
    """An organization's subscription: where to send which changes, under whose grant."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    kinds: Mapped[Any] = mapped_column(JSON)  # list of change kinds; empty means all
    admin_pcode: Mapped[Optional[str]] = mapped_column(ForeignKey("admin_areas.pcode"))
    max_sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    # The standard's "whsec_..." secret. HMAC signing needs it in the clear; shown once.
    secret: Mapped[str] = mapped_column(String(100))
    api_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("api_tokens.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[Optional[str]] = mapped_column(Text)
    failing_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookMessage(Base):
    """The outbox: one change to send to one subscription, until it is delivered."""

    __tablename__ = "webhook_messages"
    __table_args__ = (Index("ix_webhook_messages_subscription_state", "subscription_id", "state"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    change_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("change_log.id"))
    # The standard's webhook-id: the same on every retry, so receivers can drop duplicates.
    message_id: Mapped[str] = mapped_column(String(60), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[Optional[Any]] = mapped_column(JSON)  # rendered at the first attempt
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    change: Mapped[ChangeEntry] = relationship()
    subscription: Mapped[WebhookSubscription] = relationship()


class WebhookAttempt(Base):
    """The delivery log: every attempt with its answer and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[Optional[int]] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[Optional[str]] = mapped_column(Text)
