"""The verification queue: verifiers move incidents, status entries and movements between
unverified, partially verified, verified and disputed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from schemas import (
    IncidentOutSchema,
    IncidentQuerySchema,
    MovementOutSchema,
    StatusOutSchema,
    VerificationSchema,
)

from ..models.enums import Scope, Verification
from ..services import (
    RecordFilter,
    ServiceError,
    get_incident,
    list_incidents,
    list_movements,
    set_incident_verification,
    set_movement_verification,
    set_status_verification,
    status_changes,
)
from .access import current_actor, requires, safe_next
from .blueprint import bp
from .forms import CONTROL_FIELDS, FormState, load_form
from .present import area_index, dump

OPEN_STATES = ("unverified", "partially_verified", "disputed")
QUEUE_SIZE = 50


@bp.get("/review")
@requires(Scope.verify)
def review_queue():
    """Records waiting for verification."""
    actor = current_actor()
    form = FormState.submitted(request.args)
    query, form.errors = load_form(IncidentQuerySchema(), request.args)
    filters = query["filters"] if query else RecordFilter()
    filters.verifications = filters.verifications or list(OPEN_STATES)
    form.values["verification"] = filters.verifications
    try:
        incidents = list_incidents(actor, filters, limit=QUEUE_SIZE)
        movements = list_movements(actor, filters, limit=QUEUE_SIZE)
        statuses = status_changes(actor, filters, limit=QUEUE_SIZE)
    except ServiceError as exc:  # an area that does not exist
        form.errors.setdefault("admin_pcode", [exc.detail])
        incidents = movements = None
        statuses = []
    return render_template(
        "review/queue.html",
        form=form,
        incidents=dump(IncidentOutSchema, incidents.items) if incidents else [],
        more_incidents=bool(incidents and incidents.next_cursor),
        movements=dump(MovementOutSchema, movements.items) if movements else [],
        more_movements=bool(movements and movements.next_cursor),
        statuses=list(zip(dump(StatusOutSchema, statuses), statuses, strict=True)),
        areas=area_index(),
        verifications=[v.value for v in Verification],
        queue_size=QUEUE_SIZE,
    ), 400 if form.errors else 200


SETTERS = {
    "incidents": lambda actor, rid, data: _set_incident(actor, rid, data),
    "statuses": lambda actor, rid, data: set_status_verification(actor, rid, data["verification"]),
    "movements": lambda actor, rid, data: set_movement_verification(
        actor, rid, data["verification"]
    ),
}


def _set_incident(actor, record_id, data):
    # Re-saving the state it already has would only add an empty revision.
    if get_incident(actor, record_id).verification == data["verification"] and not data["note"]:
        return None
    return set_incident_verification(actor, record_id, data["verification"], data["note"])


@bp.post("/review/<any(incidents, statuses, movements):kind>/<record_id>")
@requires(Scope.verify)
def review_set(kind, record_id):
    """Set the verification state of one record."""
    back = safe_next(request.form.get("next"), url_for("web.review_queue"))
    data, errors = load_form(VerificationSchema(), request.form, CONTROL_FIELDS | {"next"})
    if errors:
        flash("Not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), "error")
        return redirect(back, 303)
    try:
        SETTERS[kind](current_actor(), record_id, data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(f"Not saved: {exc.detail}", "error")
        return redirect(back, 303)
    flash(f"Marked {data['verification'].value.replace('_', ' ')}.", "success")
    return redirect(back, 303)
