"""What a sitrep's map plots, read from the SVG its renderer is given.

WeasyPrint turns the map (matplotlib SVG) into PDF paths, where a point can no longer be told
from a place; so the tests catch the page's HTML on its way into WeasyPrint and read the map
back from it. Every mark carries an id saying what it stands for (``area-<p-code>``,
``incidents-<event type>``), and the place marks, at known centroids, give the projection."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy
import weasyprint
from sqlalchemy import select

from humanitarian.models import AdminArea
from tests.support import committed

SVG = "{http://www.w3.org/2000/svg}"
MAP_IMAGE = re.compile(r'<img class="map" src="data:image/svg\+xml;base64,([^"]+)"')


def record_rendering(monkeypatch) -> list[str]:
    """The HTML of every sitrep rendered from now on in the test, in order."""
    pages: list[str] = []

    class Recording(weasyprint.HTML):
        def __init__(self, *args, string=None, **kwargs):
            pages.append(string)
            super().__init__(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", Recording)
    return pages


@dataclass
class SitrepMap:
    places: dict[str, tuple[float, float]]  # p-code → (x, y) of its mark
    incidents: list[tuple[float, float]]  # every incident mark

    def at(self, lat: float, lon: float) -> tuple[float, float]:
        """Where the map draws a latitude and longitude, by the projection its place marks
        follow (fitted to the gazetteer's centroids of the places shown)."""
        centroids = {
            a.pcode: (a.centroid_lat, a.centroid_lon)
            for a in committed(select(AdminArea).where(AdminArea.pcode.in_(self.places)))
        }
        codes = sorted(centroids)
        assert len(codes) >= 2, "the map shows too few places to locate anything"
        lats, lons = zip(*(centroids[c] for c in codes), strict=True)
        xs, ys = zip(*(self.places[c] for c in codes), strict=True)
        x_scale, x_offset = numpy.polyfit(lons, xs, 1)
        y_scale, y_offset = numpy.polyfit(lats, ys, 1)

        def project(lat: float, lon: float) -> tuple[float, float]:
            return x_scale * lon + x_offset, y_scale * lat + y_offset

        for code in codes:  # the places themselves sit where the projection puts them
            assert _close(self.places[code], project(*centroids[code])), code
        return project(lat, lon)

    def incidents_at(self, lat: float, lon: float) -> int:
        where = self.at(lat, lon)
        return sum(_close(mark, where) for mark in self.incidents)


def _close(a: tuple[float, float], b: tuple[float, float], tolerance: float = 0.05) -> bool:
    return abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance


def sitrep_map(html: str) -> SitrepMap:
    found = MAP_IMAGE.search(html)
    assert found, "the sitrep has no map"
    root = ET.fromstring(base64.b64decode(found.group(1)))
    places, incidents = {}, []
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id", "")
        marks = [(float(u.get("x")), float(u.get("y"))) for u in group.iter(f"{SVG}use")]
        if gid.startswith("area-"):
            (places[gid.removeprefix("area-")],) = marks
        elif gid.startswith("incidents-"):
            incidents += marks
    return SitrepMap(places, incidents)
