"""/webhooks: an organization's subscriptions, their delivery log, and redelivery."""

from __future__ import annotations

import uuid

from flask import Response
from flask.views import MethodView

from schemas.sync import (
    DeliveryPageSchema,
    DeliverySchema,
    RedeliverSchema,
    WebhookCreatedSchema,
    WebhookInSchema,
    WebhookOutSchema,
    WebhookPageSchema,
)

from ..services.webhooks import (
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    redeliver,
    subscribe,
)
from .auth import current_actor
from .common import (
    API_PREFIX,
    body_doc,
    created,
    errors_doc,
    json_body,
    json_response,
    make_blueprint,
    ok_doc,
    rules_doc,
)

blp = make_blueprint(
    "webhooks",
    __name__,
    "Webhook subscriptions (admin scope): changes pushed to your URL, signed as the Standard "
    "Webhooks specification says.",
)


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.doc(**ok_doc(WebhookPageSchema, 401, 403))
    def get(self):
        """Your organization's webhook subscriptions."""
        items = WebhookOutSchema(many=True).dump(list_subscriptions(current_actor()))
        return json_response({"items": items, "next_cursor": None})

    @blp.doc(**body_doc(WebhookInSchema), **rules_doc(WebhookInSchema))
    @blp.doc(
        responses={
            "201": {
                "description": "subscribed; the secret is shown this once",
                "content": {"application/json": {"schema": WebhookCreatedSchema}},
            },
            **errors_doc(400, 401, 403, 415),
        }
    )
    def post(self):
        """Subscribe a URL to changes (kinds, area), under your token's access."""
        actor = current_actor()
        data = WebhookInSchema().load(json_body())
        subscription, secret = subscribe(actor, **data)
        body = WebhookCreatedSchema().dump(subscription)
        body["secret"] = secret
        return created(body, f"{API_PREFIX}/webhooks/{subscription.id}")


@blp.route("/webhooks/<uuid:webhook_id>")
class WebhookItem(MethodView):
    @blp.doc(**ok_doc(WebhookOutSchema, 401, 403, 404))
    def get(self, webhook_id: uuid.UUID):
        """One subscription, with why it was disabled if it was."""
        return json_response(WebhookOutSchema().dump(get_subscription(current_actor(), webhook_id)))

    @blp.doc(responses={"204": {"description": "unsubscribed"}, **errors_doc(401, 403, 404)})
    def delete(self, webhook_id: uuid.UUID):
        """Unsubscribe: nothing more is sent."""
        delete_subscription(current_actor(), webhook_id)
        return Response(status=204)


@blp.route("/webhooks/<uuid:webhook_id>/deliveries")
class WebhookDeliveries(MethodView):
    @blp.doc(**ok_doc(DeliveryPageSchema, 401, 403, 404))
    def get(self, webhook_id: uuid.UUID):
        """The delivery log, newest attempt first: status codes, timings, errors."""
        items = DeliverySchema(many=True).dump(list_deliveries(current_actor(), webhook_id))
        return json_response({"items": items, "next_cursor": None})

    @blp.doc(**body_doc(RedeliverSchema))
    @blp.doc(
        responses={
            "202": {"description": "queued; the next delivery run sends it"},
            **errors_doc(400, 401, 403, 404, 415),
        }
    )
    def post(self, webhook_id: uuid.UUID):
        """Redeliver one message, or everything pending; re-enables a disabled subscription."""
        data = RedeliverSchema().load(json_body())
        queued = redeliver(current_actor(), webhook_id, data.get("message_id"))
        return json_response({"queued": queued}, status=202)
