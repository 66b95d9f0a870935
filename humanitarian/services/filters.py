"""Filters shared by list queries, exports, summaries and sitreps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass
class RecordFilter:
    admin_pcode: Optional[str] = None
    since: Optional[date] = None
    until: Optional[date] = None
    updated_since: Optional[datetime] = None
    event_types: list[str] = field(default_factory=list)
    sub_event_types: list[str] = field(default_factory=list)
    target_types: list[str] = field(default_factory=list)
    verifications: list[str] = field(default_factory=list)
    movement_types: list[str] = field(default_factory=list)
    facility_types: list[str] = field(default_factory=list)
    # Facilities by the current entry's condition (DOMAIN.md's dimensions).
    functionalities: list[str] = field(default_factory=list)
    accesses: list[str] = field(default_factory=list)
    damages: list[str] = field(default_factory=list)
    civilian_targeting: Optional[bool] = None
    bbox: Optional[BBox] = None
    name: Optional[str] = None  # facilities: name contains, English or Arabic, any case

    @property
    def condition(self) -> dict[str, list[str]]:
        """The condition filters by dimension name."""
        return {
            "functionality": self.functionalities,
            "access": self.accesses,
            "damage": self.damages,
        }


@dataclass
class Page:
    items: list
    next_cursor: Optional[str]


def start_of(day: date, plus_days: int = 0) -> datetime:
    """Midnight UTC at the start of ``day`` (+ ``plus_days``), for inclusive date bounds on timestamps."""
    return datetime.combine(day + timedelta(days=plus_days), time.min, tzinfo=UTC)
