"""The world the access-control tests run in: the records of ``data.py`` seeded through the
services, every caller of ``callers.py`` with its own signed-in client, and (if asked) one
sitrep per edition."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import Cadence, Sitrep, SitrepDelivery, SitrepSchedule, User, utcnow
from humanitarian.models.enums import Role, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    FacilityInput,
    IncidentInput,
    Location,
    MovementInput,
    ScheduleInput,
    StatusInput,
    correct_incident,
    create_facility,
    create_schedule,
    create_token,
    ensure_organization,
    generate_sitrep,
    record_incident,
    record_movement,
    revoke_token,
    set_infrastructure_status,
)
from humanitarian.services.deliveries import download_token, queue_deliveries, unsubscribe_token
from tests.factories import condition

from .callers import CALLERS, Caller, CallerClient, email_of, password_hash
from .data import (
    AREA,
    DISPLACED,
    DISTRICT,
    DRAFT_KILLED,
    DRAFT_MARK,
    FACILITY_AT,
    HOME_ORG,
    INCIDENT_AT,
    INJURED,
    KILLED,
    MARK,
    MISSING,
    MISSING_ID,
    PERIOD,
    SENSITIVITIES,
    STATUS_ROWS,
    above,
)


@dataclass
class World:
    incidents: dict[str, uuid.UUID] = field(default_factory=dict)
    facilities: dict[str, uuid.UUID] = field(default_factory=dict)
    statuses: dict[str, uuid.UUID] = field(default_factory=dict)  # on the public facility
    orphan_status: uuid.UUID | None = None
    movements: dict[str, uuid.UUID] = field(default_factory=dict)
    sitreps: dict[str, uuid.UUID] = field(default_factory=dict)
    schedules: dict[str, uuid.UUID] = field(default_factory=dict)  # one per edition
    # The links in the public schedule's e-mail (unsubscribe; the public edition's download).
    unsubscribe_token: str = ""
    download_token: str = ""
    clients: dict[str, CallerClient] = field(default_factory=dict)

    def id_of(self, kind: str, sensitivity: str) -> uuid.UUID:
        if sensitivity == MISSING:
            return MISSING_ID
        return {
            "incident": self.incidents,
            "facility": self.facilities,
            "status": self.statuses,
            "movement": self.movements,
            "sitrep": self.sitreps,
            "schedule": self.schedules,
        }[kind][sensitivity]

    def client(self, caller: Caller | str) -> CallerClient:
        return self.clients[str(caller)]

    def hidden_ids(self, grant: str) -> set[str]:
        """Ids of every record a reader with ``grant`` must never learn of."""
        ids = {
            str(table[s])
            for table in (self.incidents, self.facilities, self.statuses, self.movements)
            for s in above(grant)
        }
        ids |= {str(self.sitreps[s]) for s in above(grant) if s in self.sitreps}
        ids |= {str(self.schedules[s]) for s in above(grant) if s in self.schedules}
        if grant != "restricted":
            ids.add(str(self.orphan_status))
        return ids


SYSTEM = Actor.system("access tests")


def incident_input(sensitivity: str, **overrides) -> IncidentInput:
    lat, lon = INCIDENT_AT[sensitivity]
    values = dict(
        title=f"Air strike near a clinic {MARK[sensitivity]}",
        description=f"Reported by a field team {MARK[sensitivity]}",
        occurred_on=date(2024, 12, 2),
        event_type="explosions_remote_violence",
        sub_event_type="air_drone_strike",
        target_type="health_facility",
        location=Location(DISTRICT, lat, lon, 1),
        actor1=f"Air force {MARK[sensitivity]}",
        killed=KILLED[sensitivity],
        injured=INJURED[sensitivity],
        sensitivity=Sensitivity(sensitivity),
    )
    values.update(overrides)
    return IncidentInput(**values)


def _seed_records(world: World) -> None:
    for s in SENSITIVITIES:
        lat, lon = FACILITY_AT[s]
        world.facilities[s] = create_facility(
            SYSTEM,
            FacilityInput(
                name=f"Clinic {MARK[s]}",
                name_ar="مستوصف",
                facility_type="health_facility",
                location=Location(DISTRICT, lat, lon, 1),
                description=f"Facility notes {MARK[s]}",
                sensitivity=Sensitivity(s),
            ),
        ).id
    for row in STATUS_ROWS:
        entry = set_infrastructure_status(
            SYSTEM,
            world.facilities[row.facility],
            StatusInput(
                **condition(row.status),
                effective_from=datetime(2024, 11, row.day, 8, tzinfo=UTC),
                details=row.mark,
                controlled_by=f"Group {row.mark}",
                sensitivity=Sensitivity(row.sensitivity),
            ),
        )
        if row.facility == "public":
            world.statuses[row.sensitivity] = entry.id
        elif row.sensitivity == "public":
            world.orphan_status = entry.id
    # The public incident began as a restricted draft (revision 1) and was cleared for
    # publication (revision 2); it names the restricted facility. The partner one names the
    # public facility, so a visible link is shown where an invisible one must not be.
    links = {"public": world.facilities["restricted"], "partner": world.facilities["public"]}
    draft = record_incident(
        SYSTEM,
        incident_input(
            "restricted",
            title=f"Draft report {DRAFT_MARK}",
            description=f"Unconfirmed {DRAFT_MARK}",
            killed=DRAFT_KILLED,
            facility_id=links["public"],
        ),
    )
    correct_incident(
        SYSTEM,
        draft.id,
        incident_input("public", facility_id=links["public"]),
        "cleared for publication",
    )
    world.incidents["public"] = draft.id
    for s in ("partner", "restricted"):
        world.incidents[s] = record_incident(SYSTEM, incident_input(s, facility_id=links.get(s))).id
    for s in SENSITIVITIES:
        world.movements[s] = record_movement(
            SYSTEM,
            MovementInput(
                movement_type="displacement",
                origin_pcode=DISTRICT,
                destination_pcode="SY0703",
                period_start=date(2024, 11, 29),
                period_end=date(2024, 12, 3),
                individuals=DISPLACED[s],
                estimate_method="key_informant",
                description=f"Families leaving {MARK[s]}",
                sensitivity=Sensitivity(s),
            ),
        ).id


def _seed_callers(app: Flask, world: World) -> None:
    home = ensure_organization(HOME_ORG)
    for caller in CALLERS:
        if caller.kind == "user":
            db.session.add(
                User(
                    email=email_of(caller),
                    name=caller.name,
                    password_hash=password_hash(),
                    role=Role(caller.role),
                    max_sensitivity=Sensitivity(caller.grant),
                    organization_id=home.id,
                )
            )
    db.session.commit()
    for caller in CALLERS:
        secret = None
        if caller.kind == "token":
            expires = utcnow() - timedelta(days=1) if caller.refused == "expired" else None
            token, secret = create_token(
                SYSTEM,
                caller.org,
                [Scope(s) for s in sorted(caller.scopes)],
                Sensitivity(caller.grant),
                name=caller.name,
                expires_at=expires,
            )
            if caller.refused == "revoked":
                revoke_token(SYSTEM, token.id)
        world.clients[caller.name] = CallerClient(app, caller, secret)
    for client in world.clients.values():
        client.start()


def seed_sitreps(world: World) -> None:
    """One sitrep per edition (generating them takes a while: only where a test needs them)."""
    for s in SENSITIVITIES:
        world.sitreps[s] = generate_sitrep(SYSTEM, AREA, *PERIOD, s).id
    db.session.commit()


def _seed_schedules(world: World) -> None:
    """A weekly schedule per edition, each with one recipient; the public edition (if any)
    queued for the public schedule's recipient, so its e-mail links exist."""
    for s in SENSITIVITIES:
        data = ScheduleInput(
            admin_pcode=AREA,
            cadence=Cadence.weekly,
            weekday="mon",
            run_time=time(6),
            audience=Sensitivity(s),
            recipients=(f"{s}@matrix.test",),
        )
        world.schedules[s] = create_schedule(SYSTEM, data).id
    public = db.session.get(SitrepSchedule, world.schedules["public"])
    world.unsubscribe_token = unsubscribe_token(public.recipients[0])
    if "public" in world.sitreps:
        queue_deliveries(public.id, db.session.get(Sitrep, world.sitreps["public"]))
        delivery = db.session.scalars(select(SitrepDelivery)).one()
        world.download_token = download_token(delivery)


def seed_world(app: Flask, *, sitreps: bool = True) -> World:
    """Records, callers (signed in, with CSRF tokens) and, if asked, one sitrep per edition."""
    world = World()
    _seed_records(world)
    if sitreps:
        seed_sitreps(world)
    _seed_schedules(world)
    _seed_callers(app, world)
    db.session.commit()
    return world
