"""One problem vocabulary: a title per status and a ``type`` per kind of problem, the same
whichever part of the stack refused the request, each type described at its URI and in the
README. (A lost database connection, ``unavailable``, is checked in
``tests/reliability/test_database_faults.py``.)"""

from pathlib import Path

from humanitarian.api.problems import TITLES, TYPES

from .conftest import INCIDENT

README = Path(__file__).resolve().parents[2] / "README.md"


def _kind(response) -> str:
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["title"] == TITLES[response.status_code]
    return body["type"].rsplit("/", 1)[-1]


def test_each_kind_of_problem_has_its_type(app, client, make_token):
    writer = make_token("read,append", "partner").headers
    reader = make_token("read", "partner").headers
    schema_422 = client.post("/api/v1/incidents", json=INCIDENT | {"killed": -1}, headers=writer)
    pcode_422 = client.get("/api/v1/incidents?admin_pcode=SY9999", headers=writer)
    rule_422 = client.post(
        "/api/v1/incidents", json=INCIDENT | {"source_ids": [123456]}, headers=writer
    )
    webargs_422 = client.get("/api/v1/incidents?limit=0", headers=writer)
    assert {_kind(r) for r in (schema_422, pcode_422, webargs_422)} == {"validation"}
    assert _kind(rule_422) == "business-rule"
    assert _kind(client.get("/api/v1/incidents?cursor=abc", headers=writer)) == (
        "malformed-request"
    )
    assert _kind(client.get("/api/v1/incidents", headers={"Authorization": "Bearer x"})) == (
        "authentication"
    )
    assert _kind(client.post("/api/v1/incidents", json=INCIDENT, headers=reader)) == "forbidden"
    assert _kind(client.get("/api/v1/nothing")) == "not-found"
    key = {"Idempotency-Key": "same-key"}
    client.post("/api/v1/incidents", json=INCIDENT, headers=writer | key)
    other = INCIDENT | {"title": "Another title"}
    assert _kind(client.post("/api/v1/incidents", json=other, headers=writer | key)) == "conflict"
    # Two refusals of the same status never carry different titles.
    assert schema_422.get_json()["title"] == rule_422.get_json()["title"]


def test_rate_limit_has_its_type(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "1 per minute")
    client.get("/api/v1/summary")
    assert _kind(client.get("/api/v1/summary")) == "rate-limit"


def test_every_type_is_described_at_its_uri_and_in_the_readme(client):
    readme = README.read_text()
    for kind, problem in TYPES.items():
        response = client.get(problem.uri)
        assert response.status_code == 200, kind
        body = response.get_json()
        assert body["type"] == problem.uri and body["status"] == problem.status
        assert body["title"] == TITLES[problem.status] and body["description"]
        assert f"`{problem.uri}`" in readme, kind
    assert _kind(client.get("/api/v1/problems/no-such-kind")) == "not-found"


def test_service_errors_name_known_kinds():
    from humanitarian.services import errors

    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.ServiceError) and cls.problem:
            assert TYPES[cls.problem].status == cls.status, cls
