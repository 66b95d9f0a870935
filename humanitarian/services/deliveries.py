"""E-mail delivery of scheduled sitreps: one message per recipient, logged and retried.

When a schedule's sitrep exists, each subscribed recipient gets a ``sitrep_deliveries`` row
(unique per sitrep and recipient, so a repeated run never mails twice). The scheduler's
delivery job sends what is due: the highlights in the body and the PDF attached, or a signed
link when the PDF is larger than ``MAIL_ATTACH_MAX_BYTES``. A temporary failure is retried
with back-off (``MAIL_RETRY_MINUTES``, doubling, ``MAIL_MAX_ATTEMPTS`` in all); a permanent
refusal (5xx) is not. Every message carries an unsubscribe link that works without signing in.

A recipient only ever receives the schedule's own edition: a sitrep above the schedule's
audience is never queued, and the check is made again just before sending.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Optional

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select, update

from ..extensions import db
from ..models import (
    DeliveryStatus,
    Sitrep,
    SitrepDelivery,
    SitrepRecipient,
    SitrepSchedule,
    utcnow,
)
from ..models.enums import Channel, Sensitivity
from . import mail
from .actors import Actor
from .audit import audit, record_event
from .errors import NotFound
from .sitrep_files import checked_pdf

log = logging.getLogger(__name__)
UNSUBSCRIBE_PATH = "/sitreps/unsubscribe/{token}"
DOWNLOAD_PATH = "/sitreps/delivered/{token}.pdf"
IN_FLIGHT = timedelta(minutes=10)  # a claimed delivery is left alone this long by other senders


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sitrep-unsubscribe")


def _link_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sitrep-download")


def unsubscribe_token(recipient: SitrepRecipient) -> str:
    return _signer().dumps([recipient.id, recipient.email])


def download_token(delivery: SitrepDelivery) -> str:
    return _link_signer().dumps(delivery.id)


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def queue_deliveries(schedule_id, sitrep: Sitrep, now: Optional[datetime] = None) -> int:
    """A pending delivery of ``sitrep`` to every subscribed recipient of the schedule that has
    none yet. Returns how many were queued."""
    now = now or utcnow()
    schedule = db.session.get(SitrepSchedule, schedule_id)
    if schedule is None or not schedule.active:
        return 0
    if not Sensitivity(schedule.audience).allows(sitrep.audience):
        log.error(
            "not queuing %s edition %s for schedule %s", sitrep.audience, sitrep.id, schedule.id
        )
        return 0
    done = set(
        db.session.scalars(
            select(SitrepDelivery.recipient_id).where(SitrepDelivery.sitrep_id == sitrep.id)
        )
    )
    queued = 0
    for recipient in schedule.recipients:
        if recipient.subscribed and recipient.id not in done:
            db.session.add(
                SitrepDelivery(
                    sitrep_id=sitrep.id,
                    schedule_id=schedule.id,
                    recipient_id=recipient.id,
                    email=recipient.email,
                    status=DeliveryStatus.pending,
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            queued += 1
    db.session.commit()
    return queued


def _claim_due(now: datetime, limit: int) -> list[int]:
    """Claim due deliveries (push their due time past the send) so no other sender takes them."""
    due = db.session.scalars(
        select(SitrepDelivery.id)
        .where(
            SitrepDelivery.status == DeliveryStatus.pending,
            SitrepDelivery.next_attempt_at <= now,
        )
        .order_by(SitrepDelivery.next_attempt_at, SitrepDelivery.id)
        .limit(limit)
    ).all()
    claimed = []
    for delivery_id in due:
        won = db.session.execute(
            update(SitrepDelivery)
            .where(
                SitrepDelivery.id == delivery_id,
                SitrepDelivery.status == DeliveryStatus.pending,
                SitrepDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + IN_FLIGHT)
        ).rowcount
        if won:
            claimed.append(delivery_id)
    db.session.commit()
    return claimed


def send_due_deliveries(now: Optional[datetime] = None, limit: int = 500) -> int:
    """Send every delivery that is due, over one SMTP connection. Returns how many were sent.
    Without ``SMTP_URL`` nothing is claimed: deliveries wait for a server to be configured."""
    now = now or utcnow()
    if not current_app.config["SMTP_URL"]:
        return 0
    claimed = _claim_due(now, limit)
    if not claimed:
        return 0
    sent, left = 0, list(claimed)
    try:
        with mail.smtp_connection() as client:
            while left:
                sent += _send_one(client, db.session.get(SitrepDelivery, left[0]), now)
                left.pop(0)
    except (smtplib.SMTPException, OSError) as exc:  # connecting, logging in, or the link broke
        for delivery_id in left:
            delivery = db.session.get(SitrepDelivery, delivery_id)
            if delivery.status == DeliveryStatus.pending:
                delivery.attempts += 1
                _failed(delivery, f"{type(exc).__name__}: {exc}", now, permanent=False)
        db.session.commit()
    return sent


def _still_allowed(delivery: SitrepDelivery, sitrep: Sitrep) -> Optional[str]:
    """Why this delivery may no longer be sent, if it may not."""
    schedule = db.session.get(SitrepSchedule, delivery.schedule_id)
    recipient = db.session.get(SitrepRecipient, delivery.recipient_id)
    if recipient is None or not recipient.subscribed:
        return "the recipient unsubscribed"
    if schedule is None or not schedule.active:
        return "the schedule was stopped"
    if not Sensitivity(schedule.audience).allows(sitrep.audience):
        return "the edition is above the schedule's audience"
    return None


def _send_one(client, delivery: SitrepDelivery, now: datetime) -> int:
    sitrep = db.session.get(Sitrep, delivery.sitrep_id)
    reason = _still_allowed(delivery, sitrep)
    if reason:
        delivery.status, delivery.next_attempt_at, delivery.error = (
            DeliveryStatus.cancelled,
            None,
            reason,
        )
        db.session.commit()
        return 0
    delivery.attempts += 1
    try:
        message, attached = compose(delivery, sitrep)
        mail.send(client, message)
    except mail.PermanentMailError as exc:
        _failed(delivery, str(exc), now, permanent=True)
    except (smtplib.SMTPException, OSError) as exc:
        _failed(delivery, f"{type(exc).__name__}: {exc}", now, permanent=False)
    else:
        delivery.status, delivery.sent_at, delivery.attached = DeliveryStatus.sent, now, attached
        delivery.next_attempt_at, delivery.error = None, None
        db.session.commit()
        log.info("sent sitrep %s to %s", sitrep.id, delivery.email)
        return 1
    db.session.commit()
    return 0


def _failed(delivery: SitrepDelivery, error: str, now: datetime, *, permanent: bool) -> None:
    config = current_app.config
    delivery.error = error[:2000]
    if permanent or delivery.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
    else:
        backoff = config["MAIL_RETRY_MINUTES"] * 2 ** max(0, delivery.attempts - 1)
        delivery.next_attempt_at = now + timedelta(minutes=backoff)
    log.warning(
        "sitrep e-mail to %s failed (attempt %s): %s", delivery.email, delivery.attempts, error
    )


EDITION_NOTES = {
    "public": _l("Public edition."),
    "partner": _l("Partner edition: not for public distribution."),
    "restricted": _l("Restricted edition: for its named recipients only; do not forward."),
}
# The message is written in the edition's language (the locale its PDF was rendered in).
LOCALES = {"en": "en", "ar": "ar_SY"}


def compose(delivery: SitrepDelivery, sitrep: Sitrep) -> tuple[EmailMessage, bool]:
    """The message for one recipient, and whether the PDF is attached (else linked)."""
    config = current_app.config
    recipient = db.session.get(SitrepRecipient, delivery.recipient_id)
    unsubscribe = _absolute(UNSUBSCRIBE_PATH.format(token=unsubscribe_token(recipient)))
    attach = sitrep.size_bytes <= config["MAIL_ATTACH_MAX_BYTES"]
    message = EmailMessage()
    message["Subject"] = sitrep.title
    message["From"] = config["MAIL_FROM"]
    message["To"] = delivery.email
    message["Message-ID"] = make_msgid(domain="sitreps")
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with force_locale(LOCALES[str(sitrep.language)]):
        message.set_content("\n".join(_body(delivery, sitrep, attach, unsubscribe)))
    if attach:
        name = Path(sitrep.file_path).name.rsplit("_", 1)[0] + ".pdf"
        message.add_attachment(
            checked_pdf(sitrep).read_bytes(), maintype="application", subtype="pdf", filename=name
        )
    # Last: set_content and add_attachment move content headers into the body part.
    message["Content-Language"] = str(sitrep.language)
    return message, attach


def _body(delivery: SitrepDelivery, sitrep: Sitrep, attach: bool, unsubscribe: str) -> list[str]:
    config = current_app.config
    mb = f"{sitrep.size_bytes / 1_000_000:.1f}"
    lines = [sitrep.title, "", str(EDITION_NOTES[str(sitrep.audience)]), "", _("Highlights:")]
    lines += [f"- {h}" for h in (sitrep.highlights or "").splitlines() if h.strip()]
    lines.append("")
    if attach:
        lines.append(
            _(
                "The full report is attached (PDF, %(pages)s pages, %(mb)s MB).",
                pages=sitrep.page_count,
                mb=mb,
            )
        )
    else:
        link = _absolute(DOWNLOAD_PATH.format(token=download_token(delivery)))
        days = config["MAIL_LINK_DAYS"]
        lines += [
            _(
                "The full report (PDF, %(pages)s pages, %(mb)s MB) is too large to attach. "
                "Download it within %(days)s days:",
                pages=sitrep.page_count,
                mb=mb,
                days=days,
            ),
            link,
        ]
    return [
        *lines,
        "",
        "--",
        _("You receive this report because your address is on its distribution list."),
        _("To stop receiving it: %(link)s", link=unsubscribe),
    ]


def recipient_for_token(token: str) -> SitrepRecipient:
    """The recipient an unsubscribe link names (404 for a link this server did not sign)."""
    try:
        recipient_id, email = _signer().loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise NotFound("this unsubscribe link is not valid") from exc
    recipient = db.session.get(SitrepRecipient, recipient_id)
    if recipient is None or recipient.email != email:
        raise NotFound("this unsubscribe link is not valid")
    return recipient


def unsubscribe(token: str, actor: Optional[Actor] = None) -> SitrepRecipient:
    """Stop sending to the link's recipient (no sign-in: the signed link is the proof). Safe
    to repeat; queued messages to it are cancelled."""
    recipient = recipient_for_token(token)
    if recipient.unsubscribed_at is None:
        recipient.unsubscribed_at = utcnow()
        db.session.execute(
            update(SitrepDelivery)
            .where(
                SitrepDelivery.recipient_id == recipient.id,
                SitrepDelivery.status == DeliveryStatus.pending,
            )
            .values(status=DeliveryStatus.cancelled, next_attempt_at=None, error="unsubscribed")
        )
        who = actor or Actor.anonymous(Channel.web)
        audit(
            who,
            "sitrep_recipient.unsubscribe",
            "sitrep_schedule",
            recipient.schedule_id,
            details={"email": recipient.email},
        )
        db.session.commit()
    return recipient


def delivered_pdf(token: str, actor: Optional[Actor] = None) -> tuple[Sitrep, Path]:
    """The PDF a too-large-to-attach message links to, for ``MAIL_LINK_DAYS`` and only while
    the recipient is subscribed and the edition within the schedule's audience."""
    max_age = current_app.config["MAIL_LINK_DAYS"] * 86400
    try:
        delivery_id = _link_signer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise NotFound("this download link has expired") from exc
    except BadSignature as exc:
        raise NotFound("this download link is not valid") from exc
    delivery = db.session.get(SitrepDelivery, delivery_id)
    sitrep = db.session.get(Sitrep, delivery.sitrep_id) if delivery else None
    if sitrep is None or _still_allowed(delivery, sitrep):
        raise NotFound("this download link is not valid")
    path = checked_pdf(sitrep)
    record_event(
        actor or Actor.anonymous(Channel.web),
        "sitrep.download",
        "sitrep",
        sitrep.id,
        details={
            "audience": str(sitrep.audience),
            "delivery": delivery.id,
            "email": delivery.email,
        },
    )
    return sitrep, path


def list_deliveries(schedule: SitrepSchedule, limit: int = 200) -> list[SitrepDelivery]:
    """The delivery log of a schedule the caller has already been allowed to see, newest
    first."""
    stmt = (
        select(SitrepDelivery)
        .where(SitrepDelivery.schedule_id == schedule.id)
        .order_by(SitrepDelivery.created_at.desc(), SitrepDelivery.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
