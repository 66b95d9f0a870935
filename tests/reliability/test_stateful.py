"""A stateful schemathesis run: sequences of calls that follow the links between operations
(append an incident, then read it, correct it, list its revisions; register a facility, then
append statuses to it...), generated from the OpenAPI document. No call may get a 5xx, and
afterwards the stored histories must still be consistent.

Records stay from one sequence to the next (later sequences find earlier facilities to append
statuses to), but each sequence calls with a token of its own. Idempotency keys belong to a
token, so a generated key can never collide with one an earlier sequence stored: such a
collision turns a 201 into a 409 when Hypothesis replays a sequence, and Hypothesis then stops
(FlakyStrategyDefinition) because the link it followed before is missing."""

from __future__ import annotations

import collections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Facility, Incident, IncidentRevision, Report
from humanitarian.models import InfrastructureStatus as Status
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import Actor, create_token

pytestmark = pytest.mark.reliability

# Known p-codes and in-range dates, so that some generated appends are stored and the later
# steps of a sequence have records to work on; everything else stays as generated.
PCODES = ("SY02", "SY0200", "SY07", "SY0700", "SY0703")
# A point inside each of them (Aleppo city, Idleb city, Harim), so located records are stored.
INSIDE = {
    "SY02": (36.2, 37.13),
    "SY0200": (36.2, 37.13),
    "SY07": (35.93, 36.63),
    "SY0700": (35.93, 36.63),
    "SY0703": (36.2, 36.52),
}


def _plausible(item):
    if not isinstance(item, dict):
        return item
    for key in ("admin_pcode", "origin_pcode", "destination_pcode"):
        if isinstance(item.get(key), str):
            item[key] = PCODES[len(item[key]) % len(PCODES)]
    if ("event_type" in item or "facility_type" in item) and not item.get("admin_pcode"):
        item["admin_pcode"] = "SY0700"  # a p-code or a point is required; most sequences name one
    if isinstance(item.get("latitude"), int | float) and isinstance(
        item.get("longitude"), int | float
    ):
        item["latitude"], item["longitude"] = INSIDE.get(item.get("admin_pcode"), INSIDE["SY0700"])
    for key in ("occurred_on", "period_start"):
        if isinstance(item.get(key), str):
            item[key] = "2024-12-01"
    if isinstance(item.get("period_end"), str):
        item["period_end"] = "2024-12-03"
    if isinstance(item.get("effective_from"), str):
        item["effective_from"] = "2024-12-01T08:00:00Z"
        item.pop("effective_to", None)
    if "source_ids" in item:
        item["source_ids"] = []
    # Rules between fields, which the schema cannot state: met here, or every append that
    # breaks one is refused and the sequence has nothing to work on.
    if (item.get("latitude") is None) != (item.get("longitude") is None):
        item["latitude"] = item["longitude"] = None
    if "event_type" in item:
        item["sub_event_type"] = None
        for part in ("civilians_killed", "children_killed"):
            item[part] = None
    if "movement_type" in item:
        if not item.get("origin_pcode") and not item.get("destination_pcode"):
            item["origin_pcode"] = PCODES[0]
        if item.get("individuals") is None and item.get("households") is None:
            item["individuals"] = 1
    if item.get("sensitivity") == "restricted":
        item["sensitivity"] = "partner"  # the writer's grant: above it every append is a 403
    return item


def _new_partner() -> dict:
    """Headers with a new partner token (read, append; up to 'partner')."""
    _, secret = create_token(
        Actor.system("stateful"), "Partner", [Scope.read, Scope.append], Sensitivity.partner
    )
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_stateful_sequences_never_get_a_server_error(app):
    # The appends and the reads of one record: lists, summaries, sitreps and the audit trail
    # only dilute the sequences (and are fuzzed elsewhere).
    api = (
        schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        .exclude(path_regex="sitreps|summary|admin-areas|audit")
        .exclude(method="GET", path_regex="^/api/v1/(incidents|facilities|movements)$")
    )
    registered: list[str] = []  # facilities this run has stored, for status appends to find

    @api.hook("map_body")
    def plausible(_context, body):
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            body["items"] = [_plausible(item) for item in body["items"]]
        return _plausible(body)

    seen, failures = collections.Counter(), []

    class Sequences(api.as_state_machine()):
        def setup(self):
            self.headers = _new_partner()

        def get_call_kwargs(self, case):
            return {"headers": self.headers}

        def before_call(self, case):
            # A made-up facility id is a 404 every time (the access matrix covers that): here
            # facility paths go to a facility the run registered, so status appends (row
            # locks, sequence numbers) run whatever sequences the generator happens to draw.
            # Changed at call time, not while generating, so generation stays reproducible.
            params = case.path_parameters or {}
            if registered and "facility_id" in params:
                pick = len(str(params["facility_id"])) % len(registered)
                case.path_parameters = {**params, "facility_id": registered[pick]}

        def validate_response(self, response, case, **_kwargs):
            seen[(case.operation.label, response.status_code)] += 1
            if case.operation.label == "POST /api/v1/facilities" and response.status_code == 201:
                registered.append(response.json()["id"])
            if response.status_code >= 500:
                failures.append(case.as_curl_command(headers=self.headers))

    Sequences.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert failures == []
    stored = {label for (label, status), n in seen.items() if status == 201}
    # The run did reach the stateful parts: records were stored, and appends that need a
    # record stored earlier in the run (a status change, a correction) were stored too. Which
    # of the two a run reaches depends on what Hypothesis draws, and that shifts with the
    # string constants it finds in the code under test.
    assert {"POST /api/v1/incidents", "POST /api/v1/facilities", "POST /api/v1/movements"} <= stored
    assert stored & {
        "POST /api/v1/facilities/{facility_id}/statuses",
        "POST /api/v1/incidents/{incident_id}/revisions",
    }
    _histories_are_consistent()


def _histories_are_consistent() -> None:
    db.session.rollback()
    for facility in db.session.scalars(select(Facility)):
        seqs = db.session.scalars(select(Status.seq).where(Status.facility_id == facility.id))
        assert sorted(seqs) == list(range(1, facility.status_seq + 1))
    for incident in db.session.scalars(select(Incident)):
        numbers = db.session.scalars(
            select(IncidentRevision.revision).where(IncidentRevision.incident_id == incident.id)
        )
        assert sorted(numbers) == list(range(1, incident.revision + 1))
    creates = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "incident.create")
    )
    assert creates == db.session.scalar(select(func.count()).select_from(Incident))
    # Every stored append kept the answer a retry would be given.
    missing = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.idempotency_key.is_not(None), Report.response_body.is_(None))
    )
    assert missing == 0
