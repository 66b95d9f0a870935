"""Webhooks: subscriptions, signed deliveries from the outbox, retries, disabling, the log.

A real HTTP server on loopback receives every delivery and checks its signature with the
Standard Webhooks reference verifier (``standardwebhooks.Webhook.verify``); a receiver that
is down, slow, failing or back again is a mode of that server."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from humanitarian.extensions import db
from humanitarian.kinds.feed import render_change
from humanitarian.models import WebhookAttempt, WebhookMessage, WebhookSubscription, utcnow
from humanitarian.models.enums import Sensitivity
from humanitarian.services import record_incident, revoke_token
from humanitarian.services.retraction import retract_record
from humanitarian.services.webhooks import deliver_due
from tests import factories as f

STAFF = f.actor(Sensitivity.restricted, scopes=("read", "append", "verify", "admin"))


class Receiver:
    """A partner's endpoint: verifies, then keeps each message once by its webhook-id."""

    def __init__(self) -> None:
        self.mode = "ok"  # ok | fail (500) | slow
        self.secret: str | None = None
        self.received: list[dict] = []  # every verified request, duplicates included
        self.kept: dict[str, dict] = {}  # idempotent consumption by webhook-id
        self.invalid = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.mode == "slow":
                    time.sleep(3)
                if receiver.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except Exception:
                    receiver.invalid += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                receiver.received.append(payload)
                receiver.kept.setdefault(self.headers["webhook-id"], payload)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks?x=1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1)
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def subscribed(client, make_token, receiver):
    """A partner admin token subscribed to everything up to 'partner'; returns (token, body)."""
    token = make_token("read,admin", "partner")
    response = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=token.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    receiver.secret = body["secret"]
    return token, body


def deliver(now=None):
    return deliver_due(render_change, now=now)


def test_deliveries_are_signed_and_carry_the_feed_item(client, subscribed, receiver):
    token, sub = subscribed
    assert sub["secret"].startswith("whsec_")
    assert "secret" not in client.get(f"/api/v1/webhooks/{sub['id']}", headers=token.headers).json
    incident = record_incident(STAFF, f.incident(sensitivity="partner"))
    run = deliver()
    assert run.sent == 1 and receiver.invalid == 0
    payload = receiver.received[0]
    assert payload["type"] == "incident.created"
    item = payload["data"]
    assert item["record_id"] == str(incident.id) and item["record"]["title"] == incident.title
    # The same item as /changes gives the subscribing token.
    feed = client.get("/api/v1/changes", headers=token.headers).get_json()["items"]
    assert feed == [item]
    log = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=token.headers).json
    assert [(d["status_code"], d["state"]) for d in log["items"]] == [(204, "delivered")]
    assert log["items"][0]["duration_ms"] >= 0


def test_nothing_above_the_subscribers_grant_is_sent_not_even_an_id(subscribed, receiver):
    secret = record_incident(STAFF, f.incident(sensitivity="restricted", title="Qxsecret"))
    record_incident(STAFF, f.incident(sensitivity="public"))
    deliver()
    sent = json.dumps(receiver.received)
    assert len(receiver.received) == 1
    assert str(secret.id) not in sent and "Qxsecret" not in sent


def test_an_append_only_writes_the_outbox_even_when_the_receiver_is_slow(subscribed, receiver):
    receiver.mode = "slow"
    started = time.monotonic()
    record_incident(STAFF, f.incident())
    assert time.monotonic() - started < 1.0
    assert db.session.query(WebhookMessage).count() == 1
    assert receiver.received == []


def test_down_slow_failing_and_back_again_all_arrive_once_in_order(client, subscribed, receiver):
    token, sub = subscribed
    records = [record_incident(STAFF, f.incident(title=f"strike {i}")) for i in range(3)]
    now = utcnow()
    receiver.mode = "fail"
    assert deliver(now).failed == 1
    receiver.mode = "slow"  # longer than the 1 s timeout
    assert deliver(now + timedelta(hours=1)).failed == 1
    receiver.stop()  # down: connection refused
    assert deliver(now + timedelta(hours=2)).failed == 1
    back = Receiver()
    back.secret = receiver.secret
    try:
        subscription = db.session.get(WebhookSubscription, uuid.UUID(sub["id"]))
        subscription.url = back.url  # the partner's endpoint is back, on another port
        db.session.commit()
        assert deliver(now + timedelta(hours=3)).sent == 3
        ids = [p["data"]["record_id"] for p in back.received]
        assert ids == [str(r.id) for r in records]
        assert back.invalid == 0
    finally:
        back.stop()
    log = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=token.headers).json
    codes = [d["status_code"] for d in reversed(log["items"])]
    assert codes == [500, None, None, 204, 204, 204]
    assert "Timeout" in log["items"][-2]["error"] and log["items"][-3]["error"]


def test_retries_back_off_and_a_subscription_failing_a_day_is_disabled(
    client, subscribed, receiver
):
    token, sub = subscribed
    record_incident(STAFF, f.incident())
    receiver.mode = "fail"
    start = utcnow()
    deliver(start)
    message = db.session.query(WebhookMessage).one()
    first_delay = message.next_attempt_at - start
    assert timedelta(seconds=15) <= first_delay <= timedelta(seconds=30)
    assert deliver(start + timedelta(seconds=1)).failed == 0  # not due yet: nothing sent
    deliver(start + timedelta(minutes=10))
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at > start + timedelta(minutes=10)
    assert client.get(f"/api/v1/webhooks/{sub['id']}", headers=token.headers).json["active"]
    run = deliver(start + timedelta(hours=24, minutes=1))
    assert run.disabled == 1
    shown = client.get(f"/api/v1/webhooks/{sub['id']}", headers=token.headers).json
    assert shown["active"] is False and "no successful delivery since" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]
    # Disabled: nothing more is queued or sent, until the owner redelivers.
    record_incident(STAFF, f.incident(title="while disabled"))
    assert db.session.query(WebhookMessage).count() == 1
    receiver.mode = "ok"
    answer = client.post(f"/api/v1/webhooks/{sub['id']}/deliveries", json={}, headers=token.headers)
    assert answer.status_code == 202 and answer.json == {"queued": 1}
    assert deliver().sent == 1
    assert client.get(f"/api/v1/webhooks/{sub['id']}", headers=token.headers).json["active"]


def test_manual_redelivery_repeats_a_message_with_the_same_webhook_id(client, subscribed, receiver):
    token, sub = subscribed
    record_incident(STAFF, f.incident())
    deliver()
    message_id = db.session.query(WebhookMessage).one().message_id
    answer = client.post(
        f"/api/v1/webhooks/{sub['id']}/deliveries",
        json={"message_id": message_id},
        headers=token.headers,
    )
    assert answer.status_code == 202
    deliver()
    # At least once: the receiver got it twice and kept it once.
    assert len(receiver.received) == 2 and len(receiver.kept) == 1
    missing = client.post(
        f"/api/v1/webhooks/{sub['id']}/deliveries",
        json={"message_id": "msg_nothing"},
        headers=token.headers,
    )
    assert missing.status_code == 404


def test_a_retraction_is_delivered_without_the_record(subscribed, receiver):
    incident = record_incident(STAFF, f.incident())
    retract_record(STAFF, "incident", incident.id, "exposes a person")
    deliver()
    assert [p["type"] for p in receiver.received] == ["incident.created", "incident.retracted"]
    assert all(p["data"]["record"] is None for p in receiver.received)


def test_kinds_and_area_filters(client, make_token, receiver):
    token = make_token("read,admin", "partner")
    body = {"url": receiver.url, "kinds": ["movement"], "admin_pcode": "SY06"}
    sub = client.post("/api/v1/webhooks", json=body, headers=token.headers).json
    receiver.secret = sub["secret"]
    record_incident(STAFF, f.incident())
    from humanitarian.services import record_movement

    record_movement(STAFF, f.movement())  # SY0200 → SY06
    record_movement(STAFF, f.movement(destination_pcode="SY0703"))
    deliver()
    assert [p["type"] for p in receiver.received] == ["movement.created"]


def test_a_revoked_token_stops_its_subscription(app, client, subscribed, receiver):
    token, sub = subscribed
    revoke_token(STAFF, token.id)
    record_incident(STAFF, f.incident())
    assert deliver().disabled == 1
    assert receiver.received == []
    subscription = db.session.get(WebhookSubscription, uuid.UUID(sub["id"]))
    assert "revoked" in subscription.disabled_reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "ftp://example.org/x",
        "http://user:pw@example.org/x",
    ],
)
def test_private_and_odd_urls_are_refused(client, make_token, url):
    token = make_token("read,admin", "partner")
    response = client.post("/api/v1/webhooks", json={"url": url}, headers=token.headers)
    assert response.status_code == 422 and "url" in response.get_json()["errors"], url


def test_a_url_that_turns_private_after_subscribing_is_not_called(
    app, client, subscribed, receiver
):
    """The address is checked again at every delivery, and the connection goes to it."""
    record_incident(STAFF, f.incident())
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    assert deliver().failed == 1
    assert receiver.received == []
    attempt = db.session.query(WebhookAttempt).one()
    assert attempt.status_code is None and attempt.error.startswith("refused")


def test_subscriptions_belong_to_their_organization(client, make_token, subscribed):
    _, sub = subscribed
    other = make_token("read,admin", "partner", org="Other NGO")
    assert client.get(f"/api/v1/webhooks/{sub['id']}", headers=other.headers).status_code == 404
    assert client.get("/api/v1/webhooks", headers=other.headers).json["items"] == []
    reader = make_token("read", "partner")
    assert (
        client.post(
            "/api/v1/webhooks", json={"url": "http://x"}, headers=reader.headers
        ).status_code
        == 403
    )


def test_cli_delivers_once(app, runner, subscribed, receiver):
    record_incident(STAFF, f.incident())
    result = runner.invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output and len(receiver.received) == 1


def test_the_scheduler_job_delivers(app, subscribed, receiver):
    from humanitarian.jobs import JobRuntime, bind_runtime, deliver_webhooks_job

    record_incident(STAFF, f.incident())
    bind_runtime(JobRuntime(app=app, holder="test"))
    try:
        assert deliver_webhooks_job() == 1
    finally:
        bind_runtime(None)
    assert len(receiver.received) == 1 and receiver.invalid == 0
