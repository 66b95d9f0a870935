"""What an actor may see: which records, and how much of each record's location and links.

This is the one place that decides it. Every surface asks here: API bodies and exports (through
the output schemas, which take the reader), web pages, sitreps, and whatever later sends records
out (feeds, webhooks).

- **Records.** A record above the actor's sensitivity grant does not exist for them: queries are
  restricted with ``visible``, single records are checked with ``Actor.can_see``.
- **Retracted records** leave every list, export, summary, map and sitrep: ``visible`` leaves
  them out for everyone. Administrators still open one (``may_open``), marked retracted, with
  its history.
- **Locations.** Readers whose grant is ``public`` see a location no finer than its district
  (admin level 2): a sub-district's p-code is shown as its district's (a movement's origin and
  destination too), coordinates are moved to the district's centroid and ``geo_precision``
  becomes 3. Their filters work on what they are shown, so a result can never be narrowed
  below it: an area filter widens to the district (``area_filter``), a ``bbox`` tests the
  district's centroid instead of the stored point (``bbox_filter``, ``areas_in_bbox``), and a
  public sitrep covers a district at least. Otherwise presence in an answer is an oracle: a few
  dozen bounding boxes would binary-search a record's true point.
- **Links.** An incident's link to a facility above the reader's grant is left out: the link
  alone would tell them that the facility exists.
- **Stamps.** No timestamp or counter a reader sees moves because of something above their
  grant: an incident's ``revision`` and ``created_at`` count only the revisions made at a
  level the grant reaches, a facility's ``updated_at`` (and what ``updated_since`` matches)
  moves only with changes the grant reaches. The service layer keeps a column per grant below
  'restricted' (``stamp_incident_revision``, ``stamp_facility``); ``ReaderView.stamps`` and
  ``updated_column`` read them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ColumnElement, Select, and_, select

from ..extensions import db
from ..models import AdminArea, Facility, Incident
from ..models.enums import Scope, Sensitivity, sensitivities_up_to
from .actors import Actor
from .areas import centroid, district_of, in_subtree
from .filters import BBox
from .places import current_places

# ACLED's scale: 1 the reported point, 2 near it, 3 the district (or coarser).
DISTRICT_PRECISION = 3
LOCATION_FIELDS = ("admin_pcode", "latitude", "longitude", "geo_precision")


def shown(model, actor: Actor, *, retracted: bool = False) -> ColumnElement[bool]:
    """The condition on ``model``'s rows that ``visible`` applies: within the grant, and not
    retracted (unless ``retracted``: an administrator's view of a history)."""
    within = model.sensitivity.in_(sensitivities_up_to(actor.max_sensitivity))
    if retracted or not hasattr(model, "retracted_at"):
        return within
    return and_(within, model.retracted_at.is_(None))


def visible(stmt, model, actor: Actor, *, retracted: bool = False):
    """Restrict a select to the records the actor's grant covers, retracted ones left out."""
    return stmt.where(shown(model, actor, retracted=retracted))


def sees_retracted(actor: Actor) -> bool:
    """Administrators still see retracted records, one at a time and with their history."""
    return Scope.admin in actor.scopes


def may_open(actor: Actor, record: Any) -> bool:
    """Whether ``actor`` may open this one record: within the grant, and not retracted unless
    the actor is an administrator."""
    if not actor.can_see(record.sensitivity):
        return False
    return getattr(record, "retracted_at", None) is None or sees_retracted(actor)


def coarsened(actor: Actor) -> bool:
    """Whether the actor sees locations at district level only (a public grant)."""
    return actor.max_sensitivity == Sensitivity.public


def reader_pcode(actor: Actor, pcode: Optional[str]) -> Optional[str]:
    """An area code as this reader sees it, and the area their filter on it covers: its
    district for public readers."""
    return district_of(pcode) if coarsened(actor) else pcode


def area_filter(actor: Actor, column, pcode: str) -> ColumnElement[bool]:
    """``column`` in the subtree of ``pcode``, as this reader may filter it."""
    return in_subtree(column, reader_pcode(actor, pcode))


def bbox_filter(actor: Actor, model, bbox: BBox) -> ColumnElement[bool]:
    """A located record (``latitude``, ``longitude``, ``admin_pcode``) inside ``bbox`` at the
    point this reader is shown: the stored one, or for public readers their district's centroid."""
    if not coarsened(actor):
        return and_(
            model.longitude.between(bbox.min_lon, bbox.max_lon),
            model.latitude.between(bbox.min_lat, bbox.max_lat),
        )
    return and_(model.latitude.is_not(None), model.admin_pcode.in_(areas_in_bbox(actor, bbox)))


def areas_in_bbox(actor: Actor, bbox: BBox) -> Select | list[str]:
    """The areas whose centroid, as this reader is shown it, lies inside ``bbox``: for public
    readers every area whose district's centroid does (a sub-district is shown as its district)."""
    if not coarsened(actor):
        return select(AdminArea.pcode).where(
            AdminArea.centroid_lon.between(bbox.min_lon, bbox.max_lon),
            AdminArea.centroid_lat.between(bbox.min_lat, bbox.max_lat),
        )
    return [
        pcode for pcode in current_places().by_pcode if _inside(bbox, *centroid(district_of(pcode)))
    ]


def _inside(bbox: BBox, lat: Optional[float], lon: Optional[float]) -> bool:
    if lat is None or lon is None:
        return False
    return bbox.min_lon <= lon <= bbox.max_lon and bbox.min_lat <= lat <= bbox.max_lat


# Grants with stamps of their own; 'restricted' readers see every change, so the stored ones.
STAMPED_GRANTS = (Sensitivity.public, Sensitivity.partner)


def stamp_incident_revision(incident: Incident, at: datetime) -> None:
    """A revision of ``incident`` at its (new) sensitivity was made ``at``: it counts for every
    grant that reaches it."""
    for grant in STAMPED_GRANTS:
        if grant.allows(incident.sensitivity):
            count = getattr(incident, f"revision_{grant}") or 0
            setattr(incident, f"revision_{grant}", count + 1)
            if getattr(incident, f"created_at_{grant}") is None:
                setattr(incident, f"created_at_{grant}", at)


def stamp_facility(facility: Facility, level: Sensitivity | str, at: datetime) -> None:
    """A change at ``level`` (the facility itself, or a status entry) was made ``at``."""
    facility.updated_at = at
    for grant in STAMPED_GRANTS:
        if grant.allows(Sensitivity(level)) and grant.allows(facility.sensitivity):
            setattr(facility, f"updated_at_{grant}", at)


def updated_column(actor: Actor, model):
    """The ``updated_at`` column this reader's ``updated_since`` filters on."""
    grant = Sensitivity(actor.max_sensitivity)
    if model is Facility and grant in STAMPED_GRANTS:
        return getattr(Facility, f"updated_at_{grant}")
    return model.updated_at


def location_hidden(actor: Actor, record: Any) -> bool:
    """True when the actor sees this record's location coarser than it is stored (a point
    finer than the district, or an area inside one): a form that showed them the location
    would move it on saving."""
    if not coarsened(actor):
        return False
    fine_point = record.latitude is not None and record.geo_precision < DISTRICT_PRECISION
    return fine_point or district_of(record.admin_pcode) != record.admin_pcode


class ReaderView:
    """What one reader sees of the records shown to them. Make one per response or stream:
    it remembers the facility grants it has looked up."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.coarse = coarsened(actor)
        self._facilities: dict[str, bool] = {}

    def pcode(self, pcode: Optional[str]) -> Optional[str]:
        """An area code as this reader sees it (``reader_pcode``)."""
        return reader_pcode(self.actor, pcode)

    def location(
        self,
        admin_pcode: Optional[str],
        latitude: Optional[float],
        longitude: Optional[float],
        geo_precision: Optional[int],
    ) -> tuple[Optional[str], Optional[float], Optional[float], Optional[int]]:
        """The location as this reader sees it: (admin_pcode, latitude, longitude, precision)."""
        if not self.coarse:
            return admin_pcode, latitude, longitude, geo_precision
        district = self.pcode(admin_pcode)
        if latitude is None:
            return district, None, None, geo_precision
        return district, *centroid(district), DISTRICT_PRECISION

    def location_fields(self, data: dict) -> dict:
        """A record dumped with flat location fields (``LOCATION_FIELDS``), as seen."""
        seen = self.location(*(data.get(name) for name in LOCATION_FIELDS))
        data.update(zip(LOCATION_FIELDS, seen, strict=True))
        return data

    def stamps(self, record: Any) -> dict[str, Any]:
        """The record's stamps (``revision``, ``created_at``, ``updated_at``) as this reader
        sees them, where they differ from the stored ones."""
        grant = Sensitivity(self.actor.max_sensitivity)
        if grant not in STAMPED_GRANTS:
            return {}
        seen = {}
        for name in ("revision", "created_at", "updated_at"):
            # Kinds without a stamp of their own have no attribute: the stored one holds.
            value = getattr(record, f"{name}_{grant}", None)
            if value is not None:
                seen[name] = value
        return seen

    def revision_numbers(self, revisions: list[Any]) -> list[int]:
        """The numbers this reader sees for the revisions of one record they are shown (all
        of those within their grant, oldest first): 1, 2, 3… counting only those."""
        if Sensitivity(self.actor.max_sensitivity) not in STAMPED_GRANTS:
            return [r.revision for r in revisions]
        return list(range(1, len(revisions) + 1))

    def facility_id(self, facility_id: Any) -> Any:
        """The linked facility's id, or None when the facility is above the reader's grant."""
        if facility_id is None:
            return None
        key = str(facility_id)
        if key not in self._facilities:
            facility = db.session.get(Facility, uuid.UUID(key))
            self._facilities[key] = facility is not None and self.actor.can_see(
                facility.sensitivity
            )
        return facility_id if self._facilities[key] else None

    def snapshot(self, data: dict) -> dict:
        """A revision's snapshot (the record as stored then: a nested ``location`` and a
        ``facility_id``), as seen. Returns a copy; the stored snapshot is not touched."""
        seen = dict(data)
        location = seen.get("location")
        if location:
            values = self.location(*(location.get(name) for name in LOCATION_FIELDS))
            seen["location"] = {**location, **dict(zip(LOCATION_FIELDS, values, strict=True))}
        if "facility_id" in seen:
            seen["facility_id"] = self.facility_id(seen["facility_id"])
        return seen
