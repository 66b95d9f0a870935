"""Deterministic synthetic records: the shapes and proportions of a national response.

Nothing here touches a database. Every value comes from a ``random.Random`` seeded by the
caller, so the same seed always gives the same admin tree, incidents, facilities and flows
(ids included). ``generate.py`` turns these into COPY rows; the ingest case turns them into
API request bodies and raw INSERT parameters.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import shapely

from humanitarian.models.enums import (
    EVENT_TAXONOMY,
    EstimateMethod,
    FacilityType,
    MovementType,
    SourceType,
    TargetType,
)
from humanitarian.services.cod import SHIPPED, read_cod

# Two full years, fixed so results never depend on the day the bench runs.
PERIOD_START = date(2023, 1, 1)
PERIOD_DAYS = 731  # through 2024-12-31

# Rough shares of reported incidents per governorate: the north-west and east dominate.
GOVERNORATE_WEIGHTS = {
    "SY01": 1.5, "SY02": 22, "SY03": 6, "SY04": 4, "SY05": 8, "SY06": 2, "SY07": 25,
    "SY08": 5, "SY09": 10, "SY10": 0.5, "SY11": 6, "SY12": 8, "SY13": 1, "SY14": 1,
}  # fmt: skip
EVENT_WEIGHTS = {
    "explosions_remote_violence": 45,
    "battles": 25,
    "strategic_developments": 13,
    "violence_against_civilians": 12,
    "protests": 4,
    "riots": 1,
}
SENSITIVITY_WEIGHTS = {"public": 70, "partner": 25, "restricted": 5}
VERIFICATION_WEIGHTS = {"unverified": 50, "partially_verified": 20, "verified": 25, "disputed": 5}
ACTORS = [
    "Syrian Arab Army", "Russian Air Force", "Hay'at Tahrir al-Sham", "Syrian National Army",
    "Syrian Democratic Forces", "Islamic State", "Unidentified armed group", "Civilians",
    "Turkish Armed Forces", "Local militia",
]  # fmt: skip
FACILITY_WEIGHTS = {
    "school": 30, "health_facility": 15, "fuel_station": 10, "market": 10,
    "water_facility": 8, "power_facility": 6, "road_bridge": 8, "place_of_worship": 6,
    "camp_shelter": 4, "humanitarian_facility": 2, "airport": 0.2, "airbase": 0.3,
    "border_crossing": 0.5,
}  # fmt: skip
MOVEMENT_WEIGHTS = {
    "displacement": 45,
    "return": 30,
    "secondary_displacement": 12,
    "evacuation": 8,
    "relocation": 5,
}
# The synthetic histories walk a one-word status (below); stored, each word is a whole
# condition: (functionality, access, damage).
STATUS_CONDITION = {
    "operational": ("functional", "open", "none"),
    "partially_functional": ("partially_functional", "open", "none"),
    "restricted": ("functional", "restricted", "none"),
    "closed": ("not_functional", "closed", "none"),
    "damaged": ("partially_functional", "open", "partially_damaged"),
    "destroyed": ("not_functional", "closed", "fully_damaged"),
    "unknown": ("unknown", "unknown", "unknown"),
}
# Next status given the current one: mostly stable, sometimes worse, sometimes repaired.
STATUS_NEXT = {
    "operational": ["partially_functional", "restricted", "closed", "damaged"],
    "partially_functional": ["operational", "damaged", "closed"],
    "restricted": ["operational", "closed"],
    "closed": ["operational", "restricted", "damaged"],
    "damaged": ["partially_functional", "destroyed", "closed"],
    "destroyed": ["closed", "damaged"],
    "unknown": ["operational", "damaged"],
}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def day_at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Area:
    pcode: str
    name_en: str
    name_ar: str
    level: int
    parent: str | None
    path: str
    lat: float
    lon: float
    boundary: str | None = None


@dataclass
class Universe:
    """The reference data records point at: areas, organisations and sources."""

    areas: list[Area]
    org_names: list[str]
    source_names: list[tuple[str, str]]
    # Filled in once organisations and sources exist in the database.
    org_ids: list[int] = field(default_factory=list)
    source_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_pcode = {a.pcode: a for a in self.areas}
        self.governorates = [a for a in self.areas if a.level == 1]
        self._places: dict[str, tuple[list[str], list[float]]] = {}
        self._shapes: dict[str, shapely.Geometry] = {}
        for gov in self.governorates:
            below = [a for a in self.areas if a.path.startswith(gov.path + "/")]
            districts = sum(1 for a in below if a.level == 2) or 1
            subdistricts = sum(1 for a in below if a.level == 3) or 1
            # Most reports name a sub-district; some only a district, a few the governorate.
            places = [gov.pcode] + [a.pcode for a in below]
            weights = [5.0] + [
                15.0 / districts if a.level == 2 else 80.0 / subdistricts for a in below
            ]
            self._places[gov.pcode] = (places, weights)

    def place(self, rng: random.Random, governorate: str | None = None) -> Area:
        gov = governorate or pick(rng, GOVERNORATE_WEIGHTS)
        places, weights = self._places[gov]
        return self.by_pcode[rng.choices(places, weights=weights)[0]]

    def governorate_of(self, area: Area) -> str:
        return area.path.split("/")[1]

    def point_in(self, rng: random.Random, area: Area) -> tuple[float, float]:
        """A random (lat, lon) inside the area's boundary, so the service's point-in-area
        check accepts it as it would a real report; the centroid when it has none."""
        shape = self._shapes.get(area.pcode)
        if shape is None and area.boundary:
            shape = self._shapes[area.pcode] = shapely.from_geojson(area.boundary)
            shapely.prepare(shape)
        if shape is None:
            return area.lat, area.lon
        west, south, east, north = shape.bounds
        for _ in range(200):
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            if shapely.contains_xy(shape, lon, lat):
                return round(lat, 5), round(lon, 5)
        return area.lat, area.lon


def build_universe() -> Universe:
    """The shipped Syria gazetteer (349 real p-codes, names, boundaries and centroids)."""
    areas: list[Area] = []
    paths: dict[str, str] = {}
    for a in read_cod(SHIPPED):
        paths[a.pcode] = f"{paths[a.parent_pcode]}/{a.pcode}" if a.parent_pcode else a.pcode
        lat, lon = a.centroid or (None, None)
        areas.append(
            Area(
                a.pcode,
                a.name_en,
                a.name_ar,
                a.level,
                a.parent_pcode,
                paths[a.pcode],
                lat,
                lon,
                a.boundary,
            )
        )
    orgs = [f"Synthetic partner {i:02d}" for i in range(1, 9)]
    types = [t.value for t in SourceType]
    sources = [(f"Synthetic source {i:02d}", types[i % len(types)]) for i in range(1, 25)]
    return Universe(areas, orgs, sources)


def incident_day(rng: random.Random, index: int, total: int) -> date:
    """Records arrive roughly in date order (as they would in a live response), with one in
    ten back-filled up to two months late, and a surge in the last week of November 2024."""
    if rng.random() < 0.03:
        surge = date(2024, 11, 27) + timedelta(days=rng.randrange(8))
        return surge
    offset = min(PERIOD_DAYS - 1, int(index * PERIOD_DAYS / max(total, 1)))
    if rng.random() < 0.1:
        offset = max(0, offset - rng.randrange(60))
    return PERIOD_START + timedelta(days=offset)


def _casualties(rng: random.Random, event: str) -> dict:
    if event in ("strategic_developments", "protests") or rng.random() < 0.45:
        return {"killed": None, "injured": None, "civilians_killed": None, "children_killed": None}
    killed = min(int(rng.expovariate(0.4)), 200)
    injured = min(int(rng.expovariate(0.25)), 400) if rng.random() < 0.8 else None
    civilians = rng.randint(0, killed) if rng.random() < 0.5 else None
    children = rng.randint(0, civilians) if civilians and rng.random() < 0.4 else None
    return {
        "killed": killed,
        "injured": injured,
        "civilians_killed": civilians,
        "children_killed": children,
    }


def make_incident(
    rng: random.Random,
    uni: Universe,
    day: date,
    facilities_by_gov: dict[str, list[uuid.UUID]] | None = None,
) -> dict:
    """One incident in the API's request-body shape, with Python values (dates, UUIDs)."""
    area = uni.place(rng)
    event = pick(rng, EVENT_WEIGHTS)
    sub = rng.choice(EVENT_TAXONOMY[event]) if rng.random() < 0.95 else None
    target = rng.choice(list(TargetType)).value if rng.random() < 0.7 else None
    facility = None
    pool = (facilities_by_gov or {}).get(uni.governorate_of(area))
    if pool and rng.random() < 0.03:
        facility = rng.choice(pool)
    located = rng.random() < 0.6
    lat, lon = uni.point_in(rng, area) if located else (None, None)
    label = (sub or event).replace("_", " ")
    return {
        "title": f"{label.capitalize()} in {area.name_en}",
        "description": (
            f"Reported {label} affecting {(target or 'the area').replace('_', ' ')} "
            f"in {area.name_en}; details pending verification by field teams."
        ),
        "occurred_on": day,
        "occurred_at": time(rng.randrange(24), rng.randrange(60)) if rng.random() < 0.3 else None,
        "date_precision": "day" if rng.random() < 0.9 else "week",
        "event_type": event,
        "sub_event_type": sub,
        "target_type": target,
        "facility_id": facility,
        "actor1": rng.choice(ACTORS),
        "actor2": rng.choice(ACTORS) if rng.random() < 0.5 else None,
        "perpetrator_claimed_by": None,
        "civilian_targeting": event == "violence_against_civilians"
        or (target in ("residential_area", "school", "market") and rng.random() < 0.5),
        **_casualties(rng, event),
        "admin_pcode": area.pcode,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": rng.choice((1, 2)) if located else 3,
        "source_ids": rng.sample(uni.source_ids, rng.choice((1, 1, 2, 3))),
        "sensitivity": pick(rng, SENSITIVITY_WEIGHTS),
        "verification": pick(rng, VERIFICATION_WEIGHTS),
    }


def api_body(incident: dict) -> dict:
    """The JSON an API client sends for this incident."""
    out = {}
    for key, value in incident.items():
        if value is None:
            continue  # omitted fields load as null, as a partner system would send them
        if isinstance(value, date | time):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        out[key] = value
    return out


def snapshot(incident: dict) -> dict:
    """The revision snapshot the service stores: the typed input, location nested."""
    loc_keys = ("admin_pcode", "latitude", "longitude", "geo_precision")
    data = {k: v for k, v in incident.items() if k not in loc_keys}
    data["location"] = {k: incident[k] for k in loc_keys}
    for key, value in data.items():
        if isinstance(value, date | time):
            data[key] = value.isoformat()
        elif isinstance(value, uuid.UUID):
            data[key] = str(value)
    return data


def make_facility(rng: random.Random, uni: Universe, number: int) -> dict:
    area = uni.place(rng)
    lat, lon = uni.point_in(rng, area)
    ftype = pick(rng, FACILITY_WEIGHTS)
    assert ftype in {t.value for t in FacilityType}
    return {
        "id": new_id(rng),
        "name": f"{ftype.replace('_', ' ').capitalize()} {number:05d}, {area.name_en}",
        "name_ar": f"منشأة {number:05d}",
        "facility_type": ftype,
        "admin_pcode": area.pcode,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": 1,
        "sensitivity": pick(rng, {"public": 85, "partner": 12, "restricted": 3}),
        "verification": pick(rng, VERIFICATION_WEIGHTS),
        "governorate": uni.governorate_of(area),
    }


def make_status_history(rng: random.Random, facility_id: uuid.UUID) -> list[dict]:
    """One to eight entries with strictly increasing ``seq`` and ``effective_from``."""
    entries = []
    status = "operational" if rng.random() < 0.8 else pick(rng, {"damaged": 1, "unknown": 1})
    moment = day_at(PERIOD_START, rng.randrange(86400 * 90))
    for seq in range(1, rng.randint(1, 8) + 1):
        entries.append(
            {
                "id": new_id(rng),
                "facility_id": facility_id,
                "seq": seq,
                "status": status,
                "effective_from": moment,
                "reason": "Field report" if seq > 1 else "Baseline assessment",
                "details": f"Status {status.replace('_', ' ')} reported by partners.",
                "controlled_by": rng.choice(ACTORS[:6]) if rng.random() < 0.2 else None,
                "sensitivity": pick(rng, {"public": 85, "partner": 12, "restricted": 3}),
                "verification": pick(rng, VERIFICATION_WEIGHTS),
            }
        )
        moment += timedelta(seconds=rng.randrange(86400 * 7, 86400 * 120))
        status = rng.choice(STATUS_NEXT[status])
        if moment >= day_at(PERIOD_START, 86400 * PERIOD_DAYS):
            break
    assert all(e["status"] in STATUS_CONDITION for e in entries)
    return entries


def make_movement(rng: random.Random, uni: Universe) -> dict:
    mtype = pick(rng, MOVEMENT_WEIGHTS)
    assert mtype in {m.value for m in MovementType}
    origin = uni.place(rng).pcode if mtype != "return" or rng.random() < 0.7 else None
    dest = uni.place(rng).pcode if mtype == "return" or rng.random() < 0.8 else None
    start = PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS - 31))
    individuals = max(1, int(rng.lognormvariate(5.5, 1.3)))
    return {
        "id": new_id(rng),
        "movement_type": mtype,
        "origin_pcode": origin,
        "destination_pcode": dest,
        "period_start": start,
        "period_end": start + timedelta(days=rng.randrange(31)),
        "individuals": individuals,
        "households": max(1, individuals // 5) if rng.random() < 0.6 else None,
        "estimate_method": rng.choice([m.value for m in EstimateMethod]),
        "description": f"{mtype.replace('_', ' ').capitalize()} flow reported by partners.",
        "sensitivity": pick(rng, SENSITIVITY_WEIGHTS),
        "verification": pick(rng, VERIFICATION_WEIGHTS),
        "source_ids": rng.sample(uni.source_ids, rng.choice((1, 2))),
    }
