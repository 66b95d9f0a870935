"""Sitrep schedules: what the scheduler generates, when, in which edition and language, and
who receives it by e-mail.

Schedules are rows (``sitrep_schedules``), managed by admins on the web and over the API. The
scheduler turns each active row into one APScheduler job and reconciles its jobs with the
table every ``SCHEDULER_SYNC_SECONDS``, so a change takes effect without a restart.

Who may manage them: the ``admin`` scope (the admin role, admin tokens, the CLI). An edition
may not exceed the manager's own grant, so only an admin whose grant is ``restricted`` can
create, see or change a restricted schedule; recipients only ever receive the schedule's own
edition (``deliveries``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import available_timezones

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update

from ..extensions import db
from ..models import (
    WEEKDAYS,
    Cadence,
    DeliveryStatus,
    Language,
    SitrepDelivery,
    SitrepRecipient,
    SitrepSchedule,
    utcnow,
)
from ..models.enums import Scope, Sensitivity, sensitivities_up_to
from .actors import Actor
from .areas import require_area
from .audit import audit
from .common import parse_uuid
from .errors import BusinessRuleError, NotFound

DEFAULT_TIMEZONE = "Asia/Damascus"
MAX_RECIPIENTS = 1000


@dataclass(frozen=True)
class ScheduleInput:
    """A whole schedule, as created or as it stands after a change."""

    admin_pcode: str
    cadence: Cadence
    run_time: time
    audience: Sensitivity = Sensitivity.public
    language: Language = Language.en
    weekday: Optional[str] = None
    timezone: str = DEFAULT_TIMEZONE
    name: str = ""
    recipients: tuple[str, ...] = field(default_factory=tuple)
    active: bool = True


def cron_fields(schedule: SitrepSchedule | ScheduleInput) -> dict:
    """APScheduler cron fields for the schedule, in its own time zone (daylight saving
    included): the scheduler's job and ``next_run`` both come from these."""
    moment = {"hour": schedule.run_time.hour, "minute": schedule.run_time.minute}
    cadence = Cadence(schedule.cadence)
    if cadence == Cadence.weekly:
        moment["day_of_week"] = schedule.weekday
    elif cadence == Cadence.monthly:
        moment["day"] = 1
    return {**moment, "timezone": schedule.timezone}


def schedule_trigger(schedule: SitrepSchedule | ScheduleInput) -> CronTrigger:
    return CronTrigger(**cron_fields(schedule))


def next_run(schedule: SitrepSchedule | ScheduleInput, after: datetime) -> datetime:
    return schedule_trigger(schedule).get_next_fire_time(None, after)


def period_for(cadence: Cadence | str, today: date) -> tuple[date, date]:
    """Whole, past days: daily the day before ``today``; weekly the seven days before it;
    monthly the calendar month before ``today``'s."""
    end = today - timedelta(days=1)
    cadence = Cadence(cadence)
    if cadence == Cadence.daily:
        return end, end
    if cadence == Cadence.weekly:
        return end - timedelta(days=6), end
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last.replace(day=calendar.monthrange(last.year, last.month)[1])


def _validate(actor: Actor, data: ScheduleInput) -> None:
    actor.require(Scope.admin)
    actor.require_grant(data.audience)
    errors: dict[str, list[str]] = {}
    if data.cadence == Cadence.weekly and data.weekday not in WEEKDAYS:
        errors["weekday"] = [f"A weekly schedule needs a weekday: one of {', '.join(WEEKDAYS)}."]
    if data.cadence != Cadence.weekly and data.weekday is not None:
        errors["weekday"] = ["Only a weekly schedule has a weekday."]
    if data.timezone not in available_timezones():
        errors["timezone"] = [f"Unknown time zone {data.timezone!r} (e.g. Asia/Damascus, UTC)."]
    if len(data.recipients) > MAX_RECIPIENTS:
        errors["recipients"] = [f"At most {MAX_RECIPIENTS} recipients per schedule."]
    if errors:
        raise BusinessRuleError("the schedule breaks a rule", errors=errors)
    require_area(data.admin_pcode)


def _apply(schedule: SitrepSchedule, data: ScheduleInput, now: datetime) -> None:
    for name in ("admin_pcode", "cadence", "run_time", "audience", "language", "weekday"):
        setattr(schedule, name, getattr(data, name))
    schedule.timezone, schedule.name, schedule.active = data.timezone, data.name, data.active
    schedule.next_run_at = next_run(data, now) if data.active else None
    schedule.updated_at = now
    wanted = {e.strip().lower() for e in data.recipients if e.strip()}
    for recipient in list(schedule.recipients):
        if recipient.email not in wanted:
            schedule.recipients.remove(recipient)
    have = {r.email for r in schedule.recipients}
    schedule.recipients.extend(SitrepRecipient(email=e) for e in sorted(wanted - have))


def _describe(schedule: SitrepSchedule) -> dict:
    return {
        "admin_pcode": schedule.admin_pcode,
        "cadence": str(schedule.cadence),
        "weekday": schedule.weekday,
        "run_time": schedule.run_time.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "audience": str(schedule.audience),
        "language": str(schedule.language),
        "active": schedule.active,
        "recipients": len(schedule.recipients),
    }


def create_schedule(actor: Actor, data: ScheduleInput) -> SitrepSchedule:
    _validate(actor, data)
    now = utcnow()
    schedule = SitrepSchedule(
        created_by_user_id=actor.user_id, created_by=actor.label, created_at=now
    )
    _apply(schedule, data, now)
    db.session.add(schedule)
    db.session.flush()
    audit(
        actor, "sitrep_schedule.create", "sitrep_schedule", schedule.id, details=_describe(schedule)
    )
    db.session.commit()
    return schedule


def schedule_input(schedule: SitrepSchedule, **changes) -> ScheduleInput:
    """The schedule as an input, with ``changes`` applied (a PATCH)."""
    current = ScheduleInput(
        admin_pcode=schedule.admin_pcode,
        cadence=Cadence(schedule.cadence),
        run_time=schedule.run_time,
        audience=Sensitivity(schedule.audience),
        language=Language(schedule.language),
        weekday=schedule.weekday,
        timezone=schedule.timezone,
        name=schedule.name,
        recipients=tuple(r.email for r in schedule.recipients),
        active=schedule.active,
    )
    if changes.get("cadence") not in (None, Cadence.weekly) and "weekday" not in changes:
        changes["weekday"] = None  # no longer weekly: the weekday goes with it
    return replace(current, **changes)


def update_schedule(actor: Actor, schedule_id, data: ScheduleInput) -> SitrepSchedule:
    schedule = get_schedule(actor, schedule_id)
    _validate(actor, data)
    _apply(schedule, data, utcnow())
    if not schedule.active:
        _cancel_pending(schedule)
    audit(
        actor, "sitrep_schedule.update", "sitrep_schedule", schedule.id, details=_describe(schedule)
    )
    db.session.commit()
    return schedule


def stop_schedule(actor: Actor, schedule_id) -> SitrepSchedule:
    """Stop a schedule (API ``DELETE``): it runs no more and sends nothing still queued. Its
    history (runs, delivery log) is kept."""
    schedule = get_schedule(actor, schedule_id)
    schedule.active, schedule.next_run_at, schedule.updated_at = False, None, utcnow()
    _cancel_pending(schedule)
    audit(actor, "sitrep_schedule.stop", "sitrep_schedule", schedule.id)
    db.session.commit()
    return schedule


def _cancel_pending(schedule: SitrepSchedule) -> None:
    db.session.execute(
        update(SitrepDelivery)
        .where(
            SitrepDelivery.schedule_id == schedule.id,
            SitrepDelivery.status == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.cancelled, next_attempt_at=None, error="schedule stopped")
    )


def _visible(actor: Actor):
    return SitrepSchedule.audience.in_(sensitivities_up_to(actor.max_sensitivity))


def list_schedules(actor: Actor, *, active: Optional[bool] = None) -> list[SitrepSchedule]:
    """Schedules whose edition is within the actor's grant, by area then name."""
    actor.require(Scope.admin)
    stmt = select(SitrepSchedule).where(_visible(actor))
    if active is not None:
        stmt = stmt.where(SitrepSchedule.active.is_(active))
    stmt = stmt.order_by(SitrepSchedule.admin_pcode, SitrepSchedule.name, SitrepSchedule.id)
    return list(db.session.scalars(stmt))


def get_schedule(actor: Actor, schedule_id) -> SitrepSchedule:
    """One schedule; 404 when unknown or its edition is above the actor's grant."""
    actor.require(Scope.admin)
    uid = parse_uuid(schedule_id)
    schedule = db.session.get(SitrepSchedule, uid) if uid else None
    if schedule is None or not actor.can_see(schedule.audience):
        raise NotFound("no such sitrep schedule")
    return schedule


def active_schedules() -> list[SitrepSchedule]:
    """Every active schedule (the scheduler, acting as the system)."""
    stmt = select(SitrepSchedule).where(SitrepSchedule.active.is_(True))
    return list(db.session.scalars(stmt.order_by(SitrepSchedule.id)))


def schedule_label(schedule: SitrepSchedule) -> str:
    cadence = Cadence(schedule.cadence)
    when = {Cadence.daily: "Daily", Cadence.weekly: "Weekly", Cadence.monthly: "Monthly"}[cadence]
    label = schedule.name or f"{when} sitrep {schedule.admin_pcode}"
    return f"{label} ({schedule.audience}, {schedule.language})"


def mark_schedule_ran(schedule_id, now: datetime) -> None:
    schedule = db.session.get(SitrepSchedule, schedule_id)
    if schedule is not None:
        schedule.last_run_at = now
        schedule.next_run_at = next_run(schedule, now) if schedule.active else None
        db.session.commit()
