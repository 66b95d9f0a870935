"""The change feed under concurrent writers: a poller resuming from its cursor collects every
committed change exactly once.

Writers append through the real server (gunicorn, two workers with threads) while a poller
reads ``/changes`` from its last cursor as fast as it can, round after round. Writers commit
in whatever order the database lets them; the feed's positions are assigned in commit order
(``services/changes.py``), so a poller that has read position ``n`` never later finds a new
entry below ``n``. At the end of every round the poller's collected list must equal what was
committed: no gap, no duplicate, and the feed positions run 1, 2, 3... without a hole.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ChangeEntry, Incident
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import Actor, create_token

pytestmark = pytest.mark.reliability

# (rounds, writers, appends per writer, records per append)
PLANS = {"postgresql": (8, 8, 6, 3), "sqlite": (3, 4, 4, 2)}


def _body(writer: int, n: int, size: int) -> dict:
    items = [
        {
            "title": f"w{writer} a{n} r{i}",
            "occurred_on": date(2024, 12, 1 + (n + i) % 4).isoformat(),
            "event_type": "explosions_remote_violence",
            "sub_event_type": "shelling_artillery_missile_attack",
            "admin_pcode": "SY0700",
            "sensitivity": "partner",
        }
        for i in range(size)
    ]
    return {"items": items} if size > 1 else items[0]


def _append(base: str, headers: dict, writer: int, appends: int, size: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for n in range(appends):
            body = _body(writer, n, size)
            response = client.post(
                "/api/v1/incidents", json=body, headers={"Idempotency-Key": f"w{writer}-{n}"}
            )
            assert response.status_code == 201, response.text
            answer = response.json()
            ids += [item["id"] for item in answer["items"]] if "items" in answer else [answer["id"]]
    return ids


class Poller:
    """Reads the feed from its cursor until told to stop, then drains it."""

    def __init__(self, base: str, headers: dict) -> None:
        self.client = httpx.Client(base_url=base, headers=headers, timeout=60)
        self.cursor: str | None = None
        self.seen: list[str] = []
        self.polls = 0

    def poll_once(self) -> bool:
        params = {"limit": 50, **({"cursor": self.cursor} if self.cursor else {})}
        response = self.client.get("/api/v1/changes", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        self.seen += [item["record_id"] for item in body["items"]]
        self.cursor = body["next_cursor"]
        self.polls += 1
        return body["has_more"]

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll_once()
        while self.poll_once():
            pass


def test_a_polling_reader_collects_every_commit_once(live_server, backend):
    rounds, writers, appends, size = PLANS[backend]
    tokens = []
    for i in range(writers):
        _, secret = create_token(
            Actor.system("feed"), f"Writer {i}", [Scope.read, Scope.append], Sensitivity.partner
        )
        tokens.append({"Authorization": f"Bearer {secret}"})
    _, reader = create_token(Actor.system("feed"), "Mirror", [Scope.read], Sensitivity.partner)
    db.session.commit()
    db.session.remove()
    poller = Poller(live_server.url, {"Authorization": f"Bearer {reader}"})
    committed: list[str] = []
    for round_no in range(rounds):
        stop = threading.Event()
        reading = threading.Thread(target=poller.run, args=(stop,))
        reading.start()
        with ThreadPoolExecutor(writers) as pool:
            futures = [
                pool.submit(_append, live_server.url, tokens[w], w + 100 * round_no, appends, size)
                for w in range(writers)
            ]
            for future in futures:
                committed += future.result()
        stop.set()
        reading.join(timeout=120)
        assert not reading.is_alive()
        assert len(poller.seen) == len(set(poller.seen)), f"round {round_no}: a duplicate"
        assert set(poller.seen) == set(committed), f"round {round_no}: a gap"
    stored = {str(i) for i in db.session.scalars(select(Incident.id))}
    assert stored == set(committed)
    positions = list(
        db.session.scalars(select(ChangeEntry.position).order_by(ChangeEntry.position))
    )
    assert positions == list(range(1, len(committed) + 1))
    # The poller really raced the writers: it read many times while they were writing.
    assert poller.polls > rounds * 3
