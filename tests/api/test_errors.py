"""Bad input is a problem document (400/413/415/422), never a 500 and never a partial write."""

import pytest
from sqlalchemy import func, select

from humanitarian.api.problems import TITLES
from humanitarian.extensions import db
from humanitarian.models import Incident, Report, Source

from .conftest import INCIDENT

PROBLEM = "application/problem+json"


# The kind of problem each status is, when the test does not name one.
KINDS = {
    400: "malformed-request",
    404: "not-found",
    413: "too-large",
    415: "unsupported-media-type",
}
KINDS |= {422: "validation"}


def _problem(response, status, kind=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json(force=True)
    kind = kind or KINDS.get(status)
    expected = f"/api/v1/problems/{kind}" if kind else "about:blank"
    assert body["status"] == status and body["type"] == expected
    assert body["title"] == TITLES[status]
    assert body["detail"] and body["request_id"]
    return body


def _nothing_written():
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


@pytest.mark.parametrize(
    "raw, status",
    [
        (b'{"title": "x",', 400),  # truncated
        (b"\xff\xfe\x00{", 400),  # not UTF-8
        (b"", 400),
        (b'{"killed": NaN}', 400),  # not JSON, though Python would accept it
        (b"[" * 100_000, 400),  # nesting deep enough to exhaust a recursive parser
        (b"[1, 2]", 422),  # a list where an object is expected
        (b'"text"', 422),
        (b"null", 422),
        (b'{"items": "many"}', 422),
        (b'{"items": [1, "two"]}', 422),
    ],
)
def test_malformed_bodies(client, writer, raw, status):
    response = client.post(
        "/api/v1/incidents", data=raw, headers=writer | {"Content-Type": "application/json"}
    )
    _problem(response, status)
    _nothing_written()


def test_wrong_json_types_name_the_field(client, writer):
    body = INCIDENT | {"killed": "3", "latitude": [35], "title": {"en": "x"}, "source_ids": "1"}
    errors = _problem(client.post("/api/v1/incidents", json=body, headers=writer), 422)["errors"]
    assert set(errors) == {"killed", "latitude", "title", "source_ids"}


def test_text_a_database_cannot_store_is_422(client, writer):
    for bad in ("nul\x00byte", "lone \ud800 surrogate"):
        body = INCIDENT | {"title": bad}
        response = client.post("/api/v1/incidents", json=body, headers=writer)
        assert "title" in _problem(response, 422)["errors"]
    response = client.get("/api/v1/admin-areas", query_string={"q": "a\x00b"}, headers=writer)
    assert "q" in _problem(response, 422)["errors"]
    _nothing_written()


def test_out_of_range_values(client, writer):
    cases = {
        "occurred_on": "0001-01-01",
        "latitude": 91,
        "source_ids": [2**40],
        "geo_precision": 9,
        "sub_event_type": "armed_clash",
    }
    for field, value in cases.items():
        response = client.post("/api/v1/incidents", json=INCIDENT | {field: value}, headers=writer)
        assert field in _problem(response, 422)["errors"], field
    _nothing_written()


def test_unknown_source_is_422(client, writer, source):
    missing = db.session.scalar(select(func.max(Source.id))) + 1
    response = client.post(
        "/api/v1/incidents", json=INCIDENT | {"source_ids": [missing]}, headers=writer
    )
    body = _problem(response, 422, "business-rule")
    assert body["errors"] == {"source_ids": [f"Unknown source id {missing}."]}


def test_huge_body_is_413(app, client, writer):
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/api/v1/incidents", json=INCIDENT | {"description": padding}, headers=writer
    )
    _problem(response, 413)
    _nothing_written()


def test_non_json_content_type_is_415(client, writer):
    response = client.post("/api/v1/incidents", data="title=x", headers=writer)
    _problem(response, 415)


def test_bad_idempotency_key_is_422(client, writer):
    response = client.post(
        "/api/v1/incidents", json=INCIDENT, headers=writer | {"Idempotency-Key": "has space"}
    )
    assert "Idempotency-Key" in _problem(response, 422)["errors"]
    _nothing_written()


def test_unknown_api_paths_and_methods(client):
    _problem(client.get("/api/v1/nothing-here"), 404)
    _problem(client.get("/api/v1/incidents/not-a-uuid"), 404)
    _problem(client.get("/api/v1/incidents/00000000-0000-0000-0000-000000000000"), 404)
    response = client.delete("/api/v1/incidents")
    _problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_web_pages_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_api_is_exempt_from_csrf(app, client, writer, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/api/v1/incidents", json=INCIDENT, headers=writer)
    assert response.status_code == 201
