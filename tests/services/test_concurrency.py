"""Concurrent writers, each in its own thread, app context and database connection."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, InfrastructureStatus, Report
from humanitarian.models.enums import Channel, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    Replay,
    create_facility,
    create_token,
    current_status,
    open_report,
    record_incident,
    set_infrastructure_status,
)
from tests import factories as f


def run_in_threads(app, fn, n):
    def call(i):
        with app.app_context():
            try:
                return fn(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=min(n, 8)) as pool:
        results = list(pool.map(call, range(n)))
    db.session.commit()  # end this thread's transaction so it sees the others' writes
    return results


def test_concurrent_status_changes_keep_one_consistent_history(app):
    actor = f.actor()
    facility_id = create_facility(actor, f.facility()).id
    start = datetime(2024, 12, 1, tzinfo=UTC)

    def change(i):
        state = "closed" if i % 2 else "restricted"
        entry = set_infrastructure_status(
            actor, facility_id, f.status(state, start + timedelta(minutes=i))
        )
        return entry.seq

    seqs = run_in_threads(app, change, 12)
    assert sorted(seqs) == list(range(1, 13))
    rows = db.session.scalars(select(InfrastructureStatus)).all()
    assert len(rows) == 12
    facility = db.session.get(type(rows[0].facility), facility_id)
    assert facility.status_seq == 12
    current = current_status(actor, facility)
    assert current.effective_from == start + timedelta(minutes=11)


def test_same_idempotency_key_from_concurrent_retries_writes_once(app):
    token, _ = create_token(
        Actor.system(), "Partner", [Scope.read, Scope.append], Sensitivity.partner
    )
    actor = Actor(
        channel=Channel.api,
        scopes=frozenset({Scope.read, Scope.append}),
        max_sensitivity=Sensitivity.partner,
        token_id=token.id,
    )

    def append(_):
        try:
            with open_report(actor, idempotency_key="retry-1", fingerprint="h" * 64) as report:
                incident = record_incident(actor, f.incident(), report=report)
                report.response_status, report.response_body = 201, {"id": str(incident.id)}
                return ("created", str(incident.id))
        except Replay as replay:
            return ("replayed", replay.body["id"])

    results = run_in_threads(app, append, 8)
    assert sum(1 for kind, _ in results if kind == "created") == 1
    assert len({ident for _, ident in results}) == 1
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    creates = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.create")
    ).all()
    assert len(creates) == 1
