"""Facilities (airports, roads, schools…) and their infrastructure status entries.

A status entry belongs to its facility: it is appended and read under the facility (explicit
in the API and web modules), so its description has no list, item or append of its own; the
review queue and verification follow from it like any other kind."""

from __future__ import annotations

from schemas import (
    FacilityInSchema,
    FacilityOutSchema,
    FacilityQuerySchema,
    StatusInSchema,
    StatusOutSchema,
)
from schemas.api import FacilityPageSchema

from ..models import Facility, InfrastructureStatus
from ..models.enums import CONDITION, FacilityType, Verification
from ..services import (
    Page,
    create_facility,
    facility_export_select,
    get_facility,
    list_facilities,
    set_status_verification,
    status_changes,
    with_current_status,
)
from .base import Column, Kind, RecordPage, Summaries, admin_columns


def _status(key: str):
    return lambda row, _areas: (row.get("current_status") or {}).get(key)


COLUMNS = (
    Column("id", "#meta+id"),
    Column("name", "#loc+name"),
    Column("facility_type", "#loc+type"),
    *admin_columns(),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("functionality", "#status+functionality", _status("functionality")),
    Column("access", "#access", _status("access")),
    Column("damage", "#status+damage", _status("damage")),
    Column("controlled_by", "#group+name+control", _status("controlled_by")),
    Column("verification", "#meta+verification"),
    Column("name_ar", "#loc+name+ar"),
    Column("admin_pcode"),
    Column("geo_precision"),
    Column("status_since", "", _status("effective_from")),
    Column("status_details", "", _status("details")),
    Column("sensitivity"),
    Column("updated_at"),
)

VERIFICATIONS = [v.value for v in Verification]
CONDITION_CHOICES = {name: [v.value for v in enum_cls] for name, enum_cls in CONDITION.items()}

FACILITIES = Kind(
    name="facilities",
    entity="facility",
    label="facility",
    title="Facilities",
    model=Facility,
    out_schema=FacilityOutSchema,
    in_schema=FacilityInSchema,
    query_schema=FacilityQuerySchema,
    page_schema=FacilityPageSchema,
    columns=COLUMNS,
    page=list_facilities,
    export_select=facility_export_select,
    present=with_current_status,
    get=get_facility,
    append=create_facility,
    summaries=Summaries(
        list="List facilities by name, each with its current status.",
        append="Register a facility.",
        item="One facility with its current status.",
    ),
    detail=RecordPage("web.facility_detail", "facility_id"),
    list_endpoint="web.facility_list",
    new_endpoint="web.facility_new",
    saved="Facility added.",
    choices={
        "facility_types": [t.value for t in FacilityType],
        "condition": CONDITION_CHOICES,
        "verifications": VERIFICATIONS,
    },
)


def latest_changes(actor, filters, *, limit: int = 50, cursor=None) -> Page:
    """The latest status changes, newest first, in one page (each facility's page has its
    whole history)."""
    return Page(status_changes(actor, filters, limit=limit), None)


def verify_status(actor, status_id, verification, note: str = ""):
    return set_status_verification(actor, status_id, verification)


STATUSES = Kind(
    name="statuses",
    entity="status",
    label="status change",
    title="Status changes",
    model=InfrastructureStatus,
    out_schema=StatusOutSchema,
    in_schema=StatusInSchema,
    page=latest_changes,
    verify=verify_status,
    detail=RecordPage("web.facility_detail", "facility_id", key="facility_id"),
    saved="Status change recorded.",
    choices={"verifications": VERIFICATIONS, "condition": CONDITION_CHOICES},
)
