"""Imports on the web: upload an ACLED or HXL file and follow its job (progress, counts, row
errors), the same jobs as ``/api/v1/imports``."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from schemas import ImportJobOutSchema, ImportUploadSchema

from ..models.enums import Scope, sensitivities_up_to
from ..services import ServiceError
from ..services.import_jobs import ImportReplay, get_import, list_imports, submit_import
from .access import current_actor, requires
from .blueprint import bp
from .forms import FormState, load_form


@bp.route("/imports", methods=["GET", "POST"])
@requires(Scope.append)
def import_list():
    """Upload a file to import; your latest import jobs."""
    actor = current_actor()
    form, status = FormState.submitted(request.form), 200
    if request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
        upload = request.files.get("file")
        data, form.errors = load_form(ImportUploadSchema(), request.form)
        if upload is None or not upload.filename:
            form.errors["file"] = ["Choose a file."]
        if not form.errors:
            try:
                job = submit_import(
                    actor, upload.read(), fmt=data["format"], kind=data["kind"],
                    filename=upload.filename, sensitivity=data["sensitivity"],
                    idempotency_key=form.key,
                )  # fmt: skip
            except ImportReplay as replay:
                job = replay.job
            except ServiceError as exc:
                form.errors.update(exc.errors or {"file": [exc.detail]})
            else:
                return redirect(url_for("web.import_detail", job_id=job.id), 303)
        status = 422
    jobs = ImportJobOutSchema(many=True).dump(list_imports(actor))
    sensitivities = [s.value for s in sensitivities_up_to(actor.max_sensitivity)]
    return render_template(
        "imports/list.html", form=form, jobs=jobs, sensitivities=sensitivities
    ), status


@bp.get("/imports/<job_id>")
@requires(Scope.append)
def import_detail(job_id):
    """One import job: state, progress, counts and the rows refused."""
    job = ImportJobOutSchema().dump(get_import(current_actor(), job_id))
    return render_template("imports/detail.html", job=job)
