"""Admin areas: lookups and p-code subtree filters."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, or_, select

from ..extensions import db
from ..models import AdminArea
from .common import session_cache
from .errors import BusinessRuleError, NotFound


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
        raise BusinessRuleError(
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
    stmt = select(AdminArea).order_by(AdminArea.pcode)
    if level is not None:
        stmt = stmt.where(AdminArea.level == level)
    if parent is not None:
        stmt = stmt.where(AdminArea.parent_pcode == parent)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                AdminArea.name_en.ilike(like),
                AdminArea.name_ar.like(like),
                AdminArea.pcode.ilike(like),
            )
        )
    return list(db.session.scalars(stmt))


def admin2_centroid(pcode: str) -> tuple[Optional[float], Optional[float]]:
    """The coarsened location shown to public readers: the admin-2 (district) centroid,
    or the closest ancestor's centroid when the record is placed above district level."""
    area = db.session.get(AdminArea, pcode)
    if area is None:
        return None, None
    parts = area.path.split("/")
    target = parts[2] if len(parts) > 2 else parts[-1]
    coarse = area if target == area.pcode else db.session.get(AdminArea, target)
    return coarse.centroid_lat, coarse.centroid_lon
