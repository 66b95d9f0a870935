"""The dashboard: key figures for an area and period (the numbers of /api/v1/summary), a
timeline, the incident map, current infrastructure status and displacement vs returns."""

from __future__ import annotations

from flask import render_template, request

from schemas import FacilityOutSchema, IncidentOutSchema, SummaryQuerySchema

from ..models.enums import Scope
from ..services import (
    NotFound,
    RecordFilter,
    get_area,
    list_facilities,
    list_incidents,
    summarize,
    with_current_status,
)
from ..services.filters import start_of
from ..services.visibility import reader_pcode
from .access import current_actor, requires
from .blueprint import bp
from .charts import incident_timeline, timeline_chart
from .forms import FormState, load_form
from .maps import area_map, incident_points
from .present import area_index, dump

MAP_POINTS = 500
STATUS_ROWS = 200  # the status table's facilities; past them it links to the facilities page


@bp.get("/")
def dashboard():
    """Key figures, timeline, map and infrastructure status for an area and period."""
    actor = current_actor()
    form = FormState.submitted(request.args)
    query, form.errors = load_form(SummaryQuerySchema(), request.args)
    query = query or {}
    pcode, since, until = query.get("admin_pcode"), query.get("since"), query.get("until")
    try:
        # Public readers see districts at the finest: a sub-district shows its district.
        pcode = reader_pcode(actor, pcode)
        area = get_area(pcode) if pcode else None
    except NotFound as exc:
        form.errors["admin_pcode"] = [exc.detail]
        area = pcode = None
    summary = summarize(actor, pcode, since, until)
    filters = RecordFilter(admin_pcode=pcode, since=since, until=until)
    buckets, unit = incident_timeline(actor, filters)
    incidents = dump(IncidentOutSchema, list_incidents(actor, filters, limit=MAP_POINTS).items)
    return render_template(
        "dashboard.html",
        form=form,
        area=area,
        summary=summary,
        chart=timeline_chart(buckets, unit),
        map=area_map(actor, filters, points=incident_points(incidents)),
        recent=incidents[:8],
        **_infrastructure(actor, pcode, until),
        areas=area_index(),
    ), 400 if form.errors else 200


def _infrastructure(actor, pcode, until) -> dict:
    """Facilities with their status at the end of the period, impaired ones first (at most
    ``STATUS_ROWS``; ``more_facilities`` says there are others)."""
    page = list_facilities(actor, RecordFilter(admin_pcode=pcode), limit=STATUS_ROWS + 1)
    facilities = page.items[:STATUS_ROWS]
    at = start_of(until, 1) if until else None
    rows = dump(FacilityOutSchema, with_current_status(actor, facilities, at))

    def impaired_first(row):
        return (not (row["current_status"] or {}).get("impaired"), row["name"])

    return {
        "facilities": sorted(rows, key=impaired_first),
        "more_facilities": len(page.items) > STATUS_ROWS,
        "status_rows": STATUS_ROWS,
    }


@bp.get("/record")
@requires(Scope.append)
def record():
    """Choose what to record."""
    return render_template("record.html")
