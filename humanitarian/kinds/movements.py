"""Population movements: flows of people between areas over a period."""

from __future__ import annotations

from typing import Optional

from schemas import MovementInSchema, MovementOutSchema, MovementQuerySchema
from schemas.api import MovementBatchOutSchema, MovementBatchSchema, MovementPageSchema

from ..models import PopulationMovement
from ..models.enums import MovementType, Verification
from ..services import (
    get_movement,
    list_movements,
    movement_export_select,
    record_movement,
    set_movement_verification,
)
from .base import AreaNames, Column, Kind, RecordPage, Summaries, adm, source_names

COLUMNS = (
    Column("id", "#meta+id"),
    Column("movement_type"),
    Column("period_start", "#date+start"),
    Column("period_end", "#date+end"),
    Column("origin", "#adm1+code+origin", adm(1, 0, "origin_pcode")),
    Column("origin_admin2", "#adm2+code+origin", adm(2, 0, "origin_pcode")),
    Column("destination", "#adm1+code+dest", adm(1, 0, "destination_pcode")),
    Column("destination_admin2", "#adm2+code+dest", adm(2, 0, "destination_pcode")),
    Column("individuals", "#affected+ind"),
    Column("households", "#affected+hh"),
    Column("description", "#description"),
    Column("sources", "#meta+source", source_names),
    Column("verification", "#meta+verification"),
    Column("origin_pcode"),
    Column("destination_pcode"),
    Column("estimate_method"),
    Column("sensitivity"),
    Column("report_id"),
    Column("created_at"),
    Column("updated_at"),
)


def flow_geometry(row: dict, areas: AreaNames) -> Optional[dict]:
    """A line from the origin's centroid to the destination's, or the one that is known."""
    ends = [areas.centroid(row.get(k)) for k in ("origin_pcode", "destination_pcode")]
    known = [list(e) for e in ends if e]
    if len(known) == 2:
        return {"type": "LineString", "coordinates": known}
    return {"type": "Point", "coordinates": known[0]} if known else None


def verify(actor, movement_id, verification, note: str = ""):
    return set_movement_verification(actor, movement_id, verification)


MOVEMENTS = Kind(
    name="movements",
    entity="movement",
    label="movement",
    title="Population movements",
    model=PopulationMovement,
    out_schema=MovementOutSchema,
    in_schema=MovementInSchema,
    query_schema=MovementQuerySchema,
    page_schema=MovementPageSchema,
    batch_schema=MovementBatchSchema,
    batch_out_schema=MovementBatchOutSchema,
    columns=COLUMNS,
    geometry=flow_geometry,
    page=list_movements,
    export_select=movement_export_select,
    get=get_movement,
    append=record_movement,
    verify=verify,
    summaries=Summaries(
        list="List movements, latest period first; filter, page, or export.",
        append='Append a movement, or a batch of movements as {"items": [...]}.',
        item="One movement.",
    ),
    detail=RecordPage("web.movement_detail", "movement_id"),
    list_endpoint="web.movement_list",
    new_endpoint="web.movement_new",
    saved="Movement recorded.",
    choices={
        "movement_types": [m.value for m in MovementType],
        "verifications": [v.value for v in Verification],
    },
)
