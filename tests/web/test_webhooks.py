"""The webhooks page: subscribe with the secret shown once, the delivery log, redelivery,
unsubscribing; administrators only, and only their organization's subscriptions."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from humanitarian.extensions import db
from humanitarian.kinds.feed import render_change
from humanitarian.models import WebhookSubscription
from humanitarian.services import Actor, record_incident
from humanitarian.services.webhooks import deliver_due
from tests import factories as f


@pytest.fixture
def endpoint(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    answers = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            answers.append(self.headers["webhook-id"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/in", answers
    server.shutdown()
    server.server_close()


def test_subscribe_see_the_log_redeliver_and_unsubscribe(sign_in, endpoint):
    url, answers = endpoint
    admin = sign_in("admin")
    created = admin.submit("/admin/webhooks", {"url": url, "kinds": "incident"})
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    secret = re.search(r"<code>(whsec_[^<]+)</code>", page).group(1)
    subscription = db.session.query(WebhookSubscription).one()
    assert subscription.secret == secret and subscription.kinds == ["incident"]
    assert secret not in admin.page("/admin/webhooks")  # shown once
    record_incident(Actor.system("test"), f.incident())
    deliver_due(render_change)
    log = admin.page(f"/admin/webhooks/{subscription.id}")
    assert answers[0] in log and "incident.created" in log and "200" in log
    again = admin.submit(
        f"/admin/webhooks/{subscription.id}/redeliver",
        {"message_id": answers[0]},
        form_url=f"/admin/webhooks/{subscription.id}",
    )
    assert again.status_code == 303
    deliver_due(render_change)
    assert answers == [answers[0], answers[0]]
    gone = admin.submit(
        f"/admin/webhooks/{subscription.id}/delete",
        {},
        form_url=f"/admin/webhooks/{subscription.id}",
    )
    assert gone.status_code == 303
    assert db.session.query(WebhookSubscription).count() == 0


def test_a_private_url_is_refused_on_the_form(sign_in, app):
    admin = sign_in("admin")
    refused = admin.submit("/admin/webhooks", {"url": "http://127.0.0.1:9/x"})
    assert refused.status_code == 422
    assert "private, loopback or link-local" in refused.get_data(as_text=True)


def test_only_administrators(sign_in):
    assert sign_in("verifier").get("/admin/webhooks").status_code == 403
