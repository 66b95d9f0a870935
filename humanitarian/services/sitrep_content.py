"""Everything one sitrep shows, gathered for one audience, and the port to its renderer.

The data are read with an actor whose grant equals the sitrep's audience, so a public sitrep
holds only public records however senior the person who asked for it.

Gathering the figures is service work; turning them into a PDF is a surface's. The service
layer never imports the renderer: the ``reports`` package registers it on the app
(``register_renderer``) and ``render`` calls whatever is registered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    AdminArea,
    Facility,
    Incident,
    InfrastructureStatus,
    Language,
    PopulationMovement,
    Source,
    incident_sources,
)
from ..models.enums import Channel, Scope, Sensitivity, Verification
from .actors import Actor
from .areas import centroid, get_area
from .comparison import Change, previous_period, summarize_with_previous
from .facilities import current_statuses, facility_select, status_changes
from .filters import RecordFilter, start_of
from .incidents import incident_select
from .mapping import DistrictFigures, Frame, incidents_by_district, map_frame
from .movements import movement_select
from .summary import Summary
from .visibility import ReaderView
from .visibility import coarsened as coarsened_for

VERIFICATION_RANK = {
    Verification.verified: 0,
    Verification.partially_verified: 1,
    Verification.unverified: 2,
    Verification.disputed: 3,
}
NOTABLE_MAX = 12
# The flows table lists the largest flows and sums up the rest in one line: a governorate-month
# at scale has hundreds of flows, which made the PDF dozens of pages (bench/results.md).
FLOWS_SHOWN = 20
# The map's frame: the PDF figure's proportions, borders simplified to ~1/700 of its width.
MAP_ASPECT, MAP_PIXELS = 7.0 * 0.9 / (4.6 * 0.85), 700


def reader_for(audience: Sensitivity) -> Actor:
    """A read-only actor limited to the audience's level."""
    return Actor(
        channel=Channel.system,
        scopes=frozenset({Scope.read}),
        max_sensitivity=Sensitivity(audience),
        label=f"sitrep reader ({audience})",
    )


@dataclass
class StatusRow:
    facility: Facility
    before: Optional[InfrastructureStatus]
    after: Optional[InfrastructureStatus]
    changes: list[InfrastructureStatus]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def impaired(self) -> bool:
        return self.after is not None and self.after.impaired


@dataclass
class Flow:
    movement_type: str
    origin: Optional[AdminArea]
    destination: Optional[AdminArea]
    individuals: int = 0
    households: int = 0
    records: int = 0
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    methods: set[str] = field(default_factory=set)
    verifications: set[str] = field(default_factory=set)
    source_ids: set[int] = field(default_factory=set)


@dataclass
class OtherFlows:
    """The flows left out of the table: how many, and the people they moved."""

    count: int = 0
    individuals: int = 0
    households: int = 0


@dataclass
class MapPoint:
    lat: float
    lon: float
    event_type: str
    casualties: int
    count: int


@dataclass
class SitrepContent:
    area: AdminArea
    period_start: date
    period_end: date
    previous_start: date
    previous_end: date
    audience: Sensitivity
    generated_at: datetime
    summary: Summary
    previous: Summary
    figures: dict[str, Change]
    incidents: list[Incident]
    notable: list[Incident]
    statuses: list[StatusRow]
    flows: list[Flow]
    sources: list[tuple[Source, int]]
    map_frame: Frame
    map_points: list[MapPoint]
    district_figures: dict[str, DistrictFigures] = field(default_factory=dict)
    unplaced: int = 0
    area_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    movements: list[PopulationMovement] = field(default_factory=list)
    language: Language = Language.en
    other_flows: OtherFlows = field(default_factory=OtherFlows)

    @property
    def coarsened(self) -> bool:
        """Whether the edition's readers see locations at district level only."""
        return coarsened_for(reader_for(self.audience))

    def shown(self) -> Iterator[tuple[str, object]]:
        """Every record the edition shows, by kind ("incident", "facility", "status",
        "movement"), each once: what the archive keeps to tell later which editions a
        raised or retracted record appears in."""
        seen: set = set()
        entries = (e for r in self.statuses for e in (r.before, r.after, *r.changes) if e)
        groups = (
            ("incident", self.incidents),
            ("facility", (r.facility for r in self.statuses)),
            ("status", entries),
            ("movement", self.movements),
        )
        for kind, records in groups:
            for record in records:
                if (kind, record.id) not in seen:
                    seen.add((kind, record.id))
                    yield kind, record


def build_content(
    admin_pcode: str,
    since: date,
    until: date,
    audience: Sensitivity,
    generated_at: datetime,
    language: Language | str = Language.en,
) -> SitrepContent:
    reader = reader_for(audience)
    area = get_area(admin_pcode)
    filters = RecordFilter(admin_pcode=admin_pcode, since=since, until=until)
    summary, previous, figures = summarize_with_previous(reader, admin_pcode, since, until)
    view = ReaderView(reader)
    incidents = _incidents(reader, filters)
    cited = _incident_citations(reader, filters)
    statuses = _statuses(reader, filters)
    # Each movement's sources in one query (not one per movement: hundreds of flows a month).
    movements = list(
        db.session.scalars(
            movement_select(reader, filters).options(selectinload(PopulationMovement.sources))
        )
    )
    all_flows = _flows(movements, view)
    flows, rest = all_flows[:FLOWS_SHOWN], all_flows[FLOWS_SHOWN:]
    content = SitrepContent(
        area=area,
        period_start=since,
        period_end=until,
        previous_start=previous_period(since, until)[0],
        previous_end=previous_period(since, until)[1],
        audience=Sensitivity(audience),
        generated_at=generated_at,
        summary=summary,
        previous=previous,
        figures=figures,
        incidents=incidents,
        notable=_notable(incidents),
        statuses=statuses,
        flows=flows,
        sources=_sources(cited, statuses, all_flows),
        map_frame=map_frame(area.pcode, MAP_ASPECT, MAP_PIXELS),
        map_points=_map_points(incidents, view),
        movements=movements,
        language=Language(language),
        other_flows=OtherFlows(
            len(rest), sum(f.individuals for f in rest), sum(f.households for f in rest)
        ),
    )
    content.district_figures, content.unplaced = incidents_by_district(reader, filters)
    content.area_names = _area_names({i.admin_pcode for i in incidents}, view)
    return content


def _incidents(reader: Actor, filters: RecordFilter) -> list[Incident]:
    # Sources are not loaded with thousands of incidents: the notable few load theirs when
    # printed, and the sources table counts citations in SQL (``_incident_citations``).
    stmt = incident_select(reader, filters)
    stmt = stmt.order_by(Incident.occurred_on, Incident.occurred_at, Incident.title)
    return list(db.session.scalars(stmt))


def _incident_citations(reader: Actor, filters: RecordFilter) -> dict[int, int]:
    """How many of the edition's incidents cite each source."""
    ids = incident_select(reader, filters).with_only_columns(Incident.id)
    link = incident_sources.c
    stmt = (
        select(link.source_id, func.count())
        .where(link.incident_id.in_(ids.scalar_subquery()))
        .group_by(link.source_id)
    )
    return {source_id: count for source_id, count in db.session.execute(stmt)}


def _severity(incident: Incident) -> tuple:
    hurt = (incident.killed or 0) + (incident.injured or 0)
    return (-hurt, VERIFICATION_RANK[Verification(incident.verification)], incident.occurred_on)


def _notable(incidents: list[Incident]) -> list[Incident]:
    """The most severe incidents (casualties, then better verified), shown in date order."""
    chosen = sorted(incidents, key=_severity)[:NOTABLE_MAX]
    return sorted(chosen, key=lambda i: (i.occurred_on, i.title))


def _statuses(reader: Actor, filters: RecordFilter) -> list[StatusRow]:
    facilities = list(db.session.scalars(facility_select(reader, filters)))
    ids = [f.id for f in facilities]
    before = current_statuses(reader, ids, start_of(filters.since))
    after = current_statuses(reader, ids, start_of(filters.until, 1))
    changes: dict = defaultdict(list)
    for entry in status_changes(reader, filters, limit=None):
        changes[entry.facility_id].append(entry)
    rows = [
        StatusRow(f, before.get(f.id), after.get(f.id), changes[f.id][::-1]) for f in facilities
    ]
    # Changed in the period first, then still impaired, then the rest; by name within each.
    rows.sort(key=lambda r: (not r.changed, not r.impaired, r.facility.name))
    return rows


def _flows(moves: list[PopulationMovement], view: ReaderView) -> list[Flow]:
    """Movements summed per type, origin and destination (districts in a public edition)."""
    end = view.pcode
    pcodes = {end(p) for m in moves for p in (m.origin_pcode, m.destination_pcode) if p}
    areas = {
        a.pcode: a for a in db.session.scalars(select(AdminArea).where(AdminArea.pcode.in_(pcodes)))
    }
    flows: dict[tuple, Flow] = {}
    for m in moves:
        key = (str(m.movement_type), end(m.origin_pcode), end(m.destination_pcode))
        flow = flows.get(key)
        if flow is None:
            flow = flows[key] = Flow(str(m.movement_type), areas.get(key[1]), areas.get(key[2]))
        flow.individuals += m.individuals or 0
        flow.households += m.households or 0
        flow.records += 1
        flow.period_start = min(filter(None, (flow.period_start, m.period_start)))
        flow.period_end = max(filter(None, (flow.period_end, m.period_end)))
        flow.methods.add(str(m.estimate_method))
        flow.verifications.add(str(m.verification))
        flow.source_ids.update(s.id for s in m.sources)
    # Largest first, whatever the movement type, so the table's cut keeps the flows that matter.
    return sorted(flows.values(), key=lambda f: (-f.individuals, -f.households, f.movement_type))


def _sources(cited: dict[int, int], statuses, flows) -> list[tuple[Source, int]]:
    """Every source the sitrep relies on, with how many of its records cite it."""
    counts: dict[int, int] = defaultdict(int, cited)
    for row in statuses:
        for entry in row.changes:
            for source in entry.sources:
                counts[source.id] += 1
    for flow in flows:
        for source_id in flow.source_ids:
            counts[source_id] += 1
    if not counts:
        return []
    found = db.session.scalars(select(Source).where(Source.id.in_(counts)).order_by(Source.name))
    return [(s, counts[s.id]) for s in found]


def _area_names(pcodes: set[str], view: ReaderView) -> dict[str, tuple[str, str]]:
    """Each incident area's English and Arabic names, as the edition's readers see the area
    (public: its district's)."""
    shown = {p: view.pcode(p) for p in pcodes}
    if not shown:
        return {}
    rows = db.session.scalars(select(AdminArea).where(AdminArea.pcode.in_(set(shown.values()))))
    names = {a.pcode: (a.name_en, a.name_ar) for a in rows}
    return {p: names[s] for p, s in shown.items() if s in names}


def _map_points(incidents: list[Incident], view: ReaderView) -> list[MapPoint]:
    """Incident locations as the edition's readers see them (public: district centroids), one
    point per place and event type with its incident count and casualties. Incidents without
    coordinates are placed at the centroid of their area (as seen)."""
    points: dict[tuple[float, float, str], MapPoint] = {}
    for incident in incidents:
        pcode, lat, lon, _ = view.location(
            incident.admin_pcode, incident.latitude, incident.longitude, incident.geo_precision
        )
        if lat is None:  # no point reported: the centre of its area
            lat, lon = centroid(pcode)
        if lat is None:
            continue
        hurt = (incident.killed or 0) + (incident.injured or 0)
        key = (lat, lon, str(incident.event_type))
        point = points.get(key)
        if point is None:
            points[key] = MapPoint(lat, lon, str(incident.event_type), hurt, 1)
        else:
            point.casualties += hurt
            point.count += 1
    return list(points.values())


@dataclass
class RenderedSitrep:
    """What a renderer returns: the PDF, its page count and its title."""

    pdf: bytes
    page_count: int
    title: str
    highlights: list[str] = field(default_factory=list)


Renderer = Callable[[SitrepContent], RenderedSitrep]
_RENDERER = "humanitarian.sitrep_renderer"


def register_renderer(app: Flask, renderer: Renderer) -> None:
    """Called by the surface that draws sitreps when the app is built."""
    app.extensions[_RENDERER] = renderer


def render(content: SitrepContent) -> RenderedSitrep:
    renderer = current_app.extensions.get(_RENDERER)
    if renderer is None:
        raise RuntimeError("no sitrep renderer is registered on this app")
    return renderer(content)
