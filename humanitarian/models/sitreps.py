"""Situation reports: the archive of generated PDFs, generation attempts, and the scheduler's
lease and job store."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, new_uuid, utcnow
from .enums import Sensitivity
from .schedules import Language


class SitrepTrigger(enum.StrEnum):
    """What asked for a sitrep: a schedule, a retry of a failed scheduled run, or a person."""

    schedule = "schedule"
    retry = "retry"
    web = "web"
    cli = "cli"
    api = "api"


class RunStatus(enum.StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Sitrep(Base):
    """One generated situation report. The PDF lives under ``SITREP_DIR`` at ``file_path``;
    the same area, period, audience and language is never generated twice while an edition of
    it stands (a unique index over the editions not withdrawn). A withdrawn edition keeps its
    row and file, is no longer served, and leaves room for a new one."""

    __tablename__ = "sitreps"
    __table_args__ = (
        Index(
            "uq_sitreps_edition",
            "admin_pcode",
            "period_start",
            "period_end",
            "audience",
            "language",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        CheckConstraint("period_end >= period_start", name="period_order"),
        Index("ix_sitreps_generated_at_id", "generated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    admin_pcode: Mapped[str] = mapped_column(ForeignKey("admin_areas.pcode"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    audience: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sitrep_audience"))
    language: Mapped[Language] = mapped_column(
        enum_column(Language, "sitrep_language"), default=Language.en
    )
    title: Mapped[str] = mapped_column(String(300))
    # The highlights as printed, one per line: the body of the e-mail that sends the edition.
    highlights: Mapped[Optional[str]] = mapped_column(Text)
    file_path: Mapped[str] = mapped_column(String(500))
    checksum_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[SitrepTrigger] = mapped_column(enum_column(SitrepTrigger, "sitrep_trigger"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    generated_by_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("api_tokens.id"))
    generated_by: Mapped[str] = mapped_column(String(320), default="")
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[Optional[str]] = mapped_column(String(320))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)


class SitrepRecord(Base):
    """One record an archived sitrep showed, with its sensitivity and revision at the time.

    An edition is a record of what was published: it never changes. This list lets the service
    tell, later, which editions show a record that has since been raised above their audience
    or retracted, so that a person can decide to withdraw them."""

    __tablename__ = "sitrep_records"
    __table_args__ = (Index("ix_sitrep_records_kind_record_id", "kind", "record_id"),)

    sitrep_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sitreps.id", ondelete="CASCADE"), primary_key=True
    )
    # "incident", "facility", "status" or "movement": the record kinds a sitrep shows.
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    revision: Mapped[Optional[int]] = mapped_column(Integer)


class SitrepRun(Base):
    """One attempt to generate a sitrep. Failed attempts carry the error and, while retries
    remain, when the next one is due; admins see them on the sitreps page."""

    __tablename__ = "sitrep_runs"
    __table_args__ = (
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        Index("ix_sitrep_runs_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[Optional[str]] = mapped_column(String(191), index=True)
    trigger: Mapped[SitrepTrigger] = mapped_column(enum_column(SitrepTrigger, "run_trigger"))
    admin_pcode: Mapped[str] = mapped_column(ForeignKey("admin_areas.pcode"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    audience: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "run_audience"))
    language: Mapped[Language] = mapped_column(
        enum_column(Language, "run_language"), default=Language.en
    )
    # The schedule a scheduled run (and its retries) belongs to: its recipients get the result.
    schedule_id: Mapped[Optional[uuid.UUID]] = mapped_column(
        ForeignKey("sitrep_schedules.id", ondelete="SET NULL"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"))
    error: Mapped[Optional[str]] = mapped_column(Text)
    # Which scheduler instance ran it (its lease holder id), or who asked for it.
    runner: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sitrep_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("sitreps.id"))

    sitrep: Mapped[Optional[Sitrep]] = relationship()


class SchedulerLease(Base):
    """A named lease: the one scheduler instance holding an unexpired lease runs jobs; any
    other instance stays passive until the lease expires or is released."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# APScheduler's SQLAlchemyJobStore table, declared here (same columns as APScheduler 3 creates)
# so migrations create it and the migrations-vs-models check covers it.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
