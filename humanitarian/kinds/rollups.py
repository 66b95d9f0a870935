"""The HDX HAPI rollups as lists the exports write (CSV and HXL with HAPI's hashtags)."""

from __future__ import annotations

from schemas.rollups import ConflictEventRowSchema, DisplacementRowSchema

from .base import Column, Listing

_AREA = (
    Column("location_code", "#country+code"),
    Column("admin1_code", "#adm1+code"),
    Column("admin1_name", "#adm1+name"),
    Column("admin2_code", "#adm2+code"),
    Column("admin2_name", "#adm2+name"),
)
_PERIOD = (
    Column("reference_period_start", "#date+start"),
    Column("reference_period_end", "#date+end"),
)

CONFLICT_EVENTS = Listing(
    name="conflict-events",
    out_schema=ConflictEventRowSchema,
    columns=(
        *_AREA,
        Column("event_type", "#event+type"),
        Column("events", "#indicator+events+num"),
        Column("fatalities", "#affected+killed"),
        *_PERIOD,
    ),
)

DISPLACEMENT = Listing(
    name="displacement",
    out_schema=DisplacementRowSchema,
    columns=(
        *_AREA,
        Column("movement_type"),
        Column("flows", "#indicator+flows+num"),
        Column("population", "#affected+ind"),
        Column("households", "#affected+hh"),
        *_PERIOD,
    ),
)
