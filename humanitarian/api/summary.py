"""/summary: key figures for an area and period."""

from __future__ import annotations

from flask.views import MethodView

from schemas import SummaryQuerySchema, SummarySchema

from ..services import summarize
from .auth import current_actor
from .common import json_response, make_blueprint, ok_doc, rules_doc

blp = make_blueprint("summary", __name__, "Key figures for an area and period.")


@blp.route("/summary")
class Summary(MethodView):
    @blp.arguments(SummaryQuerySchema, location="query")
    @blp.doc(**ok_doc(SummarySchema, 401, 403), **rules_doc(SummaryQuerySchema))
    def get(self, query):
        """Incidents by type, casualties, facilities by status, displacement and returns."""
        actor = current_actor()
        summary = summarize(actor, query.get("admin_pcode"), query.get("since"), query.get("until"))
        return json_response(SummarySchema().dump(summary))
