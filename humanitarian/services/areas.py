"""Admin areas: lookups and p-code subtree filters."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, or_, select

from ..extensions import db
from ..models import AdminArea
from .common import session_cache
from .errors import InvalidInput, NotFound
from .places import current_places


def get_area(pcode: str) -> AdminArea:
    area = db.session.get(AdminArea, pcode)
    if area is None:
        raise NotFound(f"no admin area with p-code '{pcode}'")
    return area


def require_area(pcode: str, field: str = "admin_pcode") -> AdminArea:
    known = session_cache("areas")
    if pcode not in known:
        with db.session.no_autoflush:  # reference data: records pending in a batch can wait
            if known:
                # A second p-code in one session means a batch: one query for every area
                # beats a round trip per p-code (hundreds in a national 1,000-record batch).
                known.update((a.pcode, a) for a in db.session.scalars(select(AdminArea)))
            if pcode not in known:
                known[pcode] = db.session.get(AdminArea, pcode)
    area = known[pcode]
    if area is None:
        raise InvalidInput(
            f"unknown p-code '{pcode}'", errors={field: [f"Unknown p-code '{pcode}'."]}
        )
    return area


def existing_pcodes(pcodes: set[str]) -> set[str]:
    if not pcodes:
        return set()
    return set(db.session.scalars(select(AdminArea.pcode).where(AdminArea.pcode.in_(pcodes))))


def subtree_pcodes(pcode: str):
    """A subquery of the p-codes at and under ``pcode``."""
    area = get_area(pcode)
    return select(AdminArea.pcode).where(
        or_(AdminArea.path == area.path, AdminArea.path.like(area.path + "/%"))
    )


def in_subtree(column, pcode: str) -> ColumnElement[bool]:
    return column.in_(subtree_pcodes(pcode))


def list_areas(
    level: Optional[int] = None, parent: Optional[str] = None, q: Optional[str] = None
) -> list[AdminArea]:
    """Areas by p-code; with ``q``, those whose English or Arabic name or p-code matches
    (case, accents, apostrophes, hyphens, hamza forms and tashkeel forgiven), best first."""
    stmt = select(AdminArea).order_by(AdminArea.pcode)
    if level is not None:
        stmt = stmt.where(AdminArea.level == level)
    if parent is not None:
        stmt = stmt.where(AdminArea.parent_pcode == parent)
    if not q:
        return list(db.session.scalars(stmt))
    ranks = current_places().search(q)
    stmt = stmt.where(AdminArea.pcode.in_(ranks))
    return sorted(db.session.scalars(stmt), key=lambda a: (ranks[a.pcode], a.level, a.pcode))


DISTRICT_LEVEL = 2


def district_of(pcode: Optional[str]) -> Optional[str]:
    """The district (admin level 2) holding ``pcode``, or ``pcode`` itself when it is a
    district or coarser (or unknown)."""
    district = current_places().ancestor(pcode, DISTRICT_LEVEL)
    return district.pcode if district is not None else pcode


def centroid(pcode: Optional[str]) -> tuple[Optional[float], Optional[float]]:
    """(lat, lon) of the area's centroid; (None, None) for an unknown area."""
    place = current_places().get(pcode)
    return (place.centroid_lat, place.centroid_lon) if place else (None, None)
