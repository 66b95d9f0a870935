"""/audit: the audit trail for administrators, newest first, as JSON or CSV."""

from __future__ import annotations

import json

from flask import request
from flask.views import MethodView

from schemas import AuditEventOutSchema, AuditQuerySchema
from schemas.api import AuditPageSchema

from ..kinds import Column, Listing
from ..models.enums import Scope
from ..services import audit_export_select, list_audit_events
from .auth import current_actor
from .common import errors_doc, make_blueprint, rules_doc
from .exports import list_response

blp = make_blueprint(
    "audit", __name__, "The audit trail: every write, restricted read, export, login and token use."
)


def _details(row: dict, _areas) -> str:
    return json.dumps(row.get("details"), ensure_ascii=False) if row.get("details") else ""


COLUMNS = (
    Column("id"),
    Column("occurred_at"),
    Column("action"),
    Column("entity_type"),
    Column("entity_id"),
    Column("user_id"),
    Column("api_token_id"),
    Column("organization_id"),
    Column("report_id"),
    Column("request_id"),
    Column("ip"),
    Column("details", get=_details),
)

LISTING = Listing(
    name="audit",
    out_schema=AuditEventOutSchema,
    columns=COLUMNS,
    page=list_audit_events,
    export_select=audit_export_select,
)

LIST_DOC = {
    "responses": {
        "200": {
            "description": "a page (or with limit=all, every matching event, streamed)",
            "content": {
                "application/json": {"schema": AuditPageSchema},
                "text/csv": {"schema": {"type": "string"}, "example": "id,occurred_at,action,..."},
            },
        },
        **errors_doc(400, 401, 403),
    }
}


@blp.route("/audit")
class AuditTrail(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.doc(**LIST_DOC, **rules_doc(AuditQuerySchema))
    def get(self, query):
        """Read the audit trail, newest first (admin scope); JSON or CSV."""
        actor = current_actor()
        actor.require(Scope.admin)
        if not query.get("format"):
            accepted = request.accept_mimetypes.best_match(["application/json", "text/csv"])
            query["format"] = "csv" if accepted == "text/csv" else "json"
        return list_response(actor, LISTING, query)
