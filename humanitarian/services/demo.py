"""Load the demo scenario. Idempotent: a second run finds its report and changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .. import demo_data as D
from ..extensions import db
from ..models import Cadence, Report, SitrepSchedule, User
from ..models.enums import Channel, Role, Sensitivity, SourceType
from .actors import Actor
from .facilities import create_facility, set_infrastructure_status
from .gazetteer import install_shipped_areas
from .incidents import record_incident
from .inputs import FacilityInput, IncidentInput, Location, MovementInput, StatusInput
from .movements import record_movement
from .reports import open_report

DEMO_KEY = "demo-scenario-aleppo-2024-v1"
DEMO_USERS = [
    ("admin@demo.local", Role.admin, Sensitivity.restricted),
    ("verifier@demo.local", Role.verifier, Sensitivity.partner),
    ("reporter@demo.local", Role.reporter, Sensitivity.partner),
    ("viewer@demo.local", Role.viewer, Sensitivity.public),
]


def seed_admin_areas() -> int:
    """The shipped Syria gazetteer (349 areas with boundaries); returns how many were added.
    Loading it again adds nothing and changes nothing."""
    return install_shipped_areas().added


def seed_demo(password: str) -> dict[str, int]:
    """Areas, organizations, sources, demo users and the scenario's records, once."""
    from .accounts import ensure_organization, ensure_source

    counts = {"areas": seed_admin_areas()}
    orgs = [ensure_organization(name, acronym) for name, acronym in D.ORGANIZATIONS]
    sources = {n: ensure_source(n, SourceType(t), note).id for n, t, note in D.SOURCES}
    for email, role, grant in DEMO_USERS:
        if db.session.scalars(select(User).where(User.email == email)).first() is None:
            db.session.add(
                User(
                    email=email,
                    name=email.split("@")[0].title(),
                    role=role,
                    password_hash=generate_password_hash(password),
                    max_sensitivity=grant,
                    organization_id=orgs[0].id,
                )
            )
    db.session.commit()
    _seed_schedules(Actor.system("seed-demo"))
    done = db.session.scalars(
        select(Report).where(Report.idempotency_key == DEMO_KEY, Report.channel == Channel.system)
    ).first()
    if done is not None:
        return counts | {"records": 0}
    actor = Actor.system("seed-demo")
    with open_report(actor, idempotency_key=DEMO_KEY) as report:
        report.organization_id = orgs[0].id
        facilities = _seed_facilities(actor, report)
        _seed_incidents(actor, report, facilities, sources)
        _seed_statuses(actor, report, facilities, sources)
        _seed_movements(actor, report, sources)
        counts["records"] = report.record_count
    return counts


def _seed_schedules(actor: Actor) -> None:
    """Weekly public sitreps for Aleppo and Idleb, Mondays 06:00 Damascus time, with no
    recipients yet (an admin adds them on /sitreps/schedules)."""
    from .schedules import ScheduleInput, create_schedule

    if db.session.scalar(select(SitrepSchedule.id).limit(1)) is not None:
        return
    for pcode, name in (("SY02", "Aleppo weekly"), ("SY07", "Idleb weekly")):
        create_schedule(
            actor,
            ScheduleInput(
                admin_pcode=pcode,
                cadence=Cadence.weekly,
                weekday="mon",
                run_time=time(6, 0),
                name=name,
            ),
        )


def _seed_facilities(actor, report) -> dict:
    out = {}
    for key, name, name_ar, ftype, pcode, lat, lon in D.FACILITIES:
        out[key] = create_facility(
            actor,
            FacilityInput(
                name=name,
                name_ar=name_ar,
                facility_type=ftype,
                location=Location(pcode, lat, lon, 1),
                verification="verified",
            ),
            report=report,
        ).id
    return out


def _seed_incidents(actor, report, facilities, sources) -> None:
    for row in D.INCIDENTS:
        (
            key,
            day,
            event,
            sub,
            target,
            facility,
            pcode,
            lat,
            lon,
            precision,
            actor1,
            actor2,
            killed,
            injured,
            title,
            description,
            source_names,
            verification,
        ) = row
        record_incident(
            actor,
            IncidentInput(
                title=title,
                occurred_on=date.fromisoformat(day),
                event_type=event,
                sub_event_type=sub,
                target_type=target,
                facility_id=facilities.get(facility) if facility else None,
                location=Location(pcode, lat, lon, precision),
                actor1=actor1,
                actor2=actor2,
                killed=killed,
                injured=injured,
                civilians_killed=killed if event == "explosions_remote_violence" else None,
                civilian_targeting=key in D.CIVILIAN_TARGETING,
                description=description,
                source_ids=[sources[n] for n in source_names],
                verification=verification,
            ),
            report=report,
        )


def _seed_statuses(actor, report, facilities, sources) -> None:
    for key, condition, start, reason, details, source_names, verification in D.STATUSES:
        set_infrastructure_status(
            actor,
            facilities[key],
            StatusInput(
                **condition,
                effective_from=datetime.fromisoformat(start),
                reason=reason,
                details=details,
                source_ids=[sources[n] for n in source_names],
                verification=verification,
            ),
            report=report,
        )


def _seed_movements(actor, report, sources) -> None:
    for row in D.MOVEMENTS:
        (
            mtype,
            origin,
            dest,
            start,
            end,
            ind,
            hh,
            method,
            description,
            source_names,
            verification,
        ) = row
        record_movement(
            actor,
            MovementInput(
                movement_type=mtype,
                origin_pcode=origin,
                destination_pcode=dest,
                period_start=date.fromisoformat(start),
                period_end=date.fromisoformat(end),
                individuals=ind,
                households=hh,
                estimate_method=method,
                description=description,
                source_ids=[sources[n] for n in source_names],
                verification=verification,
            ),
            report=report,
        )
