"""/sitreps: the archive of situation reports, generating one now, and PDF downloads."""

from __future__ import annotations

import base64
import uuid

from flask import Response, request, send_file
from flask.views import MethodView

from schemas import SitrepQuerySchema, SitrepRequestSchema, SitrepWithdrawalSchema
from schemas.api import IdempotencyHeaderSchema, SitrepApiOutSchema, SitrepPageSchema

from ..models import Sitrep, utcnow
from ..models.enums import Scope
from ..services import (
    Replay,
    generate_sitrep,
    get_sitrep,
    list_sitreps,
    request_fingerprint,
    sitrep_pdf_path,
    withdraw_sitrep,
    withdrawal_suggestions,
)
from ..services.sitrep_records import retracted_counts
from .auth import current_actor
from .common import (
    API_PREFIX,
    body_doc,
    created,
    errors_doc,
    json_body,
    json_response,
    make_blueprint,
    ok_doc,
    rules_doc,
)

blp = make_blueprint(
    "sitreps", __name__, "Situation reports: PDFs for an area, a period and an edition."
)

# Generation is synchronous (a few seconds), so a request answers 201 with the stored sitrep;
# the contract's 202 (accepted for later) is never needed. This header tells a partner whether
# the sitrep was made by this request or was already in the archive.
STATUS_HEADER = "Sitrep-Status"

CREATED_DOC = {
    "responses": {
        "201": {
            "description": "the sitrep: generated now, or the one already archived for this "
            "area, period and edition (see Sitrep-Status). A replay of an Idempotency-Key "
            "returns the original response with 'Idempotent-Replayed: true'.",
            "headers": {
                "Location": {"schema": {"type": "string"}, "description": "the PDF"},
                STATUS_HEADER: {"schema": {"type": "string", "enum": ["generated", "archived"]}},
            },
            "content": {"application/json": {"schema": SitrepApiOutSchema}},
        },
        **errors_doc(400, 401, 403, 409, 413, 415),
    }
}

PDF_DOC = {
    "responses": {
        "200": {
            "description": "the PDF; ETag and Repr-Digest carry its SHA-256",
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "the SHA-256 in hex"},
                "Repr-Digest": {
                    "schema": {"type": "string"},
                    "description": "RFC 9530: sha-256=:<base64>:",
                },
            },
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        "304": {"description": "not modified (If-None-Match matched the ETag)"},
        **errors_doc(401, 403, 404, 410),
    }
}


def _pdf_url(sitrep: Sitrep) -> str:
    return f"{API_PREFIX}/sitreps/{sitrep.id}.pdf"


def _created(sitrep: Sitrep, status: str) -> Response:
    response = created(SitrepApiOutSchema().dump(sitrep), _pdf_url(sitrep))
    response.headers[STATUS_HEADER] = status
    return response


@blp.route("/sitreps")
class Sitreps(MethodView):
    @blp.arguments(SitrepQuerySchema, location="query")
    @blp.doc(**ok_doc(SitrepPageSchema, 400, 401, 403), **rules_doc(SitrepQuerySchema))
    def get(self, query):
        """List generated situation reports, newest first (editions up to your grant)."""
        cursor, limit = query.pop("cursor", None), query.pop("limit")
        actor = current_actor()
        page = list_sitreps(actor, limit=limit, cursor=cursor, **query)
        items = SitrepApiOutSchema(many=True).dump(page.items)
        retracted = retracted_counts(s.id for s in page.items)
        suggested = withdrawal_suggestions(actor, page.items)
        for item, sitrep in zip(items, page.items, strict=True):
            item["retracted_records"] = retracted.get(sitrep.id, 0)
            item["withdrawal_suggested"] = suggested.get(sitrep.id)
        return json_response({"items": items, "next_cursor": page.next_cursor})

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**body_doc(SitrepRequestSchema, description="area, period and edition"))
    @blp.doc(**rules_doc(SitrepRequestSchema))
    @blp.doc(**CREATED_DOC)
    def post(self, headers):
        """Generate a situation report now (needs the verify scope), or get the archived one."""
        actor = current_actor()
        actor.require(Scope.verify)
        payload = json_body()
        data = SitrepRequestSchema().load(payload)
        fingerprint = request_fingerprint(
            {"method": request.method, "path": request.path, "body": payload}
        )
        started = utcnow()
        try:
            sitrep = generate_sitrep(
                actor,
                **data,
                idempotency_key=headers.get("idempotency_key"),
                fingerprint=fingerprint,
            )
        except Replay as replay:
            response = _created(get_sitrep(actor, replay.body["id"]), "generated")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        return _created(sitrep, "generated" if sitrep.generated_at >= started else "archived")


@blp.route("/sitreps/<uuid:sitrep_id>/withdrawal")
class SitrepWithdrawal(MethodView):
    @blp.doc(**body_doc(SitrepWithdrawalSchema, description="why it is withdrawn"))
    @blp.doc(**ok_doc(SitrepApiOutSchema, 400, 401, 403, 404))
    def post(self, sitrep_id: uuid.UUID):
        """Withdraw an archived sitrep (verify scope): its PDF then answers 410 with the reason."""
        actor = current_actor()
        actor.require(Scope.verify)
        data = SitrepWithdrawalSchema().load(json_body())
        sitrep = withdraw_sitrep(actor, sitrep_id, data["reason"])
        return json_response(SitrepApiOutSchema().dump(sitrep))


@blp.route("/sitreps/<uuid:sitrep_id>.pdf")
class SitrepPdf(MethodView):
    @blp.doc(**PDF_DOC)
    def get(self, sitrep_id: uuid.UUID):
        """Download a situation report as PDF."""
        actor = current_actor()
        path = sitrep_pdf_path(actor, sitrep_id)  # checks grant and checksum; audits the download
        sitrep = get_sitrep(actor, sitrep_id)
        name = f"sitrep_{sitrep.admin_pcode}_{sitrep.period_start}_{sitrep.period_end}"
        response = send_file(
            path,
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"{name}_{sitrep.audience}.pdf",
            etag=sitrep.checksum_sha256,
            conditional=True,
            max_age=0,
        )
        digest = base64.b64encode(bytes.fromhex(sitrep.checksum_sha256)).decode()
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        # Editions above 'public' must not sit in shared caches.
        response.cache_control.public = False
        response.cache_control.private = True
        response.headers["Vary"] = "Authorization"
        return response
