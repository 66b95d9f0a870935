"""The access-control matrix as data: for every route (method and rule) of the app, which
requests to send and the status each caller must get for each target (``expectations.py``).

A rule is keyed with its placeholders written ``<id>`` (``/api/v1/incidents/<id>``), so an
expectation written before a route lands still matches it whatever its converter or
parameter name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from humanitarian.models.enums import Sensitivity
from humanitarian.services import record_incident, record_movement, set_infrastructure_status
from tests import factories as f

from .bodies import (
    as_form,
    facility_body,
    incident_body,
    movement_body,
    no_changes,
    schedule_body,
    schedule_form,
    sitrep_body,
    status_body,
)
from .callers import Caller
from .data import MISSING, MISSING_ID
from .expectations import (
    LOGIN,
    NOTHING,
    Expected,
    Target,
    api,
    bodies,
    everyone,
    login_page,
    records,
    web,
    web_correct,
)
from .world import SYSTEM, World, incident_input


def normalise(rule: str) -> str:
    return re.sub(r"<[^>]+>", "<id>", rule)


@dataclass(frozen=True)
class Row:
    """One route: what to send for each target and what each caller must get. The request
    goes to the rule itself with ``<id>`` replaced by the target record's id, unless ``url``
    says otherwise (a fixed URL, or a function of the world and the target)."""

    method: str
    rule: str
    expect: Callable[[Caller, Target], Expected]
    targets: tuple[Target, ...] = NOTHING
    body: Callable[[str | None], dict] | None = None  # built from the target's sensitivity
    url: str | Callable[[World, Target], str] | None = None
    csrf: bool = True  # False: a form post that is deliberately exempt (its URL is signed)

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.rule

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")

    def path(self, world: World, target: Target) -> str:
        if callable(self.url):
            return self.url(world, target)
        if self.url:
            return self.url
        if target.is_record:
            return self.rule.replace("<id>", str(world.id_of(target.kind, target.sensitivity)))
        return self.rule

    def send(self, world: World, caller: Caller, target: Target, *, csrf: bool = True):
        """Send this row's request for ``target`` as ``caller``."""
        client = world.client(caller)
        path = self.path(world, target)
        body = self.body(target.sensitivity) if self.body else {}
        if self.method == "GET":
            return client.request("GET", path)
        if self.is_api:
            return client.request(self.method, path, json=body)
        return client.request(self.method, path, form=as_form(body), csrf=csrf)


def correction(level: str) -> dict:
    # At the record's own level, so a correction never moves it out of another caller's view.
    return incident_body("public" if level == MISSING else level, reason="matrix correction")


def public_status(_level: str) -> dict:
    return status_body()


def verified(_level: str) -> dict:
    return {"verification": "verified"}


def withdrawal(_level: str | None) -> dict:
    return {"reason": "a record in it was raised to restricted"}


def unknown_login(_level: str | None) -> dict:
    return {"email": "nobody@access.test", "password": "not-a-password"}


REVIEW_PATHS = {"incident": "incidents", "status": "statuses", "movement": "movements"}


def review_url(world: World, target: Target) -> str:
    record = world.id_of(target.kind, target.sensitivity)
    return f"/review/{REVIEW_PATHS[target.kind]}/{record}"


def retraction(_level: str) -> dict:
    return {"reason": "matrix retraction"}


def fresh_record(world: World, target: Target):
    """A new record like the target (same kind and level) for one retraction request: a
    retracted record is gone for everyone but administrators, so each caller retracts its
    own. A missing target stays missing."""
    if target.sensitivity == MISSING:
        return MISSING_ID
    level = Sensitivity(target.sensitivity)
    if target.kind == "incident":
        return record_incident(SYSTEM, incident_input(target.sensitivity)).id
    if target.kind == "movement":
        return record_movement(SYSTEM, f.movement(sensitivity=level)).id
    return set_infrastructure_status(
        SYSTEM, world.facilities["public"], f.status(sensitivity=level)
    ).id


def retraction_url(world: World, target: Target) -> str:
    record = fresh_record(world, target)
    if target.kind == "status":
        return f"{V1}/facilities/{world.facilities['public']}/statuses/{record}/retraction"
    return f"{V1}/{REVIEW_PATHS[target.kind]}/{record}/retraction"


def retract_url(world: World, target: Target) -> str:
    return f"/retract/{REVIEW_PATHS[target.kind]}/{fresh_record(world, target)}"


def verify_or_admin(ok: Expected):
    """Retraction: the verify scope, or admin."""
    by_verify, by_admin = api("verify", ok), api("admin", ok)

    def expect(caller: Caller, target: Target) -> Expected:
        who = caller.api
        if who is not None and "admin" in who.scopes:
            return by_admin(caller, target)
        return by_verify(caller, target)

    return expect


def private_hook(_level: str) -> dict:
    return {"url": "http://127.0.0.1:9/hook"}  # refused: private addresses are not allowed here


def missing_hook(path: str) -> str:
    return f"/api/v1/webhooks/{MISSING_ID}{path}"


def unsubscribe_url(world: World, _target: Target) -> str:
    return f"/sitreps/unsubscribe/{world.unsubscribe_token}"


def download_url(world: World, _target: Target) -> str:
    return f"/sitreps/delivered/{world.download_token}.pdf"


REVIEW_TARGETS = tuple(t for kind in REVIEW_PATHS for t in records(kind))
INCIDENTS, FACILITIES, SITREPS = records("incident"), records("facility"), records("sitrep")
SCHEDULES = records("schedule")
EDITIONS = bodies("public", "restricted")
APPEND, FORM_SAVED = api("append", 201), web("append", 303)
GENERATED = frozenset({200, 201, 202})
V1 = "/api/v1"
MISSING_JOB = "6f1d2c3b-0000-4000-8000-000000000000"  # no such import job

# fmt: off
ROWS: tuple[Row, ...] = (
    # REST API: reads. The documentation is public reference, not data: no token is looked at.
    Row("GET", f"{V1}/incidents", api("read")),
    Row("GET", f"{V1}/incidents/<id>", api("read"), INCIDENTS),
    Row("GET", f"{V1}/incidents/<id>/revisions", api("read"), INCIDENTS),
    Row("GET", f"{V1}/facilities", api("read")),
    Row("GET", f"{V1}/facilities/<id>", api("read"), FACILITIES),
    Row("GET", f"{V1}/facilities/<id>/statuses", api("read"), FACILITIES),
    Row("GET", f"{V1}/movements", api("read")),
    Row("GET", f"{V1}/movements/<id>", api("read"), records("movement")),
    Row("GET", f"{V1}/admin-areas", api("read")),
    Row(
        "GET",
        f"{V1}/admin-areas/locate",
        api("read"),
        url=f"{V1}/admin-areas/locate?lat=36.18&lon=37.22",
    ),
    Row("GET", f"{V1}/summary", api("read")),
    Row("GET", f"{V1}/sitreps", api("read")),
    Row("GET", f"{V1}/sitreps/<id>.pdf", api("read"), SITREPS),
    Row("GET", f"{V1}/audit", api("admin")),
    Row("GET", f"{V1}/changes", api("read")),
    Row("GET", f"{V1}/webhooks", api("admin")),
    Row("GET", f"{V1}/webhooks/<id>", api("admin", 404), url=missing_hook("")),
    Row("GET", f"{V1}/webhooks/<id>/deliveries", api("admin", 404), url=missing_hook("/deliveries")),
    Row("GET", f"{V1}/rollups/conflict-events", api("read")),
    Row("GET", f"{V1}/rollups/displacement", api("read")),
    # Import jobs are read by those who may send them; another's job is as absent as none.
    Row("GET", f"{V1}/imports", api("append")),
    Row("GET", f"{V1}/imports/<id>", api("append", 404), url=f"{V1}/imports/{MISSING_JOB}"),
    Row("GET", f"{V1}/openapi.json", everyone(200)),
    Row("GET", f"{V1}/docs", everyone(200)),
    Row("GET", f"{V1}/docs/assets/<id>", everyone(200), url=f"{V1}/docs/assets/swagger-ui.css"),
    Row("GET", f"{V1}/problems/<id>", everyone(200), url=f"{V1}/problems/validation"),
    # REST API: appends
    Row("POST", f"{V1}/incidents", APPEND, bodies(), incident_body),
    Row("POST", f"{V1}/incidents/<id>/revisions", APPEND, INCIDENTS, correction),
    Row("POST", f"{V1}/facilities", APPEND, bodies(), facility_body),
    Row("POST", f"{V1}/facilities/<id>/statuses", APPEND, FACILITIES, public_status),
    Row("POST", f"{V1}/movements", APPEND, bodies(), movement_body),
    Row("POST", f"{V1}/sitreps", api("verify", GENERATED), EDITIONS, sitrep_body),
    *(
        Row("POST", rule, verify_or_admin(201), records(kind), retraction, url=retraction_url)
        for kind, rule in (
            ("incident", f"{V1}/incidents/<id>/retraction"),
            ("movement", f"{V1}/movements/<id>/retraction"),
            ("status", f"{V1}/facilities/<id>/statuses/<id>/retraction"),
        )
    ),
    Row("POST", f"{V1}/webhooks", api("admin", 422), body=private_hook),
    Row("DELETE", f"{V1}/webhooks/<id>", api("admin", 404), url=missing_hook("")),
    Row(
        "POST",
        f"{V1}/webhooks/<id>/deliveries",
        api("admin", 404),
        body=lambda _level: {},
        url=missing_hook("/deliveries"),
    ),
    Row("POST", f"{V1}/sitreps/<id>/withdrawal", api("verify"), SITREPS, withdrawal),
    # Without a file part the upload is refused (422) once the token may append.
    Row("POST", f"{V1}/imports", api("append", 422)),
    # REST API: sitrep schedules (admins, editions within their grant)
    Row("GET", f"{V1}/sitrep-schedules", api("admin")),
    Row("POST", f"{V1}/sitrep-schedules", api("admin", 201), EDITIONS, schedule_body),
    Row("GET", f"{V1}/sitrep-schedules/<id>", api("admin"), SCHEDULES),
    Row("PATCH", f"{V1}/sitrep-schedules/<id>", api("admin"), SCHEDULES, no_changes),
    Row("DELETE", f"{V1}/sitrep-schedules/<id>", api("admin"), SCHEDULES, no_changes),
    Row("GET", f"{V1}/sitrep-schedules/<id>/deliveries", api("admin"), SCHEDULES),
    # Web pages: reading
    Row("GET", "/", web()),
    Row("GET", "/incidents", web()),
    Row("GET", "/incidents/<id>", web(), INCIDENTS),
    Row("GET", "/facilities", web()),
    Row("GET", "/facilities/<id>", web(), FACILITIES),
    Row("GET", "/movements", web()),
    Row("GET", "/movements/<id>", web(), records("movement")),
    Row("GET", "/lookup/areas.json", web(), url="/lookup/areas.json?q=Idleb"),
    Row("GET", "/lookup/facilities.json", web(), url="/lookup/facilities.json?q=school"),
    Row("GET", "/sitreps/", web()),
    Row("GET", "/sitreps/<id>.pdf", web(), SITREPS),
    Row("GET", "/admin/audit", web("admin")),
    Row("GET", "/admin/webhooks", web("admin")),
    Row("GET", "/admin/webhooks/<id>", web("admin", 404), url=f"/admin/webhooks/{MISSING_ID}"),
    Row("GET", "/sitreps/schedules", web("admin")),
    Row("GET", "/sitreps/schedules/<id>", web("admin"), SCHEDULES),
    # Web pages: recording, correcting, reviewing, generating
    Row("GET", "/record", web("append")),
    Row("GET", "/incidents/new", web("append")),
    Row("GET", "/incidents/<id>/correct", web_correct(200), INCIDENTS),
    Row("GET", "/facilities/new", web("append")),
    Row("GET", "/facilities/status", web("append")),
    Row("GET", "/facilities/<id>/statuses/new", web("append"), FACILITIES),
    Row("GET", "/movements/new", web("append")),
    Row("GET", "/review", web("verify")),
    Row("GET", "/retract/<id>/<id>", web("verify"), REVIEW_TARGETS, url=retract_url),
    Row("GET", "/imports", web("append")),
    Row("GET", "/imports/<id>", web("append", 404), url=f"/imports/{MISSING_JOB}"),
    Row("POST", "/imports", web("append", 422)),
    Row("POST", "/incidents/new", FORM_SAVED, bodies(), incident_body),
    Row("POST", "/incidents/<id>/correct", web_correct(303), INCIDENTS, correction),
    Row("POST", "/facilities/new", FORM_SAVED, bodies(), facility_body),
    Row("POST", "/facilities/<id>/statuses/new", FORM_SAVED, FACILITIES, public_status),
    Row("POST", "/movements/new", FORM_SAVED, bodies(), movement_body),
    Row("POST", "/review/<id>/<id>", web("verify", 303), REVIEW_TARGETS, verified, url=review_url),
    Row(
        "POST", "/retract/<id>/<id>", web("verify", 303), REVIEW_TARGETS, retraction, url=retract_url
    ),
    Row("POST", "/sitreps/generate", web("verify", 302, above_grant=403), EDITIONS, sitrep_body),
    Row("POST", "/admin/webhooks", web("admin", 422), body=private_hook),
    *(
        Row(
            "POST",
            f"/admin/webhooks/<id>/{action}",
            web("admin", 404),
            url=f"/admin/webhooks/{MISSING_ID}/{action}",
        )
        for action in ("redeliver", "delete")
    ),
    Row("POST", "/sitreps/<id>/withdraw", web("verify", 302), SITREPS, withdrawal),
    Row("POST", "/sitreps/schedules", web("admin", 302, above_grant=403), EDITIONS, schedule_form),
    Row("POST", "/sitreps/schedules/<id>", web("admin", 302), SCHEDULES, schedule_form),
    Row("POST", "/sitreps/schedules/<id>/stop", web("admin", 302), SCHEDULES, no_changes),
    # The links in a sitrep e-mail: no account needed, the signed token in the URL is the proof.
    Row("GET", "/sitreps/unsubscribe/<id>", everyone(200), url=unsubscribe_url),
    Row("POST", "/sitreps/unsubscribe/<id>", everyone(200), url=unsubscribe_url, csrf=False),
    Row("GET", "/sitreps/delivered/<id>.pdf", everyone(200), url=download_url),
    # Open to everyone. Signing out ends the caller's session: its test runs on its own world.
    Row("GET", "/login", login_page),
    Row("POST", "/login", everyone(401), body=unknown_login),
    Row("POST", "/logout", everyone(LOGIN)),
    Row("GET", "/static/<id>", everyone(200), url="/static/css/app.css"),
    Row("GET", "/favicon.ico", everyone(200)),
)
# fmt: on

ROW = {row.key: row for row in ROWS}
assert len(ROW) == len(ROWS), "a route is listed twice"


def route_keys(app) -> set[tuple[str, str]]:
    """(method, normalised rule) for every route of the app; HEAD and OPTIONS are Flask's."""
    return {
        (method, normalise(rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
