"""Sitrep schedules as data: what to generate, when, in which edition and language, and who
receives it by e-mail, with a delivery log per recipient."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, new_uuid, utcnow
from .enums import Sensitivity


class Cadence(enum.StrEnum):
    """Daily: the previous day. Weekly (on a weekday): the seven days before it. Monthly
    (on the 1st): the previous calendar month."""

    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class Language(enum.StrEnum):
    en = "en"
    ar = "ar"


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # due at next_attempt_at
    sent = "sent"
    failed = "failed"  # gave up: a permanent refusal or every attempt used
    cancelled = "cancelled"  # the recipient unsubscribed or the schedule changed before sending


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SitrepSchedule(Base):
    """One recurring sitrep. ``next_run_at`` is the next time it is due (UTC), recomputed
    whenever the schedule changes, so every scheduler process follows the table."""

    __tablename__ = "sitrep_schedules"
    __table_args__ = (
        CheckConstraint(
            "weekday IS NULL OR weekday IN ('mon','tue','wed','thu','fri','sat','sun')",
            name="weekday_valid",
        ),
        CheckConstraint("cadence <> 'weekly' OR weekday IS NOT NULL", name="weekly_has_weekday"),
        Index("ix_sitrep_schedules_active_next_run_at", "active", "next_run_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), default="")
    admin_pcode: Mapped[str] = mapped_column(ForeignKey("admin_areas.pcode"), index=True)
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence, "schedule_cadence"))
    weekday: Mapped[Optional[str]] = mapped_column(String(3))
    run_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Damascus")
    audience: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "schedule_audience"))
    language: Mapped[Language] = mapped_column(enum_column(Language, "schedule_language"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_run_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipients: Mapped[list[SitrepRecipient]] = relationship(
        back_populates="schedule",
        order_by="SitrepRecipient.email",
        cascade="all, delete-orphan",
    )


class SitrepRecipient(Base):
    """An e-mail address that receives a schedule's sitreps until it unsubscribes."""

    __tablename__ = "sitrep_recipients"
    __table_args__ = (UniqueConstraint("schedule_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sitrep_schedules.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unsubscribed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    schedule: Mapped[SitrepSchedule] = relationship(back_populates="recipients")

    @property
    def subscribed(self) -> bool:
        return self.unsubscribed_at is None


class SitrepDelivery(Base):
    """One sitrep sent (or being sent) to one recipient: the delivery log."""

    __tablename__ = "sitrep_deliveries"
    __table_args__ = (
        UniqueConstraint("sitrep_id", "recipient_id"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_sitrep_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitrep_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sitreps.id"), index=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sitrep_schedules.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("sitrep_recipients.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attached: Mapped[Optional[bool]] = mapped_column(Boolean)  # False: sent as a link
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
