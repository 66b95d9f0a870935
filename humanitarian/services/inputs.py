"""Typed inputs to the write services. marshmallow schemas build these from request data;
the CLI, seeder and scheduler build them directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Optional

from ..models.enums import (
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
)


@dataclass
class Location:
    """An admin p-code and/or a point. Without a p-code the services take the deepest area
    containing the point; with both, the point must lie in the named area."""

    admin_pcode: Optional[str]
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    geo_precision: int = 3


@dataclass
class IncidentInput:
    title: str
    occurred_on: date
    event_type: EventType
    location: Location
    sub_event_type: Optional[SubEventType] = None
    occurred_at: Optional[time] = None
    date_precision: DatePrecision = DatePrecision.day
    target_type: Optional[TargetType] = None
    facility_id: Optional[uuid.UUID] = None
    actor1: Optional[str] = None
    actor2: Optional[str] = None
    perpetrator_claimed_by: Optional[str] = None
    assoc_actor1: Optional[str] = None
    assoc_actor2: Optional[str] = None
    civilian_targeting: bool = False
    disorder_type: Optional[str] = None
    location_name: Optional[str] = None
    killed: Optional[int] = None
    injured: Optional[int] = None
    civilians_killed: Optional[int] = None
    children_killed: Optional[int] = None
    description: str = ""
    source_ids: list[int] = field(default_factory=list)
    sensitivity: Sensitivity = Sensitivity.public
    verification: Verification = Verification.unverified


@dataclass
class FacilityInput:
    name: str
    facility_type: FacilityType
    location: Location
    name_ar: str = ""
    description: str = ""
    sensitivity: Sensitivity = Sensitivity.public
    verification: Verification = Verification.unverified


@dataclass
class StatusInput:
    """A status change. A dimension left as None carries over from the entry in effect at
    ``effective_from`` (``unknown`` if there is none); ``controlled_by=""`` clears it."""

    effective_from: datetime
    functionality: Optional[Functionality] = None
    access: Optional[Access] = None
    damage: Optional[Damage] = None
    effective_to: Optional[datetime] = None
    reason: Optional[str] = None
    details: Optional[str] = None
    controlled_by: Optional[str] = None
    source_ids: list[int] = field(default_factory=list)
    sensitivity: Sensitivity = Sensitivity.public
    verification: Verification = Verification.unverified


@dataclass
class MovementInput:
    movement_type: MovementType
    period_start: date
    period_end: date
    estimate_method: EstimateMethod
    origin_pcode: Optional[str] = None
    destination_pcode: Optional[str] = None
    individuals: Optional[int] = None
    households: Optional[int] = None
    description: str = ""
    source_ids: list[int] = field(default_factory=list)
    sensitivity: Sensitivity = Sensitivity.public
    verification: Verification = Verification.unverified
