"""Small JSON lookups for the form pickers (same-origin, session-authenticated)."""

from __future__ import annotations

from flask import jsonify, request

from schemas import AdminAreaQuerySchema, AdminAreaSchema

from ..services import list_areas
from ..services.places import is_whole_match
from .blueprint import bp
from .forms import load_form
from .present import facility_choices

FACILITY_MATCHES = 50


@bp.get("/lookup/areas.json")
def areas_json():
    """Admin areas whose English or Arabic name or p-code contains ``q``."""
    query, errors = load_form(AdminAreaQuerySchema(), request.args)
    if errors:
        return jsonify({"errors": errors}), 400
    q = query.get("q")
    areas = list_areas(level=query.get("level"), parent=query.get("parent"), q=q)
    # A whole-name match, coarsest first ("Harim": the district before its sub-district), is
    # taken as meant; a partial one only suggests.
    best = areas[0].pcode if q and areas and is_whole_match(areas[0], q) else None
    return jsonify({"items": AdminAreaSchema(many=True).dump(areas[:50]), "best": best})


@bp.get("/lookup/facilities.json")
def facilities_json():
    """Facilities the user may see whose English or Arabic name contains ``q``."""
    q = request.args.get("q", "").strip()
    if not 1 <= len(q) <= 100 or "\x00" in q:
        return jsonify({"errors": {"q": ["Give 1 to 100 characters of a name."]}}), 400
    choices = facility_choices(q, limit=FACILITY_MATCHES)
    items = [{"id": str(f.id), "name": f.name, "name_ar": f.name_ar} for f in choices.items]
    return jsonify({"items": items, "more": choices.more})
