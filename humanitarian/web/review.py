"""The verification queue: verifiers move incidents, status entries and movements between
unverified, partially verified, verified and disputed. Every reviewed kind (``kinds.REVIEWED``)
has a section, and its ``verify`` service sets the state."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for

from schemas import IncidentQuerySchema, VerificationSchema

from ..kinds import KINDS, REVIEWED, Kind
from ..models.enums import Scope, Verification
from ..services import Actor, RecordFilter, ServiceError
from .access import current_actor, requires, safe_next
from .blueprint import bp
from .forms import CONTROL_FIELDS, FormState, load_form
from .present import area_index, dump

OPEN_STATES = ("unverified", "partially_verified", "disputed")
QUEUE_SIZE = 50


@dataclass
class Section:
    """One kind's part of the queue: its open records (dumped) and whether there are more."""

    kind: Kind
    rows: list
    more: bool = False


def _section(actor: Actor, kind: Kind, filters: RecordFilter) -> Section:
    page = kind.page(actor, filters, limit=QUEUE_SIZE)
    return Section(kind, dump(kind.out_schema, page.items), bool(page.next_cursor))


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
        sections = [_section(actor, kind, filters) for kind in REVIEWED]
    except ServiceError as exc:  # an area that does not exist
        form.errors.setdefault("admin_pcode", [exc.detail])
        sections = [Section(kind, []) for kind in REVIEWED]
    return render_template(
        "review/queue.html",
        form=form,
        sections=sections,
        areas=area_index(),
        verifications=[v.value for v in Verification],
        queue_size=QUEUE_SIZE,
    ), 400 if form.errors else 200


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
        KINDS[kind].verify(current_actor(), record_id, data["verification"], data["note"])
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(f"Not saved: {exc.detail}", "error")
        return redirect(back, 303)
    flash(f"Marked {data['verification'].value.replace('_', ' ')}.", "success")
    return redirect(back, 303)
