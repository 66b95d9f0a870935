"""Web pages: sitrep schedules (admins), and the links in a sitrep e-mail (no sign-in)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas import ScheduleFormSchema

from ..extensions import csrf
from ..models import WEEKDAYS, Cadence, Language
from ..models.enums import Scope, sensitivities_up_to
from ..services import (
    Actor,
    ScheduleInput,
    ServiceError,
    create_schedule,
    delivered_pdf,
    get_schedule,
    list_areas,
    list_deliveries,
    list_schedules,
    recipient_for_token,
    schedule_input,
    stop_schedule,
    unsubscribe,
    update_schedule,
)
from .blueprint import bp


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    # Not found, not allowed, a link that is no longer valid: a page, never a 500.
    return render_template("reports/error.html", error=exc), exc.status


def _actor() -> Actor:
    actor = Actor.for_user(current_user, request_id=g.get("request_id"), ip=request.remote_addr)
    actor.require(Scope.admin)  # a PermissionDenied is the 403 page
    return actor


def _form_page(template: str, actor: Actor, *, status: int = 200, **context):
    return render_template(
        template,
        areas=[a for a in list_areas() if a.level <= 2],
        audiences=sensitivities_up_to(actor.max_sensitivity),
        cadences=list(Cadence),
        languages=list(Language),
        weekdays=WEEKDAYS,
        errors=context.pop("errors", {}),
        **context,
    ), status


def _refused(exc: ValidationError | ServiceError) -> dict:
    """How a refused form is redrawn: its status, the messages per field, a summary."""
    if isinstance(exc, ValidationError):
        return {"status": 422, "errors": exc.messages, "message": None}
    return {"status": exc.status, "errors": exc.errors, "message": exc.detail}


def _form_values(schedule) -> dict:
    return {
        "name": schedule.name,
        "admin_pcode": schedule.admin_pcode,
        "cadence": str(schedule.cadence),
        "weekday": schedule.weekday or "",
        "run_time": schedule.run_time.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "audience": str(schedule.audience),
        "language": str(schedule.language),
        "recipients": "\n".join(r.email for r in schedule.recipients),
        "active": schedule.active,
    }


@bp.get("/schedules")
@login_required
def schedule_list():
    """Sitrep schedules: what is generated when, and who receives it (admins)."""
    actor = _actor()
    return _form_page(
        "reports/schedules.html",
        actor,
        schedules=list_schedules(actor),
        form={"timezone": "Asia/Damascus", "run_time": "06:00", "active": True},
    )


@bp.post("/schedules")
@login_required
def schedule_create():
    """Create a sitrep schedule (admins)."""
    actor = _actor()
    try:
        data = ScheduleFormSchema().load(request.form)
        schedule = create_schedule(actor, ScheduleInput(**data))
    except (ValidationError, ServiceError) as exc:
        return _form_page(
            "reports/schedules.html",
            actor,
            schedules=list_schedules(actor),
            form=request.form,
            **_refused(exc),
        )
    flash(f"Schedule created; next run {schedule.next_run_at:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("reports.schedule_detail", schedule_id=schedule.id))


@bp.get("/schedules/<uuid:schedule_id>")
@login_required
def schedule_detail(schedule_id):
    """One sitrep schedule: change it, its recipients and its delivery log (admins)."""
    actor = _actor()
    schedule = get_schedule(actor, schedule_id)
    return _form_page(
        "reports/schedule.html",
        actor,
        schedule=schedule,
        form=_form_values(schedule),
        deliveries=list_deliveries(schedule),
    )


@bp.post("/schedules/<uuid:schedule_id>")
@login_required
def schedule_update(schedule_id):
    """Change a sitrep schedule (admins)."""
    actor = _actor()
    schedule = get_schedule(actor, schedule_id)
    try:
        data = ScheduleFormSchema().load(request.form)
        update_schedule(actor, schedule.id, schedule_input(schedule, **data))
    except (ValidationError, ServiceError) as exc:
        return _form_page(
            "reports/schedule.html",
            actor,
            schedule=schedule,
            form=request.form,
            deliveries=list_deliveries(schedule),
            **_refused(exc),
        )
    flash("Schedule saved; the scheduler follows it within a minute.", "success")
    return redirect(url_for("reports.schedule_detail", schedule_id=schedule.id))


@bp.post("/schedules/<uuid:schedule_id>/stop")
@login_required
def schedule_stop(schedule_id):
    """Stop a sitrep schedule: no more runs or e-mails (admins)."""
    stop_schedule(_actor(), schedule_id)
    flash("Schedule stopped; nothing queued for it will be sent.", "success")
    return redirect(url_for("reports.schedule_detail", schedule_id=schedule_id))


# --- links in the e-mails: no sign-in, the signed token is the proof --------------------------


@bp.get("/unsubscribe/<token>")
def unsubscribe_confirm(token):
    """Confirm stopping a sitrep e-mail (the link in each message)."""
    recipient = recipient_for_token(token)
    return render_template("reports/unsubscribe.html", recipient=recipient, token=token, done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a form token
def unsubscribe_now(token):
    """Stop sending a schedule's sitreps to this address."""
    recipient = unsubscribe(token)
    return render_template("reports/unsubscribe.html", recipient=recipient, token=token, done=True)


@bp.get("/delivered/<token>.pdf")
def delivered(token):
    """A sitrep too large to attach, from the link in its e-mail."""
    sitrep, path = delivered_pdf(token)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=path.name, max_age=0
    )
