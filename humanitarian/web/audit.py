"""The audit trail for administrators: who did what, when, from which request."""

from __future__ import annotations

import json

from flask import render_template, request, url_for

from schemas import AuditEventOutSchema, AuditQuerySchema

from ..models.enums import Scope
from ..services import audit_actions, audit_actor_labels, list_audit_events
from .access import current_actor, requires
from .blueprint import bp
from .forms import run_list
from .present import page_links

# Where an audited entity can be opened in the web interface.
ENTITY_PAGES = {
    "incident": ("web.incident_detail", "incident_id"),
    "facility": ("web.facility_detail", "facility_id"),
    "movement": ("web.movement_detail", "movement_id"),
}


@bp.get("/admin/audit")
@requires(Scope.admin)
def audit_log():
    """The audit trail, newest first, with filters (administrators)."""
    actor = current_actor()
    listing = run_list(AuditQuerySchema(), list_audit_events, actor, request.args)
    return render_template(
        "admin/audit.html",
        listing=listing,
        events=AuditEventOutSchema(many=True).dump(listing.items),
        accounts=audit_actor_labels(actor, listing.items),
        actions=audit_actions(actor),
        next_url=page_links(listing),
    ), 400 if listing.form.errors else 200


@bp.app_template_filter("entity_url")
def entity_url(event: dict) -> str | None:
    page = ENTITY_PAGES.get(event.get("entity_type") or "")
    if page is None or not event.get("entity_id"):
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: event["entity_id"]})


@bp.app_template_filter("compact_json")
def compact_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
