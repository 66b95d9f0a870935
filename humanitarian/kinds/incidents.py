"""Incidents: one event at one place and time. Corrections are new revisions (explicit in the
API and web modules); everything else follows from this description."""

from __future__ import annotations

from schemas import IncidentInSchema, IncidentOutSchema, IncidentQuerySchema
from schemas.api import IncidentBatchOutSchema, IncidentBatchSchema, IncidentPageSchema

from ..models import Incident
from ..models.enums import EVENT_TAXONOMY, TargetType, Verification
from ..services import (
    get_incident,
    incident_export_select,
    list_incidents,
    record_incident,
    set_incident_verification,
)
from .base import Column, Kind, RecordPage, Summaries, admin_columns, source_names

# The tagged columns and their hashtags are DOMAIN.md's HXL table; the rest are untagged.
COLUMNS = (
    Column("id", "#meta+id"),
    Column("occurred_on", "#date+occurred"),
    Column("event_type", "#event+type"),
    Column("sub_event_type", "#event+type+sub"),
    Column("target_type", "#loc+type"),
    *admin_columns(),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("killed", "#affected+killed"),
    Column("injured", "#affected+injured"),
    Column("children_killed", "#affected+killed+children"),
    # Parties to the conflict: #org is for response organisations.
    Column("actor1", "#group+name+first"),
    Column("actor2", "#group+name+second"),
    Column("description", "#description"),
    Column("sources", "#meta+source", source_names),
    Column("verification", "#meta+verification"),
    Column("revision"),
    Column("title"),
    Column("admin_pcode"),
    Column("geo_precision"),
    Column("occurred_at"),
    Column("date_precision"),
    Column("facility_id"),
    Column("civilian_targeting"),
    Column("assoc_actor1"),
    Column("assoc_actor2"),
    Column("perpetrator_claimed_by"),
    Column("civilians_killed"),
    Column("disorder_type"),
    Column("location_name"),
    Column("sensitivity"),
    Column("report_id"),
    Column("created_at"),
    Column("updated_at"),
)


def verify(actor, incident_id, verification, note: str = ""):
    """A new revision, unless it would change nothing (same state, no note)."""
    if get_incident(actor, incident_id).verification == verification and not note:
        return None
    return set_incident_verification(actor, incident_id, verification, note)


INCIDENTS = Kind(
    name="incidents",
    entity="incident",
    label="incident",
    title="Incidents",
    model=Incident,
    out_schema=IncidentOutSchema,
    in_schema=IncidentInSchema,
    query_schema=IncidentQuerySchema,
    page_schema=IncidentPageSchema,
    batch_schema=IncidentBatchSchema,
    batch_out_schema=IncidentBatchOutSchema,
    columns=COLUMNS,
    page=list_incidents,
    export_select=incident_export_select,
    get=get_incident,
    append=record_incident,
    verify=verify,
    revisions=True,
    summaries=Summaries(
        list="List incidents, newest first; filter, page, or export as CSV, HXL or GeoJSON.",
        append='Append an incident, or a batch of incidents as {"items": [...]}.',
        item="One incident at its latest revision.",
    ),
    detail=RecordPage("web.incident_detail", "incident_id"),
    list_endpoint="web.incident_list",
    new_endpoint="web.incident_new",
    saved="Incident recorded.",
    choices={
        "taxonomy": EVENT_TAXONOMY,
        "target_types": [t.value for t in TargetType],
        "verifications": [v.value for v in Verification],
    },
)
