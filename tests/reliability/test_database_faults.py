"""The database goes away under the running server (PostgreSQL).

The shared PostgreSQL server is never restarted: a restart is simulated by terminating every
backend connected to the test database from a separate admin connection, which is what the
application sees when the server restarts or fails over. Between requests, pooled connections
are then dead and ``pool_pre_ping`` must replace them before use; during requests, the
transaction in flight is lost and the client must be told to retry (503), and a retry with the
same Idempotency-Key must leave each batch stored exactly once and whole.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from humanitarian.api import auth
from humanitarian.extensions import db, login_manager
from humanitarian.models import AuditEvent, Incident, Report
from humanitarian.web import dashboard

from .test_concurrent_appends import incident

pytestmark = pytest.mark.reliability

TERMINATE = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.fixture
def postgresql_only(backend):
    if backend != "postgresql":
        pytest.skip("simulates a PostgreSQL restart; SQLite has no server connections")


@pytest.fixture
def terminate_backends(postgresql_only, database_url):
    """terminate_backends() → how many of the test database's connections were cut."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def terminate() -> int:
        with admin.connect() as conn:
            return conn.execute(TERMINATE).scalar_one()

    yield terminate
    admin.dispose()


def _batch(tag: str, size: int) -> dict:
    return {"items": [incident(f"{tag} r{r:02d}", 1 + r % 28) for r in range(size)]}


def test_pooled_connections_cut_between_requests_are_replaced(
    terminate_backends, app, live_server, make_clients
):
    client = make_clients(1)[0]
    http = httpx.Client(base_url=live_server.url, headers=client.headers, timeout=30)
    # Warm every thread of both workers so each holds pooled connections.
    for n in range(16):
        key = {"Idempotency-Key": f"warm-{n}"}
        assert (
            http.post("/api/v1/incidents", json=_batch(f"warm {n}", 2), headers=key).status_code
            == 201
        )
    cut = terminate_backends()
    assert cut >= 2  # at least one pooled connection per worker was open and is now dead
    # Every request after the cut succeeds at the first attempt: no client ever sees the dead
    # connections, because each is pinged and replaced when it leaves the pool.
    statuses = Counter()
    for n in range(16):
        key = {"Idempotency-Key": f"after-{n}"}
        response = http.post("/api/v1/incidents", json=_batch(f"after {n}", 2), headers=key)
        statuses[response.status_code] += 1
        statuses[http.get("/api/v1/incidents?limit=5").status_code] += 1
    assert statuses == Counter({201: 16, 200: 16})
    live_server.stop()
    db.session.rollback()  # this process's pooled connection was cut as well
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 64


def test_connections_cut_during_requests_lose_nothing_and_duplicate_nothing(
    terminate_backends, app, live_server, make_clients
):
    clients_n, batches, size = 6, 12, 10
    clients = make_clients(clients_n)
    stop = threading.Event()
    cuts = []

    def killer():
        rng = random.Random(7)
        while not stop.is_set() and len(cuts) < 25:
            stop.wait(rng.uniform(0.05, 0.2))
            cuts.append(terminate_backends())

    def partner(index: int):
        seen, answers = Counter(), {}
        with httpx.Client(base_url=live_server.url, headers=clients[index].headers) as http:
            for b in range(batches):
                key = f"{clients[index].name}-{b:02d}"
                payload = _batch(f"DBF {key}", size)
                for _attempt in range(50):
                    try:
                        response = http.post(
                            "/api/v1/incidents",
                            json=payload,
                            headers={"Idempotency-Key": key},
                            timeout=30,
                        )
                    except httpx.TransportError:
                        seen["transport"] += 1
                        continue
                    seen[response.status_code] += 1
                    if response.status_code == 201:
                        answers[key] = response.json()
                        break
                    assert response.status_code == 503, response.text
                    assert response.headers["Content-Type"] == "application/problem+json"
                    assert response.headers["Retry-After"]
                    time.sleep(0.02)
                else:
                    raise AssertionError(f"{key} never stored")
        return seen, answers

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        with ThreadPoolExecutor(max_workers=clients_n) as pool:
            results = list(pool.map(partner, range(clients_n)))
    finally:
        stop.set()
        thread.join()
    seen = sum((s for s, _ in results), Counter())
    answers = {k: v for _, a in results for k, v in a.items()}
    # The server recovered at once: a fresh request after the last cut is served.
    check = httpx.get(f"{live_server.url}/api/v1/incidents?limit=1", headers=clients[0].headers)
    assert check.status_code == 200
    live_server.stop()
    print(f"\ndatabase cuts: {len(cuts)} rounds, {sum(cuts)} connections; answers {dict(seen)}")
    assert len(cuts) >= 5 and seen[503] > 0  # requests really were caught mid-flight

    db.session.rollback()
    rows = db.session.execute(select(Incident.title, Incident.report_id)).all()
    assert len(rows) == clients_n * batches * size
    assert len({title for title, _ in rows}) == len(rows)  # each record once
    per_report = Counter(report_id for _, report_id in rows)
    assert set(per_report.values()) == {size}  # every batch whole, none partial
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == clients_n * batches  # no envelope of a lost transaction remains
    assert {str(r.id) for r in reports} == {a["report_id"] for a in answers.values()}
    creates = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "incident.create")
    )
    assert creates == len(rows)


# --- how an outage is answered (both databases) ---------------------------------------------


def _lost_connection(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def test_api_answers_an_outage_with_503_and_retry_after(client, writer, monkeypatch):
    monkeypatch.setattr(auth, "token_from_secret", _lost_connection)
    for response in (
        client.get("/api/v1/incidents", headers=writer),
        client.post("/api/v1/incidents", json=_batch("outage", 1), headers=writer),
    ):
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == "2"
        assert "Idempotency-Key" in response.get_json()["detail"]
        assert response.get_json()["type"] == "/api/v1/problems/unavailable"


def test_web_answers_an_outage_with_a_503_page(sign_in, monkeypatch):
    admin = sign_in("admin")
    monkeypatch.setattr(dashboard, "summarize", _lost_connection)
    response = admin.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    html = response.get_data(as_text=True)
    assert "Database unavailable" in html and "admin@reliability.test" in html  # full layout

    # Still down when the page layout looks up who is signed in: a bare page, not a 500.
    monkeypatch.setattr(login_manager, "_user_callback", _lost_connection)
    response = admin.get("/incidents")
    assert response.status_code == 503
    assert "Database unavailable" in response.get_data(as_text=True)
