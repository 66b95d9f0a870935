"""Hostile and malformed input through the whole Flask stack (test client, real database): every
refusal is a 4xx in the surface's own format (problem+json for the API, an HTML page for the
web), never a 500, and nothing is stored by a refused request."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import (
    AuditEvent,
    Facility,
    Incident,
    IncidentRevision,
    InfrastructureStatus,
    PopulationMovement,
    Report,
)
from tests.web.conftest import hidden, incident_form

pytestmark = pytest.mark.reliability

PROBLEM = "application/problem+json"
FORM = "application/x-www-form-urlencoded"
INCIDENT = {
    "title": "Air strike on a petrol station",
    "occurred_on": "2024-12-02",
    "event_type": "explosions_remote_violence",
    "sub_event_type": "air_drone_strike",
    "target_type": "fuel_station",
    "admin_pcode": "SY0700",
    "latitude": 35.93,
    "longitude": 36.63,
    "geo_precision": 1,
    "killed": 4,
    "injured": 9,
}


def _problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == response.status_code and body["title"] and body["detail"]
    return body


def _html_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def _stored() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Incident)),
        db.session.scalar(select(func.count()).select_from(Report)),
    )


def _raw_query(client, path: str, raw: bytes, **kw):
    """A GET whose query string holds exactly these bytes, as a WSGI server passes them on
    (PEP 3333: the raw bytes, latin-1 decoded)."""
    return client.get(path, environ_overrides={"QUERY_STRING": raw.decode("latin-1")}, **kw)


@pytest.fixture
def targets(client, writer) -> dict:
    """A valid body for every API append, with an incident and a facility to append to."""
    incident = client.post("/api/v1/incidents", json=INCIDENT, headers=writer).get_json()
    facility = client.post(
        "/api/v1/facilities",
        json={
            "name": "Idleb central hospital",
            "name_ar": "مشفى إدلب المركزي",
            "facility_type": "health_facility",
            "admin_pcode": "SY0700",
        },
        headers=writer,
    ).get_json()
    return {
        "/api/v1/incidents": INCIDENT,
        f"/api/v1/incidents/{incident['id']}/revisions": INCIDENT | {"reason": "casualty update"},
        "/api/v1/facilities": {
            "name": "Bab al-Hawa crossing",
            "name_ar": "معبر باب الهوى",
            "facility_type": "border_crossing",
            "admin_pcode": "SY0700",
        },
        f"/api/v1/facilities/{facility['id']}/statuses": {
            "access": "closed",
            "effective_from": "2024-12-01T08:00:00Z",
            "reason": "shelling nearby",
        },
        "/api/v1/movements": {
            "movement_type": "displacement",
            "origin_pcode": "SY0200",
            "destination_pcode": "SY0703",
            "period_start": "2024-11-29",
            "period_end": "2024-12-03",
            "individuals": 12000,
            "estimate_method": "key_informant",
        },
    }


def _counts() -> dict:
    db.session.rollback()
    models = (
        Report,
        Incident,
        IncidentRevision,
        Facility,
        InfrastructureStatus,
        PopulationMovement,
    )
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
    counts["audit"] = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "token.use")
    )
    return counts


def _post_raw(client, path, raw: bytes, headers, content_type="application/json"):
    return client.post(path, data=raw, headers=headers | {"Content-Type": content_type})


def test_targets_are_valid_appends(client, writer, targets):
    """The bodies the other tests spoil are themselves accepted (else they prove nothing)."""
    for path, body in targets.items():
        assert client.post(path, json=body, headers=writer).status_code == 201, path


# --- sizes and shapes -----------------------------------------------------------------------


def test_oversized_api_bodies_are_413_problems(app, client, writer, targets):
    before = _counts()
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for path, body in targets.items():
        response = client.post(path, json=body | {"description": padding}, headers=writer)
        _problem(response, 413)
    assert _counts() == before


def test_oversized_forms_are_413_pages(app, sign_in):
    admin = sign_in("admin")
    before = _counts()
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for path in ("/incidents/new", "/facilities/new", "/movements/new", "/sitreps/generate"):
        html = _html_error(admin.client.post(path, data={"title": padding}), 413)
        assert "larger than this server accepts" in html
    assert _counts() == before


NESTED = {
    "arrays": b"[" * 100_000,
    "closed arrays": b"[" * 100_000 + b"]" * 100_000,
    "objects": b'{"a":' * 100_000,
    "closed objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "batch items": b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "field value": b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "moderately deep items": b'{"items": [' + b"[" * 900 + b"]" * 900 + b"]}",
}


@pytest.mark.parametrize("shape", NESTED)
def test_deeply_nested_json_is_refused_without_recursion_errors(client, writer, targets, shape):
    before = _counts()
    for path in targets:
        _problem(_post_raw(client, path, NESTED[shape], writer), 400, 422)
    assert _counts() == before


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b'{"title": "Air strike \xff\xfe"}', b"\xef\xbb\xbf\xff{}", b'{"title": "\xed\xa0\x80"}'],
    ids=["latin-1 bytes", "bom then junk", "encoded surrogate"],
)
def test_invalid_utf8_json_is_400(client, writer, targets, raw):
    before = _counts()
    for path in targets:
        body = _problem(_post_raw(client, path, raw, writer), 400)
        assert "UTF-8" in body["detail"]
    assert _counts() == before


def test_utf16_json_is_400_not_guessed(client, writer, targets):
    before = _counts()
    for path, body in targets.items():
        _problem(_post_raw(client, path, json.dumps(body).encode("utf-16"), writer), 400)
    assert _counts() == before


API_LISTS = ("/api/v1/incidents", "/api/v1/facilities", "/api/v1/movements", "/api/v1/admin-areas")
WEB_LISTS = ("/incidents", "/facilities", "/movements", "/review", "/sitreps/")


@pytest.mark.parametrize("raw", [b"admin_pcode=\xff\xfe", b"\xffkey=1", b"q=Idl\xedb"])
def test_raw_non_utf8_query_strings_are_400(client, writer, sign_in, raw):
    for path in API_LISTS:
        body = _problem(_raw_query(client, path, raw, headers=writer), 400)
        assert "UTF-8" in body["detail"]
    admin = sign_in("admin")
    for path in WEB_LISTS + ("/",):
        _html_error(_raw_query(admin.client, path, raw), 400)


def test_percent_encoded_invalid_utf8_in_queries_is_refused(client, writer, sign_in):
    for path in ("/api/v1/incidents", "/api/v1/facilities", "/api/v1/movements"):
        body = _problem(client.get(path + "?admin_pcode=%FF%FE", headers=writer), 422)
        assert "admin_pcode" in body["errors"]
    admin = sign_in("admin")
    for path in ("/incidents", "/facilities", "/movements"):
        html = _html_error(admin.client.get(path + "?admin_pcode=%FF%FE"), 400)
        assert "Not a p-code" in html


def _form_bytes(page: str, title: bytes) -> bytes:
    form = incident_form() | {
        "csrf_token": hidden(page, "csrf_token"),
        "idempotency_key": hidden(page, "idempotency_key"),
    }
    form.pop("title")
    return urlencode(form).encode() + b"&title=" + title


def test_invalid_utf8_in_forms(sign_in):
    """Browsers percent-encode form bodies. Undecodable percent-escapes are kept as the literal
    escape, so the damage stays visible in the record; raw undecodable bytes make the whole
    body unreadable, which is refused as a bad request (no CSRF token can be read)."""
    admin = sign_in("admin")
    before = _counts()
    raw = _form_bytes(admin.page("/incidents/new"), b"Strike+on+market+\xff\xfe")
    response = admin.client.post("/incidents/new", data=raw, content_type=FORM)
    assert "expired" in _html_error(response, 400)
    assert _counts() == before

    escaped = _form_bytes(admin.page("/incidents/new"), b"Strike+on+market+%FF%FE")
    response = admin.client.post("/incidents/new", data=escaped, content_type=FORM)
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Incident.title)) == "Strike on market %FF%FE"


# --- content types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "",
    ],
)
def test_api_refuses_non_json_bodies_with_415(client, writer, targets, content_type):
    before = _counts()
    for path, body in targets.items():
        response = _post_raw(client, path, json.dumps(body).encode(), writer, content_type)
        _problem(response, 415)
    assert _counts() == before


def test_forms_refuse_json_and_garbage_bodies(sign_in, targets):
    admin = sign_in("admin")
    before = _counts()
    for path in ("/incidents/new", "/facilities/new", "/movements/new", "/sitreps/generate"):
        for content_type, raw in (
            ("application/json", json.dumps(INCIDENT).encode()),
            ("multipart/form-data", b"--no-boundary\r\ngarbage"),
            ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data"),
            ("text/plain", b"title=x"),
        ):
            response = admin.client.post(path, data=raw, content_type=content_type)
            # No CSRF token can be read from such a body: refused before anything else.
            assert "expired" in _html_error(response, 400), (path, content_type)
    assert _counts() == before


# --- NUL bytes and control characters -------------------------------------------------------

TEXT_FIELDS = {
    "/api/v1/incidents": ("title", "description", "actor1", "actor2", "admin_pcode"),
    "revisions": ("title", "reason"),
    "/api/v1/facilities": ("name", "name_ar", "description"),
    "statuses": ("reason", "details", "controlled_by"),
    "/api/v1/movements": ("description", "origin_pcode"),
}


def _text_fields(path: str) -> tuple:
    for key, names in TEXT_FIELDS.items():
        if path == key or path.endswith("/" + key):
            return names
    raise KeyError(path)


def test_nul_bytes_in_any_text_field_are_422(client, writer, targets):
    before = _counts()
    for path, body in targets.items():
        for name in _text_fields(path):
            response = client.post(path, json=body | {name: "Idleb\x00city"}, headers=writer)
            assert name in _problem(response, 422)["errors"], (path, name)
    assert _counts() == before


def test_nul_bytes_in_queries_and_forms(client, writer, sign_in):
    for path, param in (("/api/v1/admin-areas", "q"), ("/api/v1/incidents", "admin_pcode")):
        response = client.get(path, query_string={param: "SY\x0007"}, headers=writer)
        assert param in _problem(response, 422)["errors"]
    admin = sign_in("admin")
    before = _counts()
    response = admin.submit("/incidents/new", incident_form(title="Strike\x00on school"))
    assert response.status_code == 422
    assert "Strike" in response.get_data(as_text=True)
    assert _counts() == before


def test_a_control_character_in_x_request_id_never_blocks_an_append(client, writer):
    """The request id lands in audit rows; PostgreSQL refuses NUL in text, so a bad header
    would otherwise turn a valid append into a refusal."""
    for bad in ("trace\x00id", "line\x01feed", "é" * 3, " spaced id "):
        response = client.post(
            "/api/v1/incidents", json=INCIDENT, headers=writer | {"X-Request-ID": bad}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        replaced = response.headers["X-Request-ID"]
        assert replaced != bad and len(replaced) == 32
    response = client.post(
        "/api/v1/incidents", json=INCIDENT, headers=writer | {"X-Request-ID": "partner-req.42"}
    )
    assert response.headers["X-Request-ID"] == "partner-req.42"
    db.session.rollback()
    ids = db.session.scalars(
        select(AuditEvent.request_id).where(AuditEvent.action == "incident.create")
    ).all()
    assert len(ids) == 5 and "partner-req.42" in ids and not any("\x00" in i for i in ids)


# --- numbers --------------------------------------------------------------------------------

HUGE = {
    "thirty digits": b"1" + b"0" * 30,
    "five thousand digits": b"9" * 5000,
    "overflowing float": b"1e400",
    "negative overflow": b"-1e400",
    "int64 + 1": b"9223372036854775808",
    "tiny float": b"1e-400",
}
NUMERIC_FIELDS = {
    "/api/v1/incidents": ("killed", "injured", "latitude", "longitude", "geo_precision"),
    "/api/v1/movements": ("individuals", "households"),
}


@pytest.mark.parametrize("number", HUGE)
def test_huge_numbers_are_refused_not_overflowed(client, writer, targets, number):
    before = _counts()
    for path, names in NUMERIC_FIELDS.items():
        for name in names + ("source_ids",):
            body = json.dumps(targets[path] | {name: "__N__"}).encode()
            value = HUGE[number] if name != "source_ids" else b"[" + HUGE[number] + b"]"
            raw = body.replace(b'"__N__"', value)
            response = _post_raw(client, path, raw, writer)
            if number == "tiny float" and name in ("latitude", "longitude"):
                # 1e-400 is 0.0: a valid number, but that point is nowhere near the area.
                problem = _problem(response, 422)
                assert "not in" in problem["detail"] or "outside" in problem["detail"]
                continue
            _problem(response, 400, 422)
    db.session.rollback()
    added = _counts()["Incident"] - before["Incident"]
    assert added == 0


@pytest.mark.parametrize(
    "query",
    [
        "limit=" + "9" * 30,
        "limit=-1",
        "level=" + "9" * 30,
        "bbox=1e999,1e999,-1e999,-1e999",
        "bbox=nan,nan,nan,nan",
        "since=99999-01-01",
        "updated_since=9999-12-31T23:59:59%2B14:00",
        "cursor=" + "A" * 5000,
    ],
)
def test_huge_or_odd_query_values_are_refused(client, writer, query):
    path = "/api/v1/admin-areas" if query.startswith("level") else "/api/v1/incidents"
    response = client.get(f"{path}?{query}", headers=writer)
    _problem(response, 400, 422)
