"""Webhook subscriptions for administrators: the organization's subscriptions, a new one (its
secret shown once), each one's delivery log, redelivery and unsubscribing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from schemas.sync import DeliverySchema, WebhookInSchema, WebhookOutSchema

from ..models.enums import Scope
from ..services import ServiceError
from ..services.changes import KINDS
from ..services.webhooks import (
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    redeliver,
    subscribe,
)
from .access import current_actor, requires
from .blueprint import bp
from .forms import FormState, load_form
from .present import area_choices


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@requires(Scope.admin)
def webhooks():
    """The organization's webhook subscriptions, and a form to add one."""
    actor = current_actor()
    form, secret, status = FormState(), None, 200
    if request.method == "POST":
        form = FormState.submitted(request.form)
        data, form.errors = load_form(WebhookInSchema(), request.form)
        if data is not None:
            try:
                subscription, secret = subscribe(actor, **data)
                form = FormState()
                flash("Subscribed. Copy the secret now: it is shown only this once.", "success")
            except ServiceError as exc:
                form.fail(exc)
        status = 422 if form.errors or form.message else 201 if secret else 200
    return render_template(
        "admin/webhooks.html",
        subscriptions=WebhookOutSchema(many=True).dump(list_subscriptions(actor)),
        form=form,
        secret=secret,
        kinds=[(k, k) for k in KINDS],
        areas=area_choices(),
    ), status


@bp.get("/admin/webhooks/<webhook_id>")
@requires(Scope.admin)
def webhook_detail(webhook_id):
    """One subscription with its delivery log."""
    actor = current_actor()
    subscription = get_subscription(actor, webhook_id)
    return render_template(
        "admin/webhook.html",
        subscription=WebhookOutSchema().dump(subscription),
        deliveries=DeliverySchema(many=True).dump(list_deliveries(actor, subscription.id)),
    )


@bp.post("/admin/webhooks/<webhook_id>/redeliver")
@requires(Scope.admin)
def webhook_redeliver(webhook_id):
    """Send one message again, or everything pending; re-enables the subscription."""
    queued = redeliver(current_actor(), webhook_id, request.form.get("message_id") or None)
    flash(f"{queued} message{'s' if queued != 1 else ''} queued for delivery.", "success")
    return redirect(url_for("web.webhook_detail", webhook_id=webhook_id), 303)


@bp.post("/admin/webhooks/<webhook_id>/delete")
@requires(Scope.admin)
def webhook_delete(webhook_id):
    """Unsubscribe."""
    delete_subscription(current_actor(), webhook_id)
    flash("Unsubscribed.", "success")
    return redirect(url_for("web.webhooks"), 303)
