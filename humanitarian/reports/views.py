"""Web pages: the sitrep archive, downloads, generate-now, and (for admins) scheduler health."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas import SitrepFormSchema, SitrepQuerySchema, SitrepWithdrawalFormSchema

from ..models import utcnow
from ..models.enums import Scope, sensitivities_up_to
from ..services import (
    Actor,
    ServiceError,
    generate_sitrep,
    list_areas,
    list_sitrep_runs,
    list_sitreps,
    sitrep_pdf_path,
    withdraw_sitrep,
    withdrawal_suggestions,
)
from ..services.sitrep_records import retracted_counts
from .blueprint import bp
from .labels import period

# Generating publishes a sitrep: verifiers and admins only. The service checks the ``verify``
# scope, which only those two roles carry; the page shows the form only to them.


def _actor() -> Actor:
    return Actor.for_user(current_user, request_id=g.get("request_id"), ip=request.remote_addr)


def _page(actor: Actor, *, form=None, errors=None, status=200):
    query_errors = {}
    try:
        query = SitrepQuerySchema().load(request.args)
    except ValidationError as exc:
        query, query_errors = {}, exc.messages
        status = 400 if status == 200 else status
    cursor, limit = query.pop("cursor", None), query.pop("limit", 50)
    try:
        page = list_sitreps(actor, limit=limit, cursor=cursor, **query)
    except ServiceError as exc:
        page, query_errors, status = None, {"cursor": [exc.detail]}, exc.status
    admin = _admin_panel(actor) if Scope.admin in actor.scopes else None
    return render_template(
        "reports/index.html",
        page=page,
        query=query,
        areas=[a for a in list_areas() if a.level <= 2],
        audiences=sensitivities_up_to(actor.max_sensitivity),
        can_generate=Scope.verify in actor.scopes,
        suggested=withdrawal_suggestions(actor, page.items) if page else {},
        form=form or {},
        errors=errors or {},
        query_errors=query_errors,
        admin=admin,
        period=period,
        retracted=retracted_counts(s.id for s in page.items) if page else {},
    ), status


def _admin_panel(actor: Actor) -> dict:
    from ..scheduler import current_lease, job_overview

    return {
        "lease": current_lease(),
        "jobs": job_overview(current_app),
        "runs": list_sitrep_runs(actor, limit=20),
        "now": utcnow(),
    }


@bp.get("/")
@login_required
def index():
    """Archive of generated situation reports."""
    return _page(_actor())


@bp.post("/generate")
@login_required
def generate():
    """Generate a situation report now (verifiers and admins)."""
    actor = _actor()
    try:
        data = SitrepFormSchema().load(request.form)
    except ValidationError as exc:
        return _page(actor, form=request.form, errors=exc.messages, status=422)
    started = utcnow()
    try:
        sitrep = generate_sitrep(actor, **data)
    except ServiceError as exc:
        flash(exc.detail, "error")
        return _page(actor, form=request.form, errors=exc.errors, status=exc.status)
    fresh = sitrep.generated_at >= started
    flash(
        f"{'Generated' if fresh else 'Already in the archive'}: {sitrep.title} ({sitrep.audience}).",
        "success" if fresh else "info",
    )
    return redirect(url_for("reports.index", admin_pcode=sitrep.admin_pcode))


@bp.post("/<uuid:sitrep_id>/withdraw")
@login_required
def withdraw(sitrep_id):
    """Withdraw an archived situation report with a reason (verifiers and admins)."""
    actor = _actor()
    try:
        actor.require(Scope.verify)  # before the form is read: a viewer gets 403, not a message
        data = SitrepWithdrawalFormSchema().load(request.form)
        sitrep = withdraw_sitrep(actor, sitrep_id, data["reason"])
    except ValidationError as exc:
        flash(" ".join(exc.messages.get("reason", ["Give a reason."])), "error")
        return redirect(url_for("reports.index"))
    except ServiceError as exc:
        if exc.status in (403, 404):
            return render_template("reports/error.html", error=exc), exc.status
        flash(exc.detail, "error")
        return redirect(url_for("reports.index"))
    flash(f"Withdrawn: {sitrep.title} ({sitrep.audience}).", "success")
    return redirect(url_for("reports.index", admin_pcode=sitrep.admin_pcode))


@bp.get("/<uuid:sitrep_id>.pdf")
@login_required
def download(sitrep_id):
    """Download one archived situation report as PDF."""
    actor = _actor()
    try:
        path = sitrep_pdf_path(actor, sitrep_id)
    except ServiceError as exc:
        return render_template("reports/error.html", error=exc), exc.status
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=request.args.get("inline") != "1",
        download_name=path.name,
        max_age=0,
    )
