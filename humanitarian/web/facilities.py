"""Facilities: list with current status, detail with status history, and the forms to add a
facility and to record a change of its status."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..kinds import FACILITIES, STATUSES
from ..models.enums import Scope
from ..services import (
    current_status,
    get_facility,
    set_infrastructure_status,
    status_history,
)
from .access import current_actor, requires
from .blueprint import bp
from .forms import form_page
from .present import (
    area_choices,
    area_index,
    dump,
    facility_choices,
    source_choices,
)
from .records import list_page, new_record_page


@bp.get("/facilities")
def facility_list():
    """Facilities with their current status, filtered as in the API."""
    return list_page(FACILITIES)


@bp.get("/facilities/<facility_id>")
def facility_detail(facility_id):
    """One facility with its full status history."""
    actor = current_actor()
    facility = get_facility(actor, facility_id)
    history = status_history(actor, facility.id)
    now = current_status(actor, facility)
    return render_template(
        "facilities/detail.html",
        facility=dump(FACILITIES.out_schema, facility, many=False),
        current=dump(STATUSES.out_schema, now, many=False) if now else None,
        history=dump(STATUSES.out_schema, list(reversed(history))),
        areas=area_index(),
        verifications=FACILITIES.choices["verifications"],
    )


@bp.route("/facilities/new", methods=["GET", "POST"])
@requires(Scope.append)
def facility_new():
    """Add a facility (airport, road, school, petrol station...)."""
    return new_record_page(
        FACILITIES, facility_types=FACILITIES.choices["facility_types"], areas=area_choices()
    )


@bp.get("/facilities/status")
@requires(Scope.append)
def status_pick():
    """Choose the facility whose status changed."""
    chosen = request.args.get("facility_id")
    if chosen:
        return redirect(url_for("web.status_new", facility_id=chosen))
    q = request.args.get("q", "").strip()[:100]
    return render_template("facilities/pick.html", choices=facility_choices(q), q=q)


@bp.route("/facilities/<facility_id>/statuses/new", methods=["GET", "POST"])
@requires(Scope.append)
def status_new(facility_id):
    """Record a change of a facility's status (a new history entry)."""
    actor = current_actor()
    facility = get_facility(actor, facility_id)

    def write(data, report) -> str:
        set_infrastructure_status(actor, facility.id, data, report=report)
        return FACILITIES.detail.url(facility)

    return form_page(
        actor,
        STATUSES.in_schema(),
        "facilities/status_form.html",
        write,
        initial={"sensitivity": "public"},
        saved=STATUSES.saved,
        facility=facility,
        current=current_status(actor, facility),
        condition=FACILITIES.choices["condition"],
        sources=source_choices(),
    )
