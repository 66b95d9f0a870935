"""Request bodies the matrix sends, as JSON for the API and as form fields for pages."""

from __future__ import annotations

from .data import AREA, DISTRICT, INCIDENT_AT, KILLED, MARK, MISSING, PERIOD


def incident_body(sensitivity: str, **extra) -> dict:
    lat, lon = INCIDENT_AT[sensitivity]
    return {
        "title": f"Matrix write {MARK[sensitivity]}",
        "occurred_on": "2024-12-03",
        "event_type": "explosions_remote_violence",
        "sub_event_type": "shelling_artillery_missile_attack",
        "target_type": "residential_area",
        "admin_pcode": DISTRICT,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": 1,
        "killed": KILLED[sensitivity],
        "sensitivity": sensitivity,
        **extra,
    }


def facility_body(sensitivity: str) -> dict:
    return {
        "name": f"Matrix bakery {MARK[sensitivity]}",
        "facility_type": "other",
        "admin_pcode": DISTRICT,
        "sensitivity": sensitivity,
    }


def status_body() -> dict:
    return {"access": "closed", "effective_from": "2024-12-03T09:30", "sensitivity": "public"}


def movement_body(sensitivity: str) -> dict:
    return {
        "movement_type": "return",
        "origin_pcode": "SY0703",
        "destination_pcode": DISTRICT,
        "period_start": "2024-12-01",
        "period_end": "2024-12-02",
        "individuals": 120,
        "estimate_method": "headcount",
        "sensitivity": sensitivity,
    }


def sitrep_body(audience: str) -> dict:
    start, end = PERIOD
    return {
        "admin_pcode": AREA,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "audience": audience,
    }


def as_form(body: dict) -> dict:
    """A JSON body as a browser form sends it: every value a string, nothing left null."""
    return {k: str(v) for k, v in body.items() if v is not None}


def schedule_body(audience: str) -> dict:
    """A weekly schedule of the given edition (a missing record's body: public)."""
    return {
        "admin_pcode": AREA,
        "cadence": "weekly",
        "weekday": "mon",
        "run_time": "06:00",
        "timezone": "UTC",
        "audience": "public" if audience == MISSING else audience,
        "language": "en",
        "recipients": ["someone@matrix.test"],
    }


def schedule_form(audience: str) -> dict:
    """The same schedule as the admin page's form posts it."""
    return {**schedule_body(audience), "recipients": "someone@matrix.test", "active": "true"}


def no_changes(_audience: str) -> dict:
    return {}
