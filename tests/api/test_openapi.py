"""The OpenAPI document: valid, served with offline docs, and fuzzed against the app."""

import collections
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import Actor, create_token


def test_openapi_document_is_valid_and_complete(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    expected = {
        "/api/v1/incidents": {"get", "post"},
        "/api/v1/incidents/{incident_id}": {"get"},
        "/api/v1/incidents/{incident_id}/revisions": {"get", "post"},
        "/api/v1/facilities": {"get", "post"},
        "/api/v1/facilities/{facility_id}": {"get"},
        "/api/v1/facilities/{facility_id}/statuses": {"get", "post"},
        "/api/v1/movements": {"get", "post"},
        "/api/v1/movements/{movement_id}": {"get"},
        "/api/v1/admin-areas": {"get"},
        "/api/v1/admin-areas/locate": {"get"},
        "/api/v1/summary": {"get"},
        "/api/v1/sitreps": {"get", "post"},
        "/api/v1/sitreps/{sitrep_id}.pdf": {"get"},
        "/api/v1/sitreps/{sitrep_id}/withdrawal": {"post"},
        "/api/v1/sitrep-schedules": {"get", "post"},
        "/api/v1/sitrep-schedules/{schedule_id}": {"get", "patch", "delete"},
        "/api/v1/sitrep-schedules/{schedule_id}/deliveries": {"get"},
        "/api/v1/audit": {"get"},
        "/api/v1/changes": {"get"},
        "/api/v1/incidents/{incident_id}/retraction": {"post"},
        "/api/v1/movements/{movement_id}/retraction": {"post"},
        "/api/v1/facilities/{facility_id}/statuses/{status_id}/retraction": {"post"},
        "/api/v1/webhooks": {"get", "post"},
        "/api/v1/webhooks/{webhook_id}": {"get", "delete"},
        "/api/v1/webhooks/{webhook_id}/deliveries": {"get", "post"},
        "/api/v1/imports": {"get", "post"},
        "/api/v1/imports/{job_id}": {"get"},
        "/api/v1/rollups/conflict-events": {"get"},
        "/api/v1/rollups/displacement": {"get"},
    }
    methods = {"get", "post", "put", "patch", "delete"}
    found = {path: set(ops) & methods for path, ops in spec["paths"].items()}
    assert found == expected
    for path, operations in spec["paths"].items():
        for method in set(operations) & methods:
            assert operations[method]["summary"], (method, path)
    # The request schemas come from the same marshmallow classes that validate requests.
    incident_in = spec["components"]["schemas"]["IncidentIn"]
    assert incident_in["additionalProperties"] is False
    assert incident_in["properties"]["killed"]["minimum"] == 0
    problem = spec["components"]["responses"]["UNAUTHORIZED"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_precise_fields_and_stated_rules(client):
    """The same pattern wherever a p-code, cursor, bbox or date is taken; two forms as oneOf;
    rules a schema cannot state listed per field in the operation's description."""
    spec = client.get("/api/v1/openapi.json").get_json()
    patterns = collections.defaultdict(set)
    for item in spec["paths"].values():
        for operation in (v for k, v in item.items() if k in {"get", "post"}):
            for parameter in operation.get("parameters", []):
                patterns[parameter["name"]].add(parameter["schema"].get("pattern"))
    for name in ("admin_pcode", "parent", "cursor", "bbox", "updated_since"):
        assert len(patterns[name]) <= 1 and None not in patterns[name], name
    # Dates are dates on every list; the audit trail alone takes timestamps.
    assert len(patterns["since"]) == 2 and None not in patterns["since"]
    audit = spec["paths"]["/api/v1/audit"]["get"]
    actor = next(p for p in audit["parameters"] if p["name"] == "actor")["schema"]
    assert [form.get("type") for form in actor["oneOf"]] == ["integer", "string"]
    post = spec["paths"]["/api/v1/incidents"]["post"]["description"]
    for field in ("admin_pcode", "children_killed", "civilians_killed", "sub_event_type"):
        assert f"- `{field}`:" in post, field
    status = spec["paths"]["/api/v1/facilities/{facility_id}/statuses"]["post"]["description"]
    assert "- `effective_to`: after effective_from" in status
    assert "- `cursor`:" in spec["paths"]["/api/v1/movements"]["get"]["description"]


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assets = re.findall(r"(?:src|href)=\"(/api/v1/docs/assets/[^\"]+)\"", html)
    assert len(assets) >= 2
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    # Started by a script file (the content security policy allows nothing inline), which
    # never sends the document to an online validator.
    assert "<script>" not in html
    script = re.search(r'<script src="(/static/[^"]+)"', html).group(1)
    assert "validatorUrl: null" in client.get(script).get_data(as_text=True)


def test_no_server_errors_for_generated_requests(app, fuzz_headers):
    """Schemathesis sends requests that fit the schema and requests that break it, to every
    operation in the document; none may be answered with a 5xx."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, seen = [], collections.Counter()
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 42
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=12,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call(headers=fuzz_headers)
                seen[response.status_code // 100] += 1
                if response.status_code >= 500:
                    failures.append((case.operation.label, response.status_code))
                    failures.append(case.as_curl_command(headers=fuzz_headers))

            try:
                run()
            except Unsatisfiable:
                # An operation without parameters or body (GET /webhooks) has no malformed
                # variant to generate.
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert failures == []
    # The run really exercised the API: stored records and refused bad input.
    assert seen[2] >= 10 and seen[4] >= 100


@pytest.fixture
def fuzz_headers(app):
    _, secret = create_token(
        Actor.system("fuzz"),
        "Fuzz NGO",
        list(Scope),
        Sensitivity.partner,
    )
    return {"Authorization": f"Bearer {secret}"}
