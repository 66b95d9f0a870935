"""The public sitrep's map plots incidents at their district centroid, never at the exact
point; the partner edition, the control, plots the same incident at its exact point. Read
from the map's SVG as the PDF renderer receives it (``tests/reports/maps.py``), the way the
dashboard's map is read from the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from humanitarian.models import AdminArea
from humanitarian.services import generate_sitrep, record_incident
from tests.reports.maps import record_rendering, sitrep_map
from tests.support import committed

from .data import AREA, DISTRICT, INCIDENT_AT, PERIOD
from .world import SYSTEM, incident_input


@pytest.fixture
def incidents(app):
    """The public incident and the partner one, at exact points in the district."""
    return {s: record_incident(SYSTEM, incident_input(s)).id for s in ("public", "partner")}


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    return record_rendering(monkeypatch)


def _district_centroid() -> tuple[float, float]:
    (area,) = committed(select(AdminArea).where(AdminArea.pcode == DISTRICT))
    return area.centroid_lat, area.centroid_lon


def test_public_edition_plots_incidents_at_the_district_centroid(incidents, rendered):
    generate_sitrep(SYSTEM, AREA, *PERIOD, "public")
    drawn = sitrep_map(rendered[-1])
    assert len(drawn.incidents) == 1  # the public incident only
    assert drawn.incidents_at(*_district_centroid()) == 1
    assert drawn.incidents_at(*INCIDENT_AT["public"]) == 0


def test_partner_edition_plots_exact_points(incidents, rendered):
    """The control: the same reading finds each incident at its own exact point."""
    generate_sitrep(SYSTEM, AREA, *PERIOD, "partner")
    drawn = sitrep_map(rendered[-1])
    assert len(drawn.incidents) == 2
    assert drawn.incidents_at(*INCIDENT_AT["public"]) == 1
    assert drawn.incidents_at(*INCIDENT_AT["partner"]) == 1
    assert drawn.incidents_at(*_district_centroid()) == 0
