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
    method: str
    rule: str
    expect: Callable[[Caller, Target], Expected]
    path: Callable[[World, Target], str]
    targets: tuple[Target, ...] = NOTHING
    body: Callable[[World, Target], dict] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.rule

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")

    def send(self, world: World, caller: Caller, target: Target, *, csrf: bool = True):
        """Send this row's request for ``target`` as ``caller``."""
        client = world.client(caller)
        path = self.path(world, target)
        body = self.body(world, target) if self.body else None
        if self.method == "GET":
            return client.request("GET", path)
        if self.is_api:
            return client.request(self.method, path, json=body or {})
        return client.request(self.method, path, form=as_form(body or {}), csrf=csrf)


def fixed(path: str):
    return lambda world, target: path


def item(template: str):
    """A path naming the target record, e.g. ``/incidents/{}``."""
    return lambda world, target: template.format(world.id_of(target.kind, target.sensitivity))


def by_body(make: Callable[[str], dict]):
    return lambda world, target: make(target.sensitivity)


def correction(world: World, target: Target) -> dict:
    # The record's own level, so a correction never moves it out of another caller's view.
    level = target.sensitivity if target.sensitivity != MISSING else "public"
    return incident_body(level, reason="matrix correction")


REVIEW_PATHS = {"incident": "incidents", "status": "statuses", "movement": "movements"}


def review_path(world: World, target: Target) -> str:
    record = world.id_of(target.kind, target.sensitivity)
    return f"/review/{REVIEW_PATHS[target.kind]}/{record}"


REVIEW_TARGETS = tuple(t for kind in REVIEW_PATHS for t in records(kind))
GENERATED = frozenset({200, 201, 202})
V1 = "/api/v1"

ROWS: tuple[Row, ...] = (
    # REST API: reads
    Row("GET", f"{V1}/incidents", api("read"), fixed(f"{V1}/incidents")),
    Row(
        "GET", f"{V1}/incidents/<id>", api("read"), item(V1 + "/incidents/{}"), records("incident")
    ),
    Row(
        "GET",
        f"{V1}/incidents/<id>/revisions",
        api("read"),
        item(V1 + "/incidents/{}/revisions"),
        records("incident"),
    ),
    Row("GET", f"{V1}/facilities", api("read"), fixed(f"{V1}/facilities")),
    Row(
        "GET",
        f"{V1}/facilities/<id>",
        api("read"),
        item(V1 + "/facilities/{}"),
        records("facility"),
    ),
    Row(
        "GET",
        f"{V1}/facilities/<id>/statuses",
        api("read"),
        item(V1 + "/facilities/{}/statuses"),
        records("facility"),
    ),
    Row("GET", f"{V1}/movements", api("read"), fixed(f"{V1}/movements")),
    Row(
        "GET", f"{V1}/movements/<id>", api("read"), item(V1 + "/movements/{}"), records("movement")
    ),
    Row("GET", f"{V1}/admin-areas", api("read"), fixed(f"{V1}/admin-areas")),
    Row("GET", f"{V1}/summary", api("read"), fixed(f"{V1}/summary")),
    Row("GET", f"{V1}/sitreps", api("read"), fixed(f"{V1}/sitreps")),
    Row(
        "GET",
        f"{V1}/sitreps/<id>.pdf",
        api("read"),
        item(V1 + "/sitreps/{}.pdf"),
        records("sitrep"),
    ),
    Row("GET", f"{V1}/audit", api("admin"), fixed(f"{V1}/audit")),
    # The documentation is public reference material, not data: no token is looked at.
    Row("GET", f"{V1}/openapi.json", everyone(200), fixed(f"{V1}/openapi.json")),
    Row("GET", f"{V1}/docs", everyone(200), fixed(f"{V1}/docs")),
    Row("GET", f"{V1}/docs/assets/<id>", everyone(200), fixed(f"{V1}/docs/assets/swagger-ui.css")),
    # REST API: appends
    Row(
        "POST",
        f"{V1}/incidents",
        api("append", 201),
        fixed(f"{V1}/incidents"),
        bodies(),
        by_body(incident_body),
    ),
    Row(
        "POST",
        f"{V1}/incidents/<id>/revisions",
        api("append", 201),
        item(V1 + "/incidents/{}/revisions"),
        records("incident"),
        correction,
    ),
    Row(
        "POST",
        f"{V1}/facilities",
        api("append", 201),
        fixed(f"{V1}/facilities"),
        bodies(),
        by_body(facility_body),
    ),
    Row(
        "POST",
        f"{V1}/facilities/<id>/statuses",
        api("append", 201),
        item(V1 + "/facilities/{}/statuses"),
        records("facility"),
        lambda world, target: status_body(),
    ),
    Row(
        "POST",
        f"{V1}/movements",
        api("append", 201),
        fixed(f"{V1}/movements"),
        bodies(),
        by_body(movement_body),
    ),
    Row(
        "POST",
        f"{V1}/sitreps",
        api("verify", GENERATED),
        fixed(f"{V1}/sitreps"),
        bodies("public", "restricted"),
        by_body(sitrep_body),
    ),
    # Web pages: reading
    Row("GET", "/", web(), fixed("/")),
    Row("GET", "/incidents", web(), fixed("/incidents")),
    Row("GET", "/incidents/<id>", web(), item("/incidents/{}"), records("incident")),
    Row("GET", "/facilities", web(), fixed("/facilities")),
    Row("GET", "/facilities/<id>", web(), item("/facilities/{}"), records("facility")),
    Row("GET", "/movements", web(), fixed("/movements")),
    Row("GET", "/movements/<id>", web(), item("/movements/{}"), records("movement")),
    Row("GET", "/lookup/areas.json", web(), fixed("/lookup/areas.json?q=Idleb")),
    Row("GET", "/sitreps/", web(), fixed("/sitreps/")),
    Row("GET", "/sitreps/<id>.pdf", web(), item("/sitreps/{}.pdf"), records("sitrep")),
    Row("GET", "/admin/audit", web("admin"), fixed("/admin/audit")),
    # Web pages: recording and correcting
    Row("GET", "/record", web("append"), fixed("/record")),
    Row("GET", "/incidents/new", web("append"), fixed("/incidents/new")),
    Row(
        "GET",
        "/incidents/<id>/correct",
        web_correct(200),
        item("/incidents/{}/correct"),
        records("incident"),
    ),
    Row("GET", "/facilities/new", web("append"), fixed("/facilities/new")),
    Row("GET", "/facilities/status", web("append"), fixed("/facilities/status")),
    Row(
        "GET",
        "/facilities/<id>/statuses/new",
        web("append"),
        item("/facilities/{}/statuses/new"),
        records("facility"),
    ),
    Row("GET", "/movements/new", web("append"), fixed("/movements/new")),
    Row("GET", "/review", web("verify"), fixed("/review")),
    Row(
        "POST",
        "/incidents/new",
        web("append", 303),
        fixed("/incidents/new"),
        bodies(),
        by_body(incident_body),
    ),
    Row(
        "POST",
        "/incidents/<id>/correct",
        web_correct(303),
        item("/incidents/{}/correct"),
        records("incident"),
        correction,
    ),
    Row(
        "POST",
        "/facilities/new",
        web("append", 303),
        fixed("/facilities/new"),
        bodies(),
        by_body(facility_body),
    ),
    Row(
        "POST",
        "/facilities/<id>/statuses/new",
        web("append", 303),
        item("/facilities/{}/statuses/new"),
        records("facility"),
        lambda world, target: status_body(),
    ),
    Row(
        "POST",
        "/movements/new",
        web("append", 303),
        fixed("/movements/new"),
        bodies(),
        by_body(movement_body),
    ),
    Row(
        "POST",
        "/review/<id>/<id>",
        web("verify", 303),
        review_path,
        REVIEW_TARGETS,
        lambda world, target: {"verification": "verified"},
    ),
    Row(
        "POST",
        "/sitreps/generate",
        web("verify", 302, above_grant=403),
        fixed("/sitreps/generate"),
        bodies("public", "restricted"),
        by_body(sitrep_body),
    ),
    # Open to everyone
    Row("GET", "/login", login_page, fixed("/login")),
    Row(
        "POST",
        "/login",
        everyone(401),
        fixed("/login"),
        body=lambda world, target: {"email": "nobody@access.test", "password": "not-a-password"},
    ),
    # Signing out ends the caller's session, so it is the last request of its test.
    Row("POST", "/logout", everyone(LOGIN), fixed("/logout")),
    Row("GET", "/static/<id>", everyone(200), fixed("/static/css/app.css")),
)

ROW = {row.key: row for row in ROWS}
assert len(ROW) == len(ROWS), "a route is listed twice"


def route_keys(app) -> set[tuple[str, str]]:
    """(method, normalised rule) for every route of the app; HEAD and OPTIONS are Flask's."""
    return {
        (method, normalise(rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
