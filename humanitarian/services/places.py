"""The gazetteer in memory: names, hierarchy, centroids and boundaries of every admin area.

One snapshot per process serves name searches, public coarsening, point-in-area lookups and
maps without a query per area. Whether the database still holds the same gazetteer is checked
once per session (one request, one CLI command) with ``count(*)`` and ``max(updated_at)``:
every load that changes an area stamps it, so a load in another process is noticed by the
next request here. Boundaries are parsed from their GeoJSON text only when first needed, and
parsed geometries are kept by text, so a reload of an unchanged gazetteer parses nothing.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select

from ..extensions import db
from ..models import AdminArea
from .common import session_cache

# أ إ آ ٱ → ا, ى → ي, ة → ه: the spellings people type for the same name.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Tashkeel (harakat, tanwin, shadda, sukun, dagger alif) and tatweel carry no letters.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc\u02bf\u02be`\u00b4]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.,/()]+")


def normalise(text: str) -> str:
    """A search key: case, Latin accents, apostrophes, hyphens, hamza forms, tashkeel and
    tatweel forgiven ("Jisr ash Shugur" = "Jisr-Ash-Shugur", "اعزاز" = "أعزاز")."""
    text = _ARABIC_MARKS.sub("", text.translate(_ARABIC_FOLD))
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c) or _is_arabic(c))
    text = _APOSTROPHES.sub("", text.casefold())
    return _SEPARATORS.sub(" ", text).strip()


def is_whole_match(area, q: str) -> bool:
    """True when ``q`` is the area's p-code or its whole English or Arabic name."""
    key = normalise(q)
    return q.strip().upper() == area.pcode or key in (
        normalise(area.name_en),
        normalise(area.name_ar),
    )


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


@dataclass(frozen=True)
class Place:
    pcode: str
    level: int
    parent_pcode: Optional[str]
    path: str
    name_en: str
    name_ar: str
    centroid_lat: Optional[float]
    centroid_lon: Optional[float]

    @property
    def lineage(self) -> list[str]:
        """p-codes from the country down to this area."""
        return self.path.split("/")


class Places:
    """One consistent view of ``admin_areas``; geometry is loaded on first use."""

    def __init__(self, rows: list[Place]):
        self.serial = next(_serials)  # a key for caches derived from this snapshot
        self.by_pcode = {p.pcode: p for p in rows}
        self.keys = {p.pcode: (normalise(p.name_en), normalise(p.name_ar)) for p in rows}

    def get(self, pcode: Optional[str]) -> Optional[Place]:
        return self.by_pcode.get(pcode or "")

    def ancestor(self, pcode: Optional[str], level: int) -> Optional[Place]:
        """The level-``level`` area at or above ``pcode`` (None when ``pcode`` is coarser)."""
        place = self.get(pcode)
        if place is None or place.level < level:
            return None
        return self.by_pcode.get(place.lineage[level]) if len(place.lineage) > level else None

    def chain(self, pcode: Optional[str]) -> list[Place]:
        place = self.get(pcode)
        return [self.by_pcode[p] for p in place.lineage if p in self.by_pcode] if place else []

    def search(self, q: str) -> dict[str, int]:
        """p-code → rank for areas whose name (English or Arabic) or p-code matches ``q``:
        0 the whole name, 1 the start of a word, 2 anywhere in the name."""
        key, code = normalise(q), q.strip().upper()
        found: dict[str, int] = {}
        if not key:
            return found
        for pcode, names in self.keys.items():
            if code == pcode or key in names:
                found[pcode] = 0
            elif pcode.startswith(code) or any(n.startswith(key) or f" {key}" in n for n in names):
                found[pcode] = 1
            elif any(key in n for n in names):
                found[pcode] = 2
        return found

    @cached_property
    def geometries(self) -> dict[str, BaseGeometry]:
        rows = db.session.execute(
            select(AdminArea.pcode, AdminArea.boundary).where(AdminArea.boundary.is_not(None))
        ).all()
        return {pcode: _parse(text) for pcode, text in rows if pcode in self.by_pcode}


_serials = itertools.count(1)
_parsed: dict[str, BaseGeometry] = {}
_current: dict[str, object] = {}


def _parse(text: str) -> BaseGeometry:
    geometry = _parsed.get(text)
    if geometry is None:
        geometry = _parsed[text] = shapely.from_geojson(text)
        shapely.prepare(geometry)
    return geometry


def current_places() -> Places:
    """The gazetteer as the database holds it now (checked once per session)."""
    cache = session_cache("places")
    if "places" in cache:
        return cache["places"]
    version = tuple(db.session.execute(select(func.count(), func.max(AdminArea.updated_at))).one())
    if _current.get("version") != version:
        rows = db.session.execute(
            select(
                AdminArea.pcode,
                AdminArea.level,
                AdminArea.parent_pcode,
                AdminArea.path,
                AdminArea.name_en,
                AdminArea.name_ar,
                AdminArea.centroid_lat,
                AdminArea.centroid_lon,
            )
        ).all()
        _current.update(version=version, places=Places([Place(*r) for r in rows]))
        if len(_parsed) > 20_000:  # boundaries of loads long gone
            _parsed.clear()
    cache["places"] = _current["places"]
    return cache["places"]


def forget_places() -> None:
    """After a load in this process: the next lookup reads the gazetteer again."""
    _current.clear()
    session_cache("places").clear()
