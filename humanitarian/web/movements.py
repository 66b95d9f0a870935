"""Population movements: list, detail and the entry form."""

from __future__ import annotations

from flask import render_template

from schemas import MovementOutSchema

from ..kinds import MOVEMENTS
from ..models.enums import EstimateMethod, Scope
from ..services import get_movement
from .access import current_actor, requires
from .blueprint import bp
from .present import area_choices, area_index, dump, source_choices
from .records import list_page, new_record_page


@bp.get("/movements")
def movement_list():
    """Displacement and return flows, filtered as in the API."""
    return list_page(MOVEMENTS)


@bp.get("/movements/<movement_id>")
def movement_detail(movement_id):
    """One population movement."""
    movement = get_movement(current_actor(), movement_id)
    return render_template(
        "movements/detail.html",
        movement=dump(MovementOutSchema, movement, many=False),
        areas=area_index(),
        verifications=MOVEMENTS.choices["verifications"],
    )


@bp.route("/movements/new", methods=["GET", "POST"])
@requires(Scope.append)
def movement_new():
    """Record a displacement, return or other flow of people."""
    return new_record_page(
        MOVEMENTS,
        movement_types=MOVEMENTS.choices["movement_types"],
        methods=[m.value for m in EstimateMethod],
        areas=area_choices(),
        sources=source_choices(),
    )
