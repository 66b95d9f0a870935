"""The world the access-control tests run in: records at every sensitivity, marked so that a
leak shows in any output, and every kind of caller with its own client.

Everything the tests expect is computed from the tables below (which records exist at which
level, their figures and places), never written down a second time.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from flask import Flask
from werkzeug.security import generate_password_hash

from humanitarian.extensions import db, limiter
from humanitarian.models import User, utcnow
from humanitarian.models.enums import ROLE_SCOPES, Role, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    FacilityInput,
    IncidentInput,
    Location,
    MovementInput,
    StatusInput,
    correct_incident,
    create_facility,
    create_token,
    ensure_organization,
    generate_sitrep,
    record_incident,
    record_movement,
    revoke_token,
    set_infrastructure_status,
)

SENSITIVITIES = ("public", "partner", "restricted")
RANK = {s: i for i, s in enumerate(SENSITIVITIES)}
SCOPES = ("read", "append", "verify", "admin")
ROLES = ("viewer", "reporter", "verifier", "admin")
HOME_ORG, OTHER_ORG = "Home Relief", "Other Relief"
PASSWORD = "access-matrix-password"
MISSING = "missing"  # a record id that exists nowhere
MISSING_ID = uuid.UUID("00000000-0000-4000-8000-00000000dead")

AREA, DISTRICT = "SY07", "SY0700"
PERIOD = (date(2024, 11, 27), date(2024, 12, 4))

# Distinctive text and figures: none of them can occur on a page by chance.
MARK = {"public": "Qxpub4417", "partner": "Qxprt5528", "restricted": "Qxrst6639"}
DRAFT_MARK, DRAFT_KILLED = "Qxdrf7741", 9967  # a restricted first revision of the public incident
ORPHAN_MARK = "Qxorph8852"  # a public status entry on the restricted facility
KILLED = {"public": 4711, "partner": 6427, "restricted": 8243}
INJURED = {"public": 5813, "partner": 7039, "restricted": 9151}
DISPLACED = {"public": 31170, "partner": 52290, "restricted": 73310}
INCIDENT_AT = {
    "public": (35.98761, 36.71429),
    "partner": (35.87413, 36.58217),
    "restricted": (35.91873, 36.65341),
}
FACILITY_AT = {
    "public": (35.95163, 36.68472),
    "partner": (35.88529, 36.60917),
    "restricted": (35.96347, 36.57281),
}
DISTRICT_CENTROID = (35.93, 36.63)  # SY0700 in the gazetteer


@dataclass(frozen=True)
class StatusRow:
    facility: str  # the facility's sensitivity
    sensitivity: str  # the entry's own
    status: str
    day: int  # of November 2024
    mark: str

    @property
    def level(self) -> str:
        """Who may see the entry: both it and its facility must be within the grant."""
        return max(self.facility, self.sensitivity, key=RANK.get)


STATUS_ROWS = (
    StatusRow("public", "public", "closed", 28, f"Status {MARK['public']}"),
    StatusRow("public", "partner", "damaged", 29, f"Status {MARK['partner']}"),
    StatusRow("public", "restricted", "destroyed", 30, f"Status {MARK['restricted']}"),
    StatusRow("partner", "partner", "partially_functional", 29, f"Status {MARK['partner']}"),
    StatusRow("restricted", "restricted", "restricted", 29, f"Status {MARK['restricted']}"),
    StatusRow("restricted", "public", "operational", 30, f"Status {ORPHAN_MARK}"),
)


def allows(grant: str, sensitivity: str) -> bool:
    return RANK[sensitivity] <= RANK[grant]


def up_to(grant: str) -> list[str]:
    return [s for s in SENSITIVITIES if allows(grant, s)]


def above(grant: str) -> list[str]:
    return [s for s in SENSITIVITIES if not allows(grant, s)]


# --- what each grant should see, derived from the tables -------------------------------------


def expected_summary(grant: str) -> dict:
    """The /summary figures for the area and period as a reader with ``grant`` must get them."""
    latest: dict[str, StatusRow] = {}
    for row in sorted(STATUS_ROWS, key=lambda r: r.day):
        if allows(grant, row.facility) and allows(grant, row.sensitivity):
            latest[row.facility] = row
    by_status: dict[str, int] = {}
    for row in latest.values():
        by_status[row.status] = by_status.get(row.status, 0) + 1
    seen = up_to(grant)
    return {
        "incidents_total": len(seen),
        "killed": sum(KILLED[s] for s in seen),
        "injured": sum(INJURED[s] for s in seen),
        "displaced_individuals": sum(DISPLACED[s] for s in seen),
        "facilities_by_status": by_status,
    }


def number_forms(n: int) -> set[str]:
    """How a figure may be printed: plain, or with thousands separators."""
    return {str(n), f"{n:,}", f"{n:,}".replace(",", "\u202f"), f"{n:,}".replace(",", " ")}


def coordinate_forms(value: float) -> set[str]:
    """An exact coordinate as JSON/CSV print it and as pages round it."""
    return {repr(value), f"{value:.4f}"}


# --- callers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiIdentity:
    scopes: frozenset[str]
    grant: str
    authenticated: bool


@dataclass(frozen=True)
class Caller:
    """Someone sending requests: nobody, a bearer token, or a signed-in staff member."""

    name: str
    kind: str  # "anonymous" | "token" | "user"
    scopes: frozenset[str] = frozenset()
    grant: str = "public"
    role: str | None = None
    refused: str | None = None  # "revoked" | "expired": a token the API must turn away
    org: str = HOME_ORG

    @property
    def api(self) -> ApiIdentity | None:
        """Who the API sees. It reads tokens only, so a web session is an anonymous reader;
        None when the token must be refused."""
        if self.kind != "token":
            return ApiIdentity(frozenset({"read"}), "public", False)
        if self.refused:
            return None
        return ApiIdentity(self.scopes, self.grant, True)

    @property
    def web_scopes(self) -> frozenset[str] | None:
        """The scopes a web page sees: the role's, or None when nobody is signed in (web pages
        ignore bearer tokens)."""
        if self.kind != "user":
            return None
        return frozenset(str(s) for s in ROLE_SCOPES[Role(self.role)])

    def __str__(self) -> str:
        return self.name


CALLERS: tuple[Caller, ...] = (
    Caller("anonymous", "anonymous"),
    *(
        Caller(f"token {scope}/{grant}", "token", frozenset({scope}), grant)
        for scope in SCOPES
        for grant in SENSITIVITIES
    ),
    Caller("token revoked", "token", frozenset(SCOPES), "restricted", refused="revoked"),
    Caller("token expired", "token", frozenset(SCOPES), "restricted", refused="expired"),
    Caller("token other-org", "token", frozenset({"read", "append"}), "partner", org=OTHER_ORG),
    *(
        Caller(f"user {role}/{grant}", "user", grant=grant, role=role)
        for role in ROLES
        for grant in SENSITIVITIES
    ),
)
CALLER = {c.name: c for c in CALLERS}


def email_of(caller: Caller) -> str:
    return f"{caller.role}.{caller.grant}@access.test"


@cache
def _password_hash() -> str:
    # A light hash keeps twelve sign-ins per test cheap; the check is the real one.
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class CallerClient:
    """A caller's own test client (its own cookie jar). Each request runs in its own app
    context, as in production: a shared one would share ``g`` and its cached CSRF token."""

    def __init__(self, app: Flask, caller: Caller, secret: str | None = None) -> None:
        self.app = app
        self.caller = caller
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        self.csrf = ""

    def request(
        self, method: str, path: str, *, json=None, form=None, csrf: bool = True, headers=None
    ):
        kw: dict = {"headers": {**self.headers, **(headers or {})}}
        if json is not None:
            kw["json"] = json
        if form is not None:
            kw["data"] = {**form, **({"csrf_token": self.csrf} if csrf else {})}
        if method == "POST":
            # The matrix signs in and posts far more often from one address than the login
            # limit allows; rate limiting is not what it tests.
            limiter.reset()
        with self.app.app_context():
            return self.client.open(path, method=method, **kw)

    def start(self) -> None:
        """Sign in (staff) and keep a CSRF token for forms, as a browser would hold one."""
        if self.caller.kind == "user":
            self.csrf = _csrf(self.request("GET", "/login"))
            answer = self.request(
                "POST", "/login", form={"email": email_of(self.caller), "password": PASSWORD}
            )
            assert answer.status_code == 302, (self.caller, answer.status_code)
            # Signing in renews the session (and its CSRF secret): take a fresh token.
            self.csrf = _csrf(self.request("GET", "/incidents?limit=1"))
        else:
            self.csrf = _csrf(self.request("GET", "/login"))


def _csrf(response) -> str:
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {response.request.path}"
    return match.group(1)


# --- the seeded world ------------------------------------------------------------------------


@dataclass
class World:
    incidents: dict[str, uuid.UUID] = field(default_factory=dict)
    facilities: dict[str, uuid.UUID] = field(default_factory=dict)
    statuses: dict[str, uuid.UUID] = field(default_factory=dict)  # on the public facility
    orphan_status: uuid.UUID | None = None
    movements: dict[str, uuid.UUID] = field(default_factory=dict)
    sitreps: dict[str, uuid.UUID] = field(default_factory=dict)
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
                status=row.status,
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
                destination_pcode="SY0701",
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
                    password_hash=_password_hash(),
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


def seed_world(app: Flask, *, sitreps: bool = True) -> World:
    """Records, callers (signed in, with CSRF tokens) and, if asked, one sitrep per edition."""
    world = World()
    _seed_records(world)
    if sitreps:
        for s in SENSITIVITIES:
            world.sitreps[s] = generate_sitrep(SYSTEM, AREA, *PERIOD, s).id
    _seed_callers(app, world)
    db.session.commit()
    return world
