from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime


class AdminArea(Base):
    """An OCHA administrative unit. ``path`` is the chain of p-codes from the country down,
    so a subtree filter is one indexed prefix match instead of a recursive query.

    ``boundary`` is the (simplified) polygon as GeoJSON geometry text in WGS84 lon/lat, the
    same on SQLite and PostgreSQL; point-in-area lookups build an in-memory index from it
    (``services/locate.py``). ``updated_at`` is set by every load that changes the row, so
    other processes notice a new gazetteer."""

    __tablename__ = "admin_areas"
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 4", name="level_range"),
        CheckConstraint(
            "centroid_lat IS NULL OR centroid_lat BETWEEN -90 AND 90", name="lat_range"
        ),
        CheckConstraint(
            "centroid_lon IS NULL OR centroid_lon BETWEEN -180 AND 180", name="lon_range"
        ),
    )

    pcode: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    parent_pcode: Mapped[Optional[str]] = mapped_column(ForeignKey("admin_areas.pcode"), index=True)
    path: Mapped[str] = mapped_column(String(200), index=True)
    centroid_lat: Mapped[Optional[float]] = mapped_column(Float)
    centroid_lon: Mapped[Optional[float]] = mapped_column(Float)
    boundary: Mapped[Optional[str]] = mapped_column(Text, deferred=True)
    updated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    parent: Mapped[Optional[AdminArea]] = relationship(
        remote_side=[pcode], back_populates="children"
    )
    children: Mapped[list[AdminArea]] = relationship(back_populates="parent")

    @property
    def admin1_pcode(self) -> Optional[str]:
        parts = self.path.split("/")
        return parts[1] if len(parts) > 1 else None

    @property
    def admin2_pcode(self) -> Optional[str]:
        parts = self.path.split("/")
        return parts[2] if len(parts) > 2 else None
