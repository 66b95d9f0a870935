"""/imports: upload an ACLED export or an HXL-tagged file; the job runs in the background."""

from __future__ import annotations

import uuid

from flask import current_app, request
from flask.views import MethodView

from schemas import (
    ImportJobOutSchema,
    ImportListQuerySchema,
    ImportListSchema,
    ImportUploadSchema,
)
from schemas.api import IdempotencyHeaderSchema

from ..models.enums import Scope
from ..services import BusinessRuleError
from ..services.import_jobs import ImportReplay, get_import, list_imports, submit_import
from .auth import current_actor
from .common import (
    API_PREFIX,
    created,
    errors_doc,
    json_response,
    make_blueprint,
    ok_doc,
    rules_doc,
)

blp = make_blueprint(
    "imports", __name__, "Imports: ACLED exports and HXL files, processed as background jobs."
)

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["file", "format"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "format": {"type": "string", "enum": ["acled", "hxl"]},
                        "kind": {"type": "string", "enum": ["incidents", "movements"]},
                        "sensitivity": {
                            "type": "string",
                            "enum": ["public", "partner", "restricted"],
                        },
                    },
                }
            }
        },
    },
    "responses": {
        "202": {
            "description": "accepted: the job, pending; poll Location for its progress",
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": ImportJobOutSchema}},
        },
        **errors_doc(400, 401, 403, 409, 413),
    },
}


def _url(job_id) -> str:
    return f"{API_PREFIX}/imports/{job_id}"


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportListQuerySchema, location="query")
    @blp.doc(**ok_doc(ImportListSchema, 401, 403))
    def get(self, query):
        """Your latest import jobs, newest first (admins: everyone's)."""
        jobs = list_imports(current_actor(), limit=query["limit"])
        return json_response({"items": ImportJobOutSchema(many=True).dump(jobs)})

    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.doc(**UPLOAD_DOC, **rules_doc(ImportUploadSchema))
    def post(self, headers):
        """Upload an ACLED or HXL file (multipart, up to 100 MB); answers 202 with the job."""
        actor = current_actor()
        actor.require(Scope.append)  # before the body is read or checked
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
        upload = request.files.get("file")
        # A part without a name is no field at all (and cannot name one in an error).
        form = {k: v for k, v in request.form.items() if k and k.strip()}
        fields = ImportUploadSchema().load(form)
        if upload is None:
            raise BusinessRuleError("no file", errors={"file": ["Send the file as 'file'."]})
        try:
            job = submit_import(
                actor,
                upload.read(),
                fmt=fields["format"],
                kind=fields["kind"],
                filename=upload.filename or "",
                sensitivity=fields["sensitivity"],
                idempotency_key=headers.get("idempotency_key"),
            )
        except ImportReplay as replay:
            response = created(ImportJobOutSchema().dump(replay.job), _url(replay.job.id), 202)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        return created(ImportJobOutSchema().dump(job), _url(job.id), 202)


@blp.route("/imports/<uuid:job_id>")
class ImportItem(MethodView):
    @blp.doc(**ok_doc(ImportJobOutSchema, 401, 403, 404))
    def get(self, job_id: uuid.UUID):
        """An import job: state, progress, counts and row errors (line, column, message)."""
        return json_response(ImportJobOutSchema().dump(get_import(current_actor(), job_id)))
