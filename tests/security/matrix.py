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
from .data import MISSING
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
from .world import World


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


def unknown_login(_level: str | None) -> dict:
    return {"email": "nobody@access.test", "password": "not-a-password"}


REVIEW_PATHS = {"incident": "incidents", "status": "statuses", "movement": "movements"}


def review_url(world: World, target: Target) -> str:
    record = world.id_of(target.kind, target.sensitivity)
    return f"/review/{REVIEW_PATHS[target.kind]}/{record}"


def unsubscribe_url(world: World, _target: Target) -> str:
    return f"/sitreps/unsubscribe/{world.unsubscribe_token}"


def download_url(world: World, _target: Target) -> str:
    return f"/sitreps/delivered/{world.download_token}.pdf"


REVIEW_TARGETS = tuple(t for kind in REVIEW_PATHS for t in records(kind))
INCIDENTS, FACILITIES = records("incident"), records("facility")
SCHEDULES = records("schedule")
EDITIONS = bodies("public", "restricted")
APPEND, FORM_SAVED = api("append", 201), web("append", 303)
GENERATED = frozenset({200, 201, 202})
V1 = "/api/v1"

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
    Row("GET", f"{V1}/sitreps/<id>.pdf", api("read"), records("sitrep")),
    Row("GET", f"{V1}/audit", api("admin")),
    Row("GET", f"{V1}/openapi.json", everyone(200)),
    Row("GET", f"{V1}/docs", everyone(200)),
    Row("GET", f"{V1}/docs/assets/<id>", everyone(200), url=f"{V1}/docs/assets/swagger-ui.css"),
    # REST API: appends
    Row("POST", f"{V1}/incidents", APPEND, bodies(), incident_body),
    Row("POST", f"{V1}/incidents/<id>/revisions", APPEND, INCIDENTS, correction),
    Row("POST", f"{V1}/facilities", APPEND, bodies(), facility_body),
    Row("POST", f"{V1}/facilities/<id>/statuses", APPEND, FACILITIES, public_status),
    Row("POST", f"{V1}/movements", APPEND, bodies(), movement_body),
    Row("POST", f"{V1}/sitreps", api("verify", GENERATED), EDITIONS, sitrep_body),
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
    Row("GET", "/sitreps/", web()),
    Row("GET", "/sitreps/<id>.pdf", web(), records("sitrep")),
    Row("GET", "/admin/audit", web("admin")),
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
    Row("POST", "/incidents/new", FORM_SAVED, bodies(), incident_body),
    Row("POST", "/incidents/<id>/correct", web_correct(303), INCIDENTS, correction),
    Row("POST", "/facilities/new", FORM_SAVED, bodies(), facility_body),
    Row("POST", "/facilities/<id>/statuses/new", FORM_SAVED, FACILITIES, public_status),
    Row("POST", "/movements/new", FORM_SAVED, bodies(), movement_body),
    Row("POST", "/review/<id>/<id>", web("verify", 303), REVIEW_TARGETS, verified, url=review_url),
    Row("POST", "/sitreps/generate", web("verify", 302, above_grant=403), EDITIONS, sitrep_body),
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
