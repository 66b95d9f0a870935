"""Population movements: list, detail and the entry form."""

from __future__ import annotations

from flask import render_template, request, url_for

from schemas import MovementInSchema, MovementOutSchema, MovementQuerySchema

from ..models.enums import EstimateMethod, MovementType, Scope, Verification
from ..services import get_movement, list_movements, record_movement
from .access import current_actor, requires, writable_sensitivities
from .blueprint import bp
from .forms import FormState, done, load_form, run_list, save
from .present import area_choices, area_index, dump, page_links, source_choices


@bp.get("/movements")
def movement_list():
    """Displacement and return flows, filtered as in the API."""
    listing = run_list(MovementQuerySchema(), list_movements, current_actor(), request.args)
    return render_template(
        "movements/list.html",
        listing=listing,
        movements=dump(MovementOutSchema, listing.items),
        next_url=page_links(listing),
        areas=area_index(),
        movement_types=[m.value for m in MovementType],
        verifications=[v.value for v in Verification],
    ), 400 if listing.form.errors else 200


@bp.get("/movements/<movement_id>")
def movement_detail(movement_id):
    """One population movement."""
    movement = get_movement(current_actor(), movement_id)
    return render_template(
        "movements/detail.html",
        movement=dump(MovementOutSchema, movement, many=False),
        areas=area_index(),
        verifications=[v.value for v in Verification],
    )


@bp.route("/movements/new", methods=["GET", "POST"])
@requires(Scope.append)
def movement_new():
    """Record a displacement, return or other flow of people."""
    actor = current_actor()
    form = FormState(values={"sensitivity": "public"})
    if request.method == "POST":
        form = FormState.submitted(request.form)
        data, form.errors = load_form(MovementInSchema(), request.form)
        if data is not None:
            location = save(actor, form, lambda report: _created(actor, data, report))
            if location:
                return done(form, location, "Movement recorded.")
    return render_template(
        "movements/form.html",
        form=form,
        movement_types=[m.value for m in MovementType],
        methods=[m.value for m in EstimateMethod],
        areas=area_choices(),
        sources=source_choices(),
        sensitivities=writable_sensitivities(),
        verifier=Scope.verify in actor.scopes,
    ), form.status


def _created(actor, data, report) -> str:
    movement = record_movement(actor, data, report=report)
    return url_for("web.movement_detail", movement_id=movement.id)
