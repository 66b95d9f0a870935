"""/movements: displacement and return flows, appended one at a time or in batches."""

from __future__ import annotations

from ..kinds import MOVEMENTS
from .common import make_blueprint
from .records import add_collection, add_retraction

blp = make_blueprint(
    "movements", __name__, "Population movements: flows of people between areas over a period."
)
add_collection(blp, MOVEMENTS)
add_retraction(blp, MOVEMENTS, "/movements/<uuid:movement_id>/retraction")
