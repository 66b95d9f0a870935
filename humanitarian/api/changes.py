"""/changes: every committed change, in one order, resumable with a cursor."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from schemas.sync import ChangesPageSchema, ChangesQuerySchema

from ..kinds.feed import feed_items
from ..services.changes import read_changes
from .auth import current_actor
from .common import json_response, make_blueprint, ok_doc, rules_doc

blp = make_blueprint(
    "changes",
    __name__,
    "The change feed: new records, revisions, verifications, status entries and retractions "
    "in commit order. Resume from your last cursor: nothing is missed or seen twice.",
)


@blp.route("/changes")
class Changes(MethodView):
    @blp.arguments(ChangesQuerySchema, location="query")
    @blp.doc(**ok_doc(ChangesPageSchema, 400, 401, 403), **rules_doc(ChangesQuerySchema))
    def get(self, query):
        """Changes after the cursor, oldest first, as far as your access reaches."""
        actor = current_actor()
        limit = min(query["limit"], current_app.config["CHANGES_PAGE_MAX"])
        page = read_changes(
            actor,
            cursor=query.get("cursor"),
            kinds=query["kinds"],
            admin_pcode=query.get("admin_pcode"),
            limit=limit,
        )
        return json_response(
            {
                "items": feed_items(actor, page.items),
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )
