"""Facilities: list with current status, detail with status history, and the forms to add a
facility and to record a change of its status."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from schemas import (
    FacilityInSchema,
    FacilityOutSchema,
    FacilityQuerySchema,
    StatusInSchema,
    StatusOutSchema,
)

from ..models.enums import IMPAIRED_STATUSES, FacilityType, InfraStatus, Scope, Verification
from ..services import (
    RecordFilter,
    create_facility,
    current_status,
    current_statuses,
    get_facility,
    list_facilities,
    set_infrastructure_status,
    status_history,
)
from .access import current_actor, requires, writable_sensitivities
from .blueprint import bp
from .forms import FormState, done, load_form, run_list, save
from .present import area_choices, area_index, dump, page_links, source_choices

IMPAIRED = frozenset(s.value for s in IMPAIRED_STATUSES)


def with_status(facilities, statuses: dict) -> list[dict]:
    """Facility dumps with their current status attached, as the API's list serves them."""
    rows = dump(FacilityOutSchema, facilities)
    for row, facility in zip(rows, facilities, strict=True):
        status = statuses.get(facility.id)
        row["current_status"] = dump(StatusOutSchema, status, many=False) if status else None
    return rows


@bp.get("/facilities")
def facility_list():
    """Facilities with their current status, filtered as in the API."""
    actor = current_actor()
    listing = run_list(FacilityQuerySchema(), list_facilities, actor, request.args)
    statuses = current_statuses(actor, [f.id for f in listing.items])
    return render_template(
        "facilities/list.html",
        listing=listing,
        facilities=with_status(listing.items, statuses),
        next_url=page_links(listing),
        areas=area_index(),
        facility_types=[t.value for t in FacilityType],
        statuses=[s.value for s in InfraStatus],
        verifications=[v.value for v in Verification],
        impaired=IMPAIRED,
    ), 400 if listing.form.errors else 200


@bp.get("/facilities/<facility_id>")
def facility_detail(facility_id):
    """One facility with its full status history."""
    actor = current_actor()
    facility = get_facility(actor, facility_id)
    history = status_history(actor, facility.id)
    now = current_status(actor, facility)
    return render_template(
        "facilities/detail.html",
        facility=dump(FacilityOutSchema, facility, many=False),
        current=dump(StatusOutSchema, now, many=False) if now else None,
        history=dump(StatusOutSchema, list(reversed(history))),
        areas=area_index(),
        impaired=IMPAIRED,
        verifications=[v.value for v in Verification],
    )


@bp.route("/facilities/new", methods=["GET", "POST"])
@requires(Scope.append)
def facility_new():
    """Add a facility (airport, road, school, petrol station...)."""
    actor = current_actor()
    form = FormState(values={"sensitivity": "public"})
    if request.method == "POST":
        form = FormState.submitted(request.form)
        data, form.errors = load_form(FacilityInSchema(), request.form)
        if data is not None:
            location = save(actor, form, lambda report: _created(actor, data, report))
            if location:
                return done(form, location, "Facility added.")
    return render_template(
        "facilities/form.html",
        form=form,
        facility_types=[t.value for t in FacilityType],
        areas=area_choices(),
        sensitivities=writable_sensitivities(),
        verifier=Scope.verify in actor.scopes,
    ), form.status


def _created(actor, data, report) -> str:
    facility = create_facility(actor, data, report=report)
    return url_for("web.facility_detail", facility_id=facility.id)


@bp.get("/facilities/status")
@requires(Scope.append)
def status_pick():
    """Choose the facility whose status changed."""
    chosen = request.args.get("facility_id")
    if chosen:
        return redirect(url_for("web.status_new", facility_id=chosen))
    facilities = list_facilities(current_actor(), RecordFilter(), limit=1000).items
    return render_template("facilities/pick.html", facilities=facilities)


@bp.route("/facilities/<facility_id>/statuses/new", methods=["GET", "POST"])
@requires(Scope.append)
def status_new(facility_id):
    """Record a change of a facility's status (a new history entry)."""
    actor = current_actor()
    facility = get_facility(actor, facility_id)
    form = FormState(values={"sensitivity": "public"})
    if request.method == "POST":
        form = FormState.submitted(request.form)
        data, form.errors = load_form(StatusInSchema(), request.form)
        if data is not None:
            location = save(actor, form, lambda report: _status_set(actor, facility, data, report))
            if location:
                return done(form, location, "Status change recorded.")
    now = current_status(actor, facility)
    return render_template(
        "facilities/status_form.html",
        form=form,
        facility=facility,
        current=now,
        statuses=[s.value for s in InfraStatus],
        sources=source_choices(),
        sensitivities=writable_sensitivities(),
        verifier=Scope.verify in actor.scopes,
    ), form.status


def _status_set(actor, facility, data, report) -> str:
    set_infrastructure_status(actor, facility.id, data, report=report)
    return url_for("web.facility_detail", facility_id=facility.id)
