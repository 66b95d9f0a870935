"""Point in area: which admin areas contain a point, and whether a record's point lies in the
area it names.

The deepest area is found in the deepest boundary layer (for Syria the sub-districts), with a
shapely STRtree built once per gazetteer snapshot; its parents follow from the p-code
hierarchy rather than from their own polygons, because the Syrian governorate layer (2020) and
the district and sub-district layers (2019) are different digitisations whose borders do not
coincide. Two tolerances, both in degrees, absorb the simplification of the shipped boundaries
(0.001–0.005°, coordinates rounded to 4 decimals):

- ``GAP_TOLERANCE``: a point inside no polygon (in a sliver between two simplified polygons,
  or just outside the outer border) takes the nearest area within this distance;
- ``AREA_TOLERANCE``: a point given with a p-code may lie this far outside the named area's
  own boundary before it is refused.

0.01° is about 1.1 km of latitude and 0.9 km of longitude at 35°N.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Optional

import shapely
from shapely import STRtree

from .areas import require_area
from .errors import BusinessRuleError
from .inputs import Location
from .places import Place, Places, current_places

GAP_TOLERANCE = 0.01
AREA_TOLERANCE = 0.01


class Locator:
    def __init__(self, places: Places):
        geometries = places.geometries
        has_drawn_children = {places.by_pcode[p].parent_pcode for p in geometries}
        self.pcodes = sorted(p for p in geometries if p not in has_drawn_children)
        shapes = [geometries[p] for p in self.pcodes]
        self.tree = STRtree(shapes)
        self.sizes = shapely.area(shapes)

    def deepest(self, lon: float, lat: float) -> Optional[str]:
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits):
            # Overlapping polygons (two digitisations meeting): the smaller, more specific one.
            return self.pcodes[min(hits, key=lambda i: self.sizes[i])]
        near = self.tree.query_nearest(point, max_distance=GAP_TOLERANCE, all_matches=False)
        return self.pcodes[near[0]] if len(near) else None


_locators: weakref.WeakKeyDictionary[Places, Locator] = weakref.WeakKeyDictionary()


def locator(places: Optional[Places] = None) -> Locator:
    places = places or current_places()
    found = _locators.get(places)
    if found is None:
        found = _locators[places] = Locator(places)
    return found


def locate(lat: float, lon: float) -> list[Place]:
    """The areas containing the point, country first, deepest last; empty when outside."""
    places = current_places()
    pcode = locator(places).deepest(lon, lat)
    return places.chain(pcode) if pcode else []


def lies_in(pcode: str, lat: float, lon: float, places: Optional[Places] = None) -> bool:
    """True when the point is in the area (its located chain holds it) or within
    ``AREA_TOLERANCE`` of the area's own boundary. An area without a boundary cannot be checked
    and is taken at its word."""
    places = places or current_places()
    shape = places.geometries.get(pcode)
    if shape is None:
        return True
    deepest = locator(places).deepest(lon, lat)
    if deepest and pcode in places.get(deepest).lineage:
        return True
    return bool(shapely.dwithin(shape, shapely.Point(lon, lat), AREA_TOLERANCE))


def resolve_location(location: Location) -> Location:
    """The location a record is stored with: the deepest area containing the point when no
    p-code is given; a point outside the named area is refused, naming both areas."""
    lat, lon, pcode = location.latitude, location.longitude, location.admin_pcode
    if lat is None or lon is None:
        if not pcode:
            raise BusinessRuleError(
                "a location needs an admin area or coordinates",
                errors={"admin_pcode": ["Give an admin area, or latitude and longitude."]},
            )
        require_area(pcode)
        return location
    places = current_places()
    if not pcode:
        found = locate(lat, lon)
        if not found:
            message = f"The point ({lat}, {lon}) is outside every known admin area."
            raise BusinessRuleError(message, errors={"latitude": [message]})
        return replace(location, admin_pcode=found[-1].pcode)
    area = require_area(pcode)
    if not lies_in(pcode, lat, lon, places):
        message = _outside_message(places, area, lat, lon)
        raise BusinessRuleError(message, errors={"admin_pcode": [message]})
    return location


def _outside_message(places: Places, area, lat: float, lon: float) -> str:
    found = places.get(locator(places).deepest(lon, lat))
    named = f"{area.name_en} ({area.pcode})"
    if found is None:
        return f"The point ({lat}, {lon}) is outside {named} and every known admin area."
    # Name the located area at the named area's level, so the two are comparable.
    same_level = places.ancestor(found.pcode, area.level) or found
    return (
        f"The point ({lat}, {lon}) is in {same_level.name_en} ({same_level.pcode}), not in {named}."
    )
