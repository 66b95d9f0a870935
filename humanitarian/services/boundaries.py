"""Admin-area boundaries for output: GeoJSON for the API and the location picker, simplified
shapes for maps.

Simplification works level by level as a polygon coverage (``shapely.coverage_simplify``):
a border shared by two neighbours is simplified once, so simplified areas still meet without
gaps or overlaps. Results are kept per gazetteer snapshot and tolerance, so a map or a
picker asking again costs a dictionary lookup.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Optional

import shapely
from shapely.geometry.base import BaseGeometry

from .places import Places, current_places

_simplified: dict[tuple[int, int, float], dict[str, BaseGeometry]] = {}
_collections: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
_COLLECTIONS_KEPT = 64


def shapes(level: int, tolerance: float = 0.0, places: Optional[Places] = None) -> dict:
    """p-code → geometry of every area of ``level``, simplified to ``tolerance`` degrees."""
    places = places or current_places()
    key = (places.serial, level, round(tolerance, 6))
    if key not in _simplified:
        if len(_simplified) > 32:
            _simplified.clear()
        drawn = {p: g for p, g in places.geometries.items() if places.by_pcode[p].level == level}
        if tolerance > 0 and drawn:
            codes = sorted(drawn)
            simple = shapely.coverage_simplify([drawn[p] for p in codes], tolerance)
            drawn = dict(zip(codes, simple, strict=True))
        _simplified[key] = drawn
    return _simplified[key]


def feature_collection(areas: list, tolerance: float = 0.0) -> tuple[str, str]:
    """A GeoJSON FeatureCollection of the areas (boundaries, or the centroid for an area
    without one) and its ETag. Same areas and tolerance: the same text, built once."""
    places = current_places()
    key = (places.serial, tuple(a.pcode for a in areas), round(tolerance, 6))
    if key in _collections:
        _collections.move_to_end(key)
        return _collections[key]
    features = [_feature(places, area, tolerance) for area in areas]
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    built = (text, hashlib.sha256(text.encode()).hexdigest()[:32])
    _collections[key] = built
    if len(_collections) > _COLLECTIONS_KEPT:
        _collections.popitem(last=False)
    return built


def _feature(places: Places, area, tolerance: float) -> dict:
    shape = shapes(area.level, tolerance, places).get(area.pcode)
    if shape is not None:
        geometry = json.loads(shapely.to_geojson(shape))
    elif area.centroid_lat is not None:
        geometry = {"type": "Point", "coordinates": [area.centroid_lon, area.centroid_lat]}
    else:
        geometry = None
    return {
        "type": "Feature",
        "id": area.pcode,
        "geometry": geometry,
        "properties": {
            "pcode": area.pcode,
            "name_en": area.name_en,
            "name_ar": area.name_ar,
            "level": area.level,
            "parent_pcode": area.parent_pcode,
            "centroid_lat": area.centroid_lat,
            "centroid_lon": area.centroid_lon,
        },
    }
