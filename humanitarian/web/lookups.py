"""Small JSON lookups for the form pickers (same-origin, session-authenticated)."""

from __future__ import annotations

from flask import jsonify, request

from schemas import AdminAreaQuerySchema, AdminAreaSchema

from ..services import list_areas
from .blueprint import bp
from .forms import load_form


@bp.get("/lookup/areas.json")
def areas_json():
    """Admin areas whose English or Arabic name or p-code contains ``q``."""
    query, errors = load_form(AdminAreaQuerySchema(), request.args)
    if errors:
        return jsonify({"errors": errors}), 400
    areas = list_areas(level=query.get("level"), parent=query.get("parent"), q=query.get("q"))
    return jsonify({"items": AdminAreaSchema(many=True).dump(areas[:50])})
