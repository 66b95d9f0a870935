"""Incidents (with revisions), facilities with status history, and population movements."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Source
from .base import Base, UTCDateTime, enum_column, new_uuid, non_negative, utcnow
from .enums import (
    EVENT_TAXONOMY,
    Access,
    Damage,
    DatePrecision,
    EstimateMethod,
    EventType,
    FacilityType,
    Functionality,
    MovementType,
    Sensitivity,
    SubEventType,
    TargetType,
    Verification,
    is_impaired,
)


def _link_table(name: str, owner: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owner}s.id", ondelete="CASCADE"), primary_key=True),
        Column("source_id", ForeignKey("sources.id"), primary_key=True),
    )


incident_sources = _link_table("incident_sources", "incident")
movement_sources = _link_table("movement_sources", "movement")
status_sources = Table(
    "status_sources",
    Base.metadata,
    Column(
        "status_id", ForeignKey("infrastructure_statuses.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("source_id", ForeignKey("sources.id"), primary_key=True),
)


def _location_checks() -> list[CheckConstraint]:
    return [
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="lat_lon_together"),
        CheckConstraint("geo_precision BETWEEN 1 AND 3", name="geo_precision_range"),
    ]


def _taxonomy_check() -> CheckConstraint:
    pairs = " OR ".join(
        f"(event_type = '{e}' AND sub_event_type IN ({', '.join(repr(s) for s in subs)}))"
        for e, subs in EVENT_TAXONOMY.items()
    )
    return CheckConstraint(f"sub_event_type IS NULL OR {pairs}", name="sub_event_matches_type")


class _Tracked:
    """Columns every record carries: who appended it, when, how sensitive, how verified."""

    admin_pcode: Mapped[str] = mapped_column(ForeignKey("admin_areas.pcode"), index=True)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    geo_precision: Mapped[int] = mapped_column(Integer, default=3)
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    verification: Mapped[Verification] = mapped_column(
        enum_column(Verification, "verification"), default=Verification.unverified
    )
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class _Retractable:
    """A record that should never have been published is retracted, never deleted: it leaves
    every output (``services.visibility``) and keeps its history for administrators. Who
    retracted it is in the audit trail."""

    retracted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[Optional[str]] = mapped_column(Text)

    @property
    def retracted(self) -> bool:
        return self.retracted_at is not None


class Incident(_Retractable, _Tracked, Base):
    """The latest revision of an incident; earlier ones live in ``incident_revisions``."""

    __tablename__ = "incidents"
    __table_args__ = (
        *_location_checks(),
        *non_negative("killed", "injured", "civilians_killed", "children_killed"),
        CheckConstraint(
            "civilians_killed IS NULL OR killed IS NULL OR civilians_killed <= killed",
            name="civilians_within_killed",
        ),
        CheckConstraint(
            "children_killed IS NULL OR killed IS NULL OR children_killed <= killed",
            name="children_within_killed",
        ),
        CheckConstraint("revision >= 1", name="revision_positive"),
        _taxonomy_check(),
        Index("ix_incidents_occurred_on_id", "occurred_on", "id"),
        Index("ix_incidents_admin_pcode_occurred_on", "admin_pcode", "occurred_on"),
        # Newest-first pages filtered by a rare event type walk only that type's rows
        # (bench/results.md: a sparse filter went from 0.8 s to 30 ms at 1M incidents).
        Index("ix_incidents_event_type_occurred_on_id", "event_type", "occurred_on", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # What readers below 'restricted' are shown (``services/visibility.py``): the number of
    # revisions made at a level their grant reaches, and when the first of them was made; null
    # while none was. Revisions made while the incident was above their grant leave no trace.
    revision_public: Mapped[Optional[int]] = mapped_column(Integer)
    revision_partner: Mapped[Optional[int]] = mapped_column(Integer)
    created_at_public: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at_partner: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[Optional[time]] = mapped_column(Time)
    date_precision: Mapped[DatePrecision] = mapped_column(
        enum_column(DatePrecision, "date_precision"), default=DatePrecision.day
    )
    event_type: Mapped[EventType] = mapped_column(enum_column(EventType, "event_type"))
    sub_event_type: Mapped[Optional[SubEventType]] = mapped_column(
        enum_column(SubEventType, "sub_event_type")
    )
    target_type: Mapped[Optional[TargetType]] = mapped_column(
        enum_column(TargetType, "target_type")
    )
    facility_id: Mapped[Optional[uuid.UUID]] = mapped_column(
        ForeignKey("facilities.id"), index=True
    )
    actor1: Mapped[Optional[str]] = mapped_column(String(300))
    actor2: Mapped[Optional[str]] = mapped_column(String(300))
    perpetrator_claimed_by: Mapped[Optional[str]] = mapped_column(String(300))
    # ACLED's associated actors (``assoc_actor_1``/``_2``: several, separated by "; ").
    assoc_actor1: Mapped[Optional[str]] = mapped_column(String(500))
    assoc_actor2: Mapped[Optional[str]] = mapped_column(String(500))
    # Civilians were the direct target (ACLED's ``civilian_targeting``).
    civilian_targeting: Mapped[bool] = mapped_column(Boolean, default=False)
    # ACLED's ``disorder_type`` ("Political violence", "Demonstrations"...), as exported.
    disorder_type: Mapped[Optional[str]] = mapped_column(String(100))
    # The named place as reported (ACLED's ``location``), finer than the admin area.
    location_name: Mapped[Optional[str]] = mapped_column(String(300))
    killed: Mapped[Optional[int]] = mapped_column(Integer)
    injured: Mapped[Optional[int]] = mapped_column(Integer)
    civilians_killed: Mapped[Optional[int]] = mapped_column(Integer)
    children_killed: Mapped[Optional[int]] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The identifier in the system an incident was imported from, e.g. "acled:SYR12345".
    external_id: Mapped[Optional[str]] = mapped_column(String(100), unique=True, index=True)
    # When the source system last changed it (ACLED's ``timestamp``): a re-import revises
    # only events changed since.
    external_updated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    sources: Mapped[list[Source]] = relationship(secondary=incident_sources, order_by=Source.id)
    facility: Mapped[Optional[Facility]] = relationship(back_populates="incidents")
    revisions: Mapped[list[IncidentRevision]] = relationship(
        back_populates="incident", order_by="IncidentRevision.revision"
    )


class IncidentRevision(Base):
    """A full snapshot of an incident as of one revision, with who changed it and why."""

    __tablename__ = "incident_revisions"
    __table_args__ = (
        UniqueConstraint("incident_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("revision = 1 OR reason IS NOT NULL", name="correction_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    data: Mapped[Any] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    author_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    author_token_id: Mapped[Optional[uuid.UUID]] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="revisions")


class Facility(_Tracked, Base):
    __tablename__ = "facilities"
    __table_args__ = (*_location_checks(),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(300))
    name_ar: Mapped[str] = mapped_column(String(300), default="")
    facility_type: Mapped[FacilityType] = mapped_column(enum_column(FacilityType, "facility_type"))
    description: Mapped[str] = mapped_column(Text, default="")
    # Bumped under a row lock on every status change so concurrent writers serialise.
    status_seq: Mapped[int] = mapped_column(Integer, default=0)
    # ``updated_at`` as readers below 'restricted' see it: moved only by changes their grant
    # reaches (a restricted status entry does not move the public one). Indexed: it is what
    # their ``updated_since`` filters on.
    updated_at_public: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    updated_at_partner: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)

    statuses: Mapped[list[InfrastructureStatus]] = relationship(
        back_populates="facility", order_by="InfrastructureStatus.seq"
    )
    incidents: Mapped[list[Incident]] = relationship(back_populates="facility")


class InfrastructureStatus(_Retractable, Base):
    """Append-only status history. The current status is the latest entry in effect."""

    __tablename__ = "infrastructure_statuses"
    __table_args__ = (
        UniqueConstraint("facility_id", "seq"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="period_order"
        ),
        Index("ix_infrastructure_statuses_facility_effective", "facility_id", "effective_from"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"))
    seq: Mapped[int] = mapped_column(Integer)
    # The condition in four dimensions (DOMAIN.md). Every row holds all of them: what an
    # append did not state was carried over from the entry in effect.
    functionality: Mapped[Functionality] = mapped_column(
        enum_column(Functionality, "functionality"), default=Functionality.unknown
    )
    access: Mapped[Access] = mapped_column(enum_column(Access, "access"), default=Access.unknown)
    damage: Mapped[Damage] = mapped_column(enum_column(Damage, "damage"), default=Damage.unknown)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_to: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    details: Mapped[Optional[str]] = mapped_column(Text)
    controlled_by: Mapped[Optional[str]] = mapped_column(String(300))
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    verification: Mapped[Verification] = mapped_column(
        enum_column(Verification, "verification"), default=Verification.unverified
    )
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def impaired(self) -> bool:
        return is_impaired(self.functionality, self.access, self.damage)

    facility: Mapped[Facility] = relationship(back_populates="statuses")
    sources: Mapped[list[Source]] = relationship(secondary=status_sources, order_by=Source.id)


class PopulationMovement(_Retractable, Base):
    """A flow of people between two areas over a period. Flows, not stocks."""

    __tablename__ = "movements"
    __table_args__ = (
        CheckConstraint(
            "origin_pcode IS NOT NULL OR destination_pcode IS NOT NULL",
            name="origin_or_destination",
        ),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("individuals IS NULL OR individuals > 0", name="individuals_positive"),
        CheckConstraint("households IS NULL OR households > 0", name="households_positive"),
        CheckConstraint(
            "individuals IS NOT NULL OR households IS NOT NULL", name="individuals_or_households"
        ),
        Index("ix_movements_period_start_id", "period_start", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    movement_type: Mapped[MovementType] = mapped_column(enum_column(MovementType, "movement_type"))
    origin_pcode: Mapped[Optional[str]] = mapped_column(ForeignKey("admin_areas.pcode"), index=True)
    destination_pcode: Mapped[Optional[str]] = mapped_column(
        ForeignKey("admin_areas.pcode"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    individuals: Mapped[Optional[int]] = mapped_column(Integer)
    households: Mapped[Optional[int]] = mapped_column(Integer)
    estimate_method: Mapped[EstimateMethod] = mapped_column(
        enum_column(EstimateMethod, "estimate_method")
    )
    description: Mapped[str] = mapped_column(Text, default="")
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity, "sensitivity"))
    verification: Mapped[Verification] = mapped_column(
        enum_column(Verification, "verification"), default=Verification.unverified
    )
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The identifier in the file it was imported from ("hxl:<#meta+id>"): importing the same
    # file again finds it instead of adding it twice.
    external_id: Mapped[Optional[str]] = mapped_column(String(100), unique=True, index=True)

    sources: Mapped[list[Source]] = relationship(secondary=movement_sources, order_by=Source.id)
