"""Webhooks: an organization's subscriptions, the outbox, and delivery.

- **Subscriptions** belong to an organization and carry the grant of whoever subscribed (a
  token with the ``admin`` scope, or an administrator on the web): deliveries never hold more
  than that grant allows. The signing secret is returned once, when subscribing.
- **Outbox.** ``queue_messages`` runs inside the change feed's ``before_commit`` hook: the
  messages are written in the same transaction as the change, so a change is never announced
  unless it committed and never committed without being announced. An append writes rows
  only; nothing is sent while it runs, so a slow or dead receiver never slows it.
- **Delivery** (``deliver_due``, run by the scheduler and by ``flask webhooks deliver``) sends
  each subscription's messages in feed order, signed as the Standard Webhooks specification
  says (``standardwebhooks``). A failure is retried with exponential back-off and jitter, and
  later messages wait behind it; after ``WEBHOOK_RETRY_HOURS`` (at least 24) without a
  success the subscription is disabled and the reason shown to its owner. Every attempt is
  logged with its status code and duration. Delivery is at least once: receivers drop
  duplicates by ``webhook-id``.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import current_app
from sqlalchemy import select
from standardwebhooks import Webhook

from ..extensions import db
from ..models import (
    AdminArea,
    ApiToken,
    ChangeEntry,
    User,
    WebhookAttempt,
    WebhookMessage,
    WebhookSubscription,
    utcnow,
)
from ..models.enums import Channel, Scope, Sensitivity
from .actors import Actor
from .areas import require_area
from .audit import audit
from .changes import KINDS
from .common import parse_uuid
from .errors import BusinessRuleError, NotFound, PermissionDenied
from .outbound import check_url, post
from .visibility import reader_pcode

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
DELIVERED, PENDING = "delivered", "pending"


def _config(name: str) -> Any:
    return current_app.config[name]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


# --- subscriptions ---------------------------------------------------------------------------


def subscribe(
    actor: Actor,
    url: str,
    *,
    kinds: Optional[list[str]] = None,
    admin_pcode: Optional[str] = None,
    description: str = "",
) -> tuple[WebhookSubscription, str]:
    """Subscribe the actor's organization; returns the subscription and its secret (shown
    this once). The URL is checked now (and again at every delivery)."""
    actor.require(Scope.admin)
    if actor.organization_id is None:
        raise PermissionDenied("only an organization's token or staff can subscribe")
    kinds = list(dict.fromkeys(kinds or []))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise BusinessRuleError(
            "unknown kind", errors={"kinds": [f"Unknown kind '{k}'." for k in unknown]}
        )
    if admin_pcode:
        require_area(admin_pcode)
    check_url(url, allow_private=_config("WEBHOOK_ALLOW_PRIVATE"))
    secret = new_secret()
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        organization_id=actor.organization_id,
        url=url,
        kinds=kinds,
        admin_pcode=admin_pcode or None,
        max_sensitivity=actor.max_sensitivity,
        secret=secret,
        api_token_id=actor.token_id,
        user_id=actor.user_id,
        description=description.strip(),
        active=True,
    )
    db.session.add(subscription)
    audit(
        actor,
        "webhook.create",
        "webhook",
        subscription.id,
        details={"url": url, "kinds": kinds, "admin_pcode": admin_pcode},
    )
    db.session.commit()
    return subscription, secret


def list_subscriptions(actor: Actor) -> list[WebhookSubscription]:
    """The actor's organization's subscriptions, newest first."""
    actor.require(Scope.admin)
    stmt = select(WebhookSubscription).where(
        WebhookSubscription.organization_id == actor.organization_id
    )
    return list(db.session.scalars(stmt.order_by(WebhookSubscription.created_at.desc())))


def get_subscription(actor: Actor, subscription_id: Any) -> WebhookSubscription:
    """One of the actor's organization's subscriptions; another's is NotFound."""
    actor.require(Scope.admin)
    uid = parse_uuid(subscription_id)
    subscription = db.session.get(WebhookSubscription, uid) if uid else None
    if subscription is None or subscription.organization_id != actor.organization_id:
        raise NotFound("no such webhook subscription")
    return subscription


def delete_subscription(actor: Actor, subscription_id: Any) -> None:
    """Unsubscribe: nothing more is queued or sent; the outbox and log go with it."""
    subscription = get_subscription(actor, subscription_id)
    audit(actor, "webhook.delete", "webhook", subscription.id, details={"url": subscription.url})
    db.session.delete(subscription)
    db.session.commit()


@dataclass
class Delivery:
    """One attempt from the delivery log, with the message it was for."""

    attempt: WebhookAttempt
    message: WebhookMessage


def list_deliveries(actor: Actor, subscription_id: Any, *, limit: int = 100) -> list[Delivery]:
    """The subscription's delivery log, newest attempt first."""
    subscription = get_subscription(actor, subscription_id)
    stmt = (
        select(WebhookAttempt, WebhookMessage)
        .join(WebhookMessage, WebhookMessage.id == WebhookAttempt.message_id)
        .where(WebhookAttempt.subscription_id == subscription.id)
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
    return [Delivery(a, m) for a, m in db.session.execute(stmt)]


def pending_messages(subscription: WebhookSubscription, limit: int = 100) -> list[WebhookMessage]:
    stmt = (
        select(WebhookMessage)
        .where(WebhookMessage.subscription_id == subscription.id, WebhookMessage.state == PENDING)
        .order_by(WebhookMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def redeliver(actor: Actor, subscription_id: Any, message_id: Optional[str] = None) -> int:
    """Send again now: one message (by its ``webhook-id``), even one delivered before, or
    everything still pending. Re-enables a disabled subscription. Returns how many messages
    are queued."""
    subscription = get_subscription(actor, subscription_id)
    stmt = select(WebhookMessage).where(WebhookMessage.subscription_id == subscription.id)
    if message_id:
        stmt = stmt.where(WebhookMessage.message_id == message_id)
    else:
        stmt = stmt.where(WebhookMessage.state == PENDING)
    messages = list(db.session.scalars(stmt))
    if message_id and not messages:
        raise NotFound("no such delivery")
    now = utcnow()
    for message in messages:
        message.state, message.next_attempt_at = PENDING, now
    subscription.active, subscription.disabled_at, subscription.disabled_reason = True, None, None
    subscription.failing_since = None
    audit(
        actor,
        "webhook.redeliver",
        "webhook",
        subscription.id,
        details={"message_id": message_id, "messages": len(messages)},
    )
    db.session.commit()
    return len(messages)


# --- the outbox ------------------------------------------------------------------------------


def subscriber(subscription: WebhookSubscription) -> Actor:
    """Whom a subscription's deliveries are for: its organization, at its grant."""
    return Actor(
        channel=Channel.system,
        scopes=frozenset({Scope.read}),
        max_sensitivity=Sensitivity(subscription.max_sensitivity),
        token_id=subscription.api_token_id,
        organization_id=subscription.organization_id,
        label=f"webhook {subscription.id}",
    )


def _paths(pcodes: set[str]) -> dict[str, str]:
    if not pcodes:
        return {}
    stmt = select(AdminArea.pcode, AdminArea.path).where(AdminArea.pcode.in_(pcodes))
    return dict(db.session.execute(stmt).all())


def _matches(subscription, entry: ChangeEntry, paths: dict[str, str]) -> bool:
    if subscription.kinds and entry.kind not in subscription.kinds:
        return False
    if not Sensitivity(subscription.max_sensitivity).allows(entry.sensitivity):
        return False
    if not subscription.admin_pcode:
        return True
    area = paths.get(reader_pcode(subscriber(subscription), subscription.admin_pcode))
    places = (paths.get(p) for p in (entry.admin_pcode, entry.other_pcode) if p)
    return area is not None and any(p == area or p.startswith(area + "/") for p in places if p)


def queue_messages(entries: list[ChangeEntry]) -> None:
    """Write the outbox rows for ``entries`` into the current transaction."""
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    subscriptions = list(db.session.scalars(stmt))
    if not subscriptions:
        return
    wanted = {e.admin_pcode for e in entries} | {e.other_pcode for e in entries}
    wanted |= {reader_pcode(subscriber(s), s.admin_pcode) for s in subscriptions}
    paths = _paths({p for p in wanted if p})
    now = utcnow()
    db.session.add_all(
        WebhookMessage(
            subscription_id=s.id,
            change_id=e.id,
            message_id=f"msg_{uuid.uuid4().hex}",
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for e in entries
        for s in subscriptions
        if _matches(s, e, paths)
    )


# --- delivery --------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0
    disabled: int = 0


Render = Callable[[Actor, ChangeEntry], dict]


def deliver_due(render: Render, *, now: Optional[datetime] = None) -> DeliveryRun:
    """Send what is due for every active subscription, once. ``render(actor, entry)`` gives
    the feed item as that subscriber may see it (the surfaces own the record schemas)."""
    now = now or utcnow()
    run = DeliveryRun()
    stmt = select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True))
    for subscription_id in list(db.session.scalars(stmt)):
        subscription = db.session.get(WebhookSubscription, subscription_id)
        _deliver(subscription, render, now, run)
    return run


def _disable(subscription: WebhookSubscription, reason: str, now: datetime) -> None:
    subscription.active, subscription.disabled_at = False, now
    subscription.disabled_reason = reason
    audit(
        Actor.system("webhooks"),
        "webhook.disable",
        "webhook",
        subscription.id,
        details={"reason": reason},
    )


def _subscriber_gone(subscription: WebhookSubscription, now: datetime) -> Optional[str]:
    """Why the one who subscribed can no longer receive anything, if so."""
    if subscription.api_token_id is not None:
        token = db.session.get(ApiToken, subscription.api_token_id)
        if token is None or token.revoked_at is not None:
            return "the API token that subscribed was revoked"
        if token.expires_at is not None and token.expires_at <= now:
            return "the API token that subscribed has expired"
    elif subscription.user_id is not None:
        user = db.session.get(User, subscription.user_id)
        if user is None or not user.active:
            return "the account that subscribed was deactivated"
    return None


def _deliver(subscription, render: Render, now: datetime, run: DeliveryRun) -> None:
    messages = pending_messages(subscription)
    if not messages or messages[0].next_attempt_at > now:
        return
    gone = _subscriber_gone(subscription, now)
    if gone:
        _disable(subscription, gone, now)
        db.session.commit()
        run.disabled += 1
        return
    actor = subscriber(subscription)
    for message in messages:
        if message.payload is None:
            message.payload = envelope(render(actor, message.change), message.change)
            db.session.commit()
        if not send(subscription, message, now=now):
            run.failed += 1
            if subscription.active is False:
                run.disabled += 1
            return
        run.sent += 1


def envelope(item: dict, entry: ChangeEntry) -> dict:
    """The Standard Webhooks payload shape: a type, a timestamp and the data (the feed item)."""
    return {
        "type": f"{entry.kind}.{entry.action}",
        "timestamp": entry.committed_at.isoformat().replace("+00:00", "Z"),
        "data": item,
    }


def signed_headers(subscription, message: WebhookMessage, body: bytes, at: datetime) -> dict:
    signature = Webhook(subscription.secret).sign(message.message_id, at, body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "humanitarian-webhooks/1",
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def send(subscription, message: WebhookMessage, *, now: datetime) -> bool:
    """One attempt, logged; True when the receiver answered 2xx. A failure schedules the next
    attempt with back-off, or disables the subscription when it has failed for too long."""
    body = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False).encode()
    answer = post(
        subscription.url,
        body,
        signed_headers(subscription, message, body, utcnow()),
        timeout=float(_config("WEBHOOK_TIMEOUT_SECONDS")),
        allow_private=_config("WEBHOOK_ALLOW_PRIVATE"),
    )
    db.session.add(
        WebhookAttempt(
            message_id=message.id,
            subscription_id=subscription.id,
            attempted_at=now,
            status_code=answer.status,
            duration_ms=answer.duration_ms,
            error=answer.error or (None if answer.ok else f"HTTP {answer.status}"),
        )
    )
    message.attempts += 1
    if answer.ok:
        message.state, message.delivered_at = DELIVERED, now
        subscription.failing_since = None
    else:
        subscription.failing_since = subscription.failing_since or now
        window = timedelta(hours=int(_config("WEBHOOK_RETRY_HOURS")))
        if now - subscription.failing_since >= window:
            what = answer.error or f"HTTP {answer.status}"
            _disable(
                subscription,
                f"no successful delivery since {subscription.failing_since:%Y-%m-%d %H:%M} UTC "
                f"({message.attempts} attempts of message {message.message_id}); last: {what}",
                now,
            )
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    db.session.commit()
    return answer.ok


def backoff(attempts: int) -> timedelta:
    """Exponential (30 s, 1 min, 2 min … capped at an hour) with jitter (50–100 %), so many
    subscriptions failing at once do not retry in step."""
    ceiling = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))
