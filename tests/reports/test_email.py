"""Sitreps by e-mail: a real SMTP server (aiosmtpd) on loopback receives what the scheduler
sends, and the messages are parsed back: subject, highlights in the body, the PDF attached (or
linked when large), the unsubscribe link; failures retried, refusals logged, editions capped."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Cadence, DeliveryStatus, SitrepDelivery
from humanitarian.scheduler import SitrepScheduler
from humanitarian.services import (
    Actor,
    ScheduleInput,
    create_schedule,
    generate_sitrep,
    schedule_input,
    send_due_deliveries,
    update_schedule,
)
from humanitarian.services.deliveries import queue_deliveries

from .conftest import PERIOD, pdf_text


class Inbox:
    """aiosmtpd handler: keeps every message; refuses the addresses in ``refuse`` (550)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"sitreps" and auth_data.password == b"s3cret word"
    return AuthResult(success=ok)


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback (login required), and SMTP_URL pointing at it."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,  # a loopback test server has no certificate
        auth_required=True,
    )
    controller.start()
    before = {k: app.config[k] for k in ("SMTP_URL", "MAIL_ATTACH_MAX_BYTES")}
    app.config["SMTP_URL"] = f"smtp://sitreps:s3cret%20word@127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(before)


def _schedule(recipients=("donor@example.org", "partner@example.org"), **kw):
    values = dict(admin_pcode="SY07", cadence=Cadence.weekly, weekday="thu", run_time=clock_time(6))
    values.update(timezone="UTC", recipients=recipients, **kw)
    return create_schedule(Actor.system("test"), ScheduleInput(**values))


def _edition(schedule, audience="public"):
    sitrep = generate_sitrep(Actor.system("test"), "SY07", *PERIOD, audience)
    queue_deliveries(schedule.id, sitrep)
    return sitrep


def _deliveries():
    db.session.rollback()
    return db.session.scalars(select(SitrepDelivery).order_by(SitrepDelivery.email)).all()


def test_each_recipient_gets_the_highlights_and_the_pdf(demo, smtp):
    schedule = _schedule()
    sitrep = _edition(schedule)
    assert send_due_deliveries() == 2
    assert sorted(m["To"] for m in smtp.messages) == ["donor@example.org", "partner@example.org"]
    message = smtp.to("donor@example.org")[0]
    assert message["Subject"] == "Idleb: Situation Report, 27 Nov – 4 Dec 2024"
    body = message.get_body(("plain",)).get_content()
    for sentence in sitrep.highlights.splitlines():
        assert f"- {sentence}" in body
    assert "Public edition." in body and "The full report is attached" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().startswith("SY07_2024-11-27_2024-12-04_public_en")
    assert "Idleb" in pdf_text(attachment.get_content())
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [(d.status, d.attempts, d.attached) for d in _deliveries()] == [
        (DeliveryStatus.sent, 1, True)
    ] * 2
    # Running again sends nothing twice.
    _edition(schedule)
    assert send_due_deliveries() == 0 and len(smtp.messages) == 2


def test_a_large_pdf_is_linked_and_the_link_works_without_signing_in(demo, smtp, app, client):
    app.config["MAIL_ATTACH_MAX_BYTES"] = 1000
    _edition(_schedule(recipients=("donor@example.org",)))
    send_due_deliveries()
    [message] = smtp.messages
    assert list(message.iter_attachments()) == []
    body = message.get_body(("plain",)).get_content()
    assert "too large to attach" in body
    link = next(line for line in body.splitlines() if "/sitreps/delivered/" in line)
    path = link.removeprefix(app.config["PUBLIC_URL"])
    answer = client.get(path)  # not signed in
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "Idleb" in pdf_text(answer.data)
    assert (
        db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "sitrep.download"))[
            "email"
        ]
        == "donor@example.org"
    )
    assert client.get(path.replace("/delivered/", "/delivered/x")).status_code == 404
    assert [d.attached for d in _deliveries()] == [False]


def test_the_unsubscribe_link_works_without_signing_in(demo, smtp, app, client):
    schedule = _schedule()
    _edition(schedule)
    send_due_deliveries()
    body = smtp.to("donor@example.org")[0].get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/sitreps/unsubscribe/" in line)
    path = link.split(app.config["PUBLIC_URL"], 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "donor@example.org" in page.get_data(as_text=True)
    # The one-click POST of RFC 8058, as a mail client sends it: no session, no form token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "will no longer receive" in done.get_data(as_text=True)
    assert client.post(path).status_code == 200  # twice is harmless
    assert client.post(path[:-3] + "abc").status_code == 404
    # The next edition goes to the other recipient only.
    other = generate_sitrep(Actor.system("test"), "SY07", PERIOD[0], PERIOD[1] - timedelta(days=1))
    queue_deliveries(schedule.id, other)
    send_due_deliveries()
    assert len(smtp.to("donor@example.org")) == 1 and len(smtp.to("partner@example.org")) == 2


def test_failures_are_retried_and_refusals_are_logged(demo, smtp, app):
    _edition(_schedule(recipients=("donor@example.org", "ghost@example.org")))
    smtp.refuse.add("ghost@example.org")
    up = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_free_port()}"  # nobody listens there
    now = datetime.now(UTC)
    assert send_due_deliveries(now) == 0
    first = _deliveries()
    assert [(d.status, d.attempts) for d in first] == [(DeliveryStatus.pending, 1)] * 2
    assert "ConnectionRefusedError" in first[0].error
    assert first[0].next_attempt_at == now + timedelta(minutes=app.config["MAIL_RETRY_MINUTES"])
    assert send_due_deliveries(now + timedelta(minutes=1)) == 0  # not due yet
    app.config["SMTP_URL"] = up
    assert send_due_deliveries(now + timedelta(minutes=6)) == 1
    donor, ghost = _deliveries()
    assert (donor.status, donor.attempts, donor.error) == (DeliveryStatus.sent, 2, None)
    # A permanent refusal is not retried.
    assert (ghost.status, ghost.attempts, ghost.next_attempt_at) == (DeliveryStatus.failed, 2, None)
    assert "550" in ghost.error and "No such user" in ghost.error
    assert [m["To"] for m in smtp.messages] == ["donor@example.org"]


def test_temporary_failures_stop_after_the_configured_attempts(demo, app):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_free_port()}"
    try:
        _edition(_schedule(recipients=("donor@example.org",)))
        now = datetime.now(UTC)
        for step in range(app.config["MAIL_MAX_ATTEMPTS"]):
            send_due_deliveries(now + timedelta(days=step))
        [delivery] = _deliveries()
    finally:
        app.config["SMTP_URL"] = ""
    assert (delivery.status, delivery.attempts) == (
        DeliveryStatus.failed,
        app.config["MAIL_MAX_ATTEMPTS"],
    )


def test_recipients_never_get_an_edition_above_the_schedule(demo, smtp):
    schedule = _schedule(audience="partner")
    assert (
        queue_deliveries(
            schedule.id, generate_sitrep(Actor.system("t"), "SY07", *PERIOD, "restricted")
        )
        == 0
    )
    _edition(schedule, "partner")
    # Lowered to public before the queue is sent: the partner edition is no longer allowed.
    update_schedule(Actor.system("t"), schedule.id, schedule_input(schedule, audience="public"))
    assert send_due_deliveries() == 0 and smtp.messages == []
    assert {(d.status, d.error) for d in _deliveries()} == {
        (DeliveryStatus.cancelled, "the edition is above the schedule's audience")
    }


def test_without_a_server_deliveries_wait(demo, app):
    assert app.config["SMTP_URL"] == ""
    _edition(_schedule())
    assert send_due_deliveries() == 0
    assert {(d.status, d.attempts) for d in _deliveries()} == {(DeliveryStatus.pending, 0)}


def test_a_tick_generates_the_scheduled_sitrep_and_mails_it(demo, smtp, app):
    """End to end: the schedule's job (run by `scheduler tick`) makes the edition for the week
    just ended and the same tick sends it."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    at = now - timedelta(hours=1)  # the run time, earlier today (or late yesterday)
    schedule = _schedule(
        recipients=("donor@example.org",), weekday=at.strftime("%a").lower(), run_time=at.time()
    )
    clock = [now - timedelta(days=7)]  # a week ago: the job is stored, due today
    assert SitrepScheduler(app, holder="cron", clock=lambda: clock[0]).tick() is not None
    assert smtp.messages == []
    clock[0] = now
    ran = SitrepScheduler(app, holder="cron", clock=lambda: clock[0]).tick()
    assert f"sitrep-schedule-{schedule.id}" in ran and "sitrep-deliveries" in ran
    [message] = smtp.messages
    end = now.date() - timedelta(days=1)
    assert message["Subject"].startswith("Idleb: Situation Report,")
    assert f"{end.day} {end:%b %Y}" in message["Subject"]


def test_an_arabic_schedule_mails_in_arabic(demo, smtp):
    schedule = _schedule(recipients=("donor@example.org",), language="ar")
    sitrep = generate_sitrep(Actor.system("test"), "SY07", *PERIOD, "public", language="ar")
    queue_deliveries(schedule.id, sitrep)
    send_due_deliveries()
    [message] = smtp.messages
    body = message.get_body(("plain",)).get_content()
    assert message["Content-Language"] == "ar" and message["Subject"] == sitrep.title
    assert "أبرز المستجدات:" in body and "النسخة العامة." in body and "لإيقاف استلامه" in body
    assert f"- {sitrep.highlights.splitlines()[0]}" in body
