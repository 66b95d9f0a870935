"""No report is lost or duplicated under concurrent clients that drop connections and retry.

Partner systems append batches to the real server (gunicorn, two workers, threads) over TCP.
Each client has its own token and RNG seed, and for every batch keeps retrying with the same
Idempotency-Key until it holds a 201: in between it sends the request and drops the socket
before the answer (FIN or RST), cuts the body off halfway, or stops waiting after a
millisecond. Afterwards the database must hold every record exactly once, one report per key
with the response the client got, and one audit row per record pointing at that report.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import (
    AuditEvent,
    Facility,
    Incident,
    IncidentRevision,
    InfrastructureStatus,
    Report,
)
from humanitarian.models.enums import Sensitivity
from humanitarian.services.facilities import current_status_select
from tests import factories as f

from .live import json_bytes, raw_request, send_and_drop

pytestmark = pytest.mark.reliability

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# (clients, batches per client, records per batch). SQLite has one writer at a time, so its
# run is smaller; PostgreSQL takes the full 10,000 records.
PLANS = {"postgresql": (20, 25, 20), "sqlite": (10, 20, 10)}
STATUS_PLANS = {"postgresql": (10, 6), "sqlite": (5, 4)}


@dataclass
class Tally:
    """What one client went through."""

    attempts: int = 0
    created: int = 0
    replayed: int = 0
    dropped: int = 0  # whole request sent, socket closed before the answer
    cut: int = 0  # body cut off partway, socket closed
    timed_out: int = 0  # the client gave up waiting for the answer
    duplicates: int = 0  # a deliberate second send after a success
    twins: int = 0  # the same request on two connections at once
    twin_replays: int = 0  # ... of which the second answer was a replay
    unexpected: list = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("attempts", "created", "replayed", "dropped", "cut", "timed_out"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("duplicates", "twins", "twin_replays"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unexpected += other.unexpected


def incident(title: str, day: int) -> dict:
    return {
        "title": title,
        "occurred_on": f"2024-12-{day:02d}",
        "event_type": "explosions_remote_violence",
        "sub_event_type": "air_drone_strike",
        "target_type": "residential_area",
        "admin_pcode": "SY0700",
        "latitude": 35.93,
        "longitude": 36.63,
        "geo_precision": 2,
        "killed": day % 4,
        "injured": day % 7,
        "sensitivity": "partner",
    }


def deliver(server, http: httpx.Client, rng: random.Random, path, headers, payload, tally):
    """Send one append until it is answered with 201, misbehaving at random on the way.
    Returns the final response."""
    body = json_bytes(payload)
    headers = headers | {"Content-Type": "application/json"}
    wire = raw_request("POST", path, headers, body)
    while True:
        tally.attempts += 1
        roll = rng.random()
        if roll < 0.15:
            send_and_drop(server, wire, reset=rng.random() < 0.5)
            tally.dropped += 1
        elif roll < 0.20:
            send_and_drop(server, wire, cut_at=rng.randrange(len(wire) - len(body), len(wire)))
            tally.cut += 1
        elif roll < 0.25:
            # Two connections at once with the same key (a double submit): both in flight
            # together, both must get the one stored answer.
            with ThreadPoolExecutor(max_workers=2) as twins:
                pair = list(twins.map(lambda _: _post(server.url, path, body, headers), range(2)))
            tally.twins += 1
            if all(r.status_code == 201 for r in pair) and pair[0].json() == pair[1].json():
                _count(pair[1], tally, final=False)
                return _count(pair[0], tally)
            tally.unexpected.append(("twins", [(r.status_code, r.text[:200]) for r in pair]))
        elif roll < 0.35:
            try:
                response = http.post(path, content=body, headers=headers, timeout=_impatient())
            except httpx.TimeoutException:
                tally.timed_out += 1
            else:
                if response.status_code == 201:
                    return _count(response, tally)
                tally.unexpected.append((response.status_code, response.text[:300]))
        else:
            response = http.post(path, content=body, headers=headers)
            if response.status_code == 201:
                return _count(response, tally)
            tally.unexpected.append((response.status_code, response.text[:300]))
        if len(tally.unexpected) > 5:
            raise AssertionError(f"the server keeps refusing {path}: {tally.unexpected}")
        time.sleep(rng.uniform(0, 0.01))


def _post(base: str, path: str, body: bytes, headers: dict) -> httpx.Response:
    return httpx.post(base + path, content=body, headers=headers, timeout=60)


def _impatient() -> httpx.Timeout:
    return httpx.Timeout(10.0, read=0.001)


def _count(response: httpx.Response, tally: Tally, final: bool = True) -> httpx.Response:
    """Count a 201: a first answer (created) or a replay of a stored one. Each batch has one
    final answer; the twin of a double submit is counted apart."""
    replay = response.headers.get("Idempotent-Replayed") == "true"
    if not final:
        tally.twin_replays += replay
    elif replay:
        tally.replayed += 1
    else:
        tally.created += 1
    return response


def run_client(server, client, index: int, batches: int, size: int):
    """One partner system appending ``batches`` batches; returns {key: response body}."""
    rng = random.Random(1000 + index)  # seeded: the same misbehaviour on every run
    tally, answers = Tally(), {}
    headers = client.headers
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for b in range(batches):
            key = f"{client.name}-batch-{b:03d}"
            items = [
                incident(f"REL {client.name} b{b:03d} r{r:02d}", 1 + r % 28) for r in range(size)
            ]
            payload = {"items": items}
            response = deliver(
                server,
                http,
                rng,
                "/api/v1/incidents",
                headers | {"Idempotency-Key": key},
                payload,
                tally,
            )
            answers[key] = response.json()
            if rng.random() < 0.1:
                # A retry after the answer arrived (the client lost it on its side).
                again = http.post(
                    "/api/v1/incidents", json=payload, headers=headers | {"Idempotency-Key": key}
                )
                tally.duplicates += 1
                if again.status_code != 201 or again.json() != answers[key]:
                    tally.unexpected.append(("duplicate", again.status_code, again.text[:300]))
                elif again.headers.get("Idempotent-Replayed") != "true":
                    tally.unexpected.append(("duplicate not marked as replay", key))
    return client, tally, answers


def test_concurrent_batches_with_drops_and_retries(app, backend, live_server, make_clients):
    clients_n, batches, size = PLANS[backend]
    total = clients_n * batches * size
    clients = make_clients(clients_n)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients_n) as pool:
        results = list(
            pool.map(
                lambda ic: run_client(live_server, ic[1], ic[0], batches, size), enumerate(clients)
            )
        )
    elapsed = time.monotonic() - started
    tally = Tally()
    for _, one, _ in results:
        tally.add(one)
    assert tally.unexpected == [], tally.unexpected[:5]
    assert "Traceback" not in live_server.log_text()
    live_server.stop()  # every dropped request has been answered or abandoned by now

    db.session.rollback()
    _check_records(results, total, batches, size)
    _check_reports(results, batches, size)
    _check_audit(total)
    _write_figures(backend, clients_n, batches, size, tally, elapsed)
    # The run really was hostile: every kind of misbehaviour happened, and retries of
    # requests that had in fact been stored came back as replays.
    assert tally.dropped and tally.cut and tally.timed_out and tally.duplicates and tally.twins
    assert tally.replayed > 0 and tally.twin_replays > 0
    assert tally.created + tally.replayed == clients_n * batches  # one final answer per batch


def _check_records(results, total: int, batches: int, size: int) -> None:
    rows = db.session.execute(select(Incident.id, Incident.title, Incident.report_id)).all()
    assert len(rows) == total
    titles = Counter(title for _, title, _ in rows)
    expected = {
        f"REL {client.name} b{b:03d} r{r:02d}"
        for client, _, _ in results
        for b in range(batches)
        for r in range(size)
    }
    assert set(titles) == expected
    assert max(titles.values()) == 1
    revisions = db.session.execute(
        select(IncidentRevision.incident_id, func.count()).group_by(IncidentRevision.incident_id)
    ).all()
    assert len(revisions) == total and {n for _, n in revisions} == {1}


def _check_reports(results, batches: int, size: int) -> None:
    reports = {r.id: r for r in db.session.scalars(select(Report))}
    # One report per batch and nothing else: no envelope left over from a failed attempt.
    assert len(reports) == len(results) * batches
    by_key = Counter((r.api_token_id, r.idempotency_key) for r in reports.values())
    assert max(by_key.values()) == 1
    members: dict = {}
    for incident_id, report_id in db.session.execute(select(Incident.id, Incident.report_id)):
        members.setdefault(report_id, set()).add(str(incident_id))
    for _, _, answers in results:
        for key, body in answers.items():
            report = next(r for r in reports.values() if r.idempotency_key == key)
            assert str(report.id) == body["report_id"]
            assert report.record_count == size and report.response_status == 201
            assert report.response_body == body  # the stored answer is the one delivered
            assert {item["id"] for item in body["items"]} == members[report.id]


def _check_audit(total: int) -> None:
    events = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.report_id, AuditEvent.api_token_id).where(
            AuditEvent.action == "incident.create"
        )
    ).all()
    assert len(events) == total
    incidents = {
        str(i): (r, t)
        for i, r, t in db.session.execute(
            select(Incident.id, Incident.report_id, Report.api_token_id).join(Report)
        )
    }
    assert {entity for entity, _, _ in events} == set(incidents)
    for entity, report_id, token_id in events:
        assert (report_id, token_id) == incidents[entity]


def _write_figures(backend, clients_n, batches, size, tally: Tally, elapsed: float) -> None:
    figures = {
        "backend": backend,
        "clients": clients_n,
        "batches": clients_n * batches,
        "records": clients_n * batches * size,
        "seconds": round(elapsed, 1),
        "attempts": tally.attempts,
        "created": tally.created,
        "replayed": tally.replayed,
        "dropped_after_send": tally.dropped,
        "cut_mid_body": tally.cut,
        "client_timeouts": tally.timed_out,
        "deliberate_duplicates": tally.duplicates,
        "double_submits": tally.twins,
        "double_submit_replays": tally.twin_replays,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"reliability-appends-{backend}.json").write_text(json.dumps(figures, indent=2))
    print(f"\nconcurrent appends: {figures}")


# --- status history -------------------------------------------------------------------------


def test_concurrent_status_changes_keep_one_history(app, backend, live_server, make_clients):
    writers, changes = STATUS_PLANS[backend]
    clients = make_clients(writers)
    created = httpx.post(
        f"{live_server.url}/api/v1/facilities",
        json={
            "name": "Bab al-Hawa crossing",
            "name_ar": "معبر باب الهوى",
            "facility_type": "border_crossing",
            "admin_pcode": "SY0703",
            "latitude": 36.23,
            "longitude": 36.67,
            "geo_precision": 1,
        },
        headers=clients[0].headers,
    )
    assert created.status_code == 201, created.text
    facility_id = created.json()["id"]
    path = f"/api/v1/facilities/{facility_id}/statuses"
    start = datetime(2024, 12, 1, tzinfo=UTC)

    def writer(index: int):
        rng = random.Random(2000 + index)
        tally, ids = Tally(), []
        with httpx.Client(base_url=live_server.url, timeout=60) as http:
            for n in range(changes):
                when = start + timedelta(minutes=rng.randrange(0, 10_000))
                payload = {
                    "access": rng.choice(["closed", "restricted", "open", "unknown"]),
                    "effective_from": when.isoformat(),
                    "reason": f"writer {index} change {n}",
                }
                headers = clients[index].headers | {"Idempotency-Key": f"status-{index}-{n}"}
                response = deliver(live_server, http, rng, path, headers, payload, tally)
                ids.append(response.json()["id"])
        return tally, ids

    with ThreadPoolExecutor(max_workers=writers) as pool:
        results = list(pool.map(writer, range(writers)))
    expected = writers * changes
    assert all(t.unexpected == [] for t, _ in results), [t.unexpected for t, _ in results]
    answered = [ident for _, ids in results for ident in ids]
    assert len(set(answered)) == expected

    http = httpx.Client(base_url=live_server.url, headers=clients[0].headers)
    history = http.get(path).json()["items"]
    current = http.get(f"/api/v1/facilities/{facility_id}").json()["current_status"]
    live_server.stop()

    db.session.rollback()
    rows = db.session.scalars(
        select(InfrastructureStatus).where(
            InfrastructureStatus.facility_id == uuid.UUID(facility_id)
        )
    ).all()
    assert {str(r.id) for r in rows} == set(answered)  # each change stored once, none lost
    assert sorted(r.seq for r in rows) == list(range(1, expected + 1))  # unique and gapless
    assert db.session.get(Facility, rows[0].facility_id).status_seq == expected
    assert len(history) == expected
    latest = max(rows, key=lambda r: (r.effective_from, r.seq))
    assert current["id"] == str(latest.id)  # the current status is the latest in effect...
    currents = db.session.scalars(
        current_status_select(f.actor(Sensitivity.restricted)).where(
            InfrastructureStatus.facility_id == uuid.UUID(facility_id)
        )
    ).all()
    assert [c.id for c in currents] == [latest.id]  # ...and there is exactly one
    creates = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "status.set")
    )
    assert creates == expected
