"""Retracting a record from the web: a confirmation page with the reason, then the service."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from schemas.sync import RetractionSchema

from ..kinds import INCIDENTS, MOVEMENTS, STATUSES
from ..models.enums import Scope
from ..services import get_incident, get_movement
from ..services.facilities import status_entry
from ..services.retraction import retract_record
from ..services.visibility import sees_retracted
from .access import current_actor, requires
from .blueprint import bp
from .forms import form_page
from .present import dump

# URL segment → (kind for the service, the Kind, how to read one record).
RETRACTABLE = {
    "incidents": ("incident", INCIDENTS, get_incident),
    "movements": ("movement", MOVEMENTS, get_movement),
    "statuses": ("status", STATUSES, status_entry),
}


@bp.route("/retract/<kind>/<record_id>", methods=["GET", "POST"])
@requires(Scope.verify)
def retract(kind: str, record_id: str):
    """Retract a record, after confirming, with a reason."""
    if kind not in RETRACTABLE:
        abort(404)
    entity, described, read_one = RETRACTABLE[kind]
    actor = current_actor()
    record = read_one(actor, record_id)
    detail = described.detail.url(record)
    if record.retracted_at is not None:  # only administrators still open it
        flash(f"This {described.label} was already retracted.")
        return redirect(detail, 303)

    def write(data, report) -> str:
        retract_record(actor, entity, record.id, data["reason"], report=report)
        # Only administrators still see a retracted record; others go back to the list.
        if sees_retracted(actor) or kind == "statuses":
            return detail
        return url_for(described.list_endpoint)

    return form_page(
        actor,
        RetractionSchema(),
        "retract.html",
        write,
        initial={},
        saved=f"The {described.label} was retracted.",
        kind=kind,
        label=described.label,
        record=dump(described.out_schema, record, many=False),
        back=detail,
    )
