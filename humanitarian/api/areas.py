"""/admin-areas: the OCHA p-code reference list (public, read-only)."""

from __future__ import annotations

from flask.views import MethodView

from schemas import AdminAreaQuerySchema, AdminAreaSchema
from schemas.api import AdminAreaPageSchema

from ..models.enums import Scope
from ..services import list_areas
from .auth import current_actor
from .common import list_doc, make_blueprint
from .exports import Areas, Column, Listing, adm, negotiate, render

blp = make_blueprint("admin-areas", __name__, "Administrative areas with OCHA p-codes.")


def centroid_geometry(row: dict, _areas: Areas):
    if row.get("centroid_lat") is None:
        return None
    return {"type": "Point", "coordinates": [row["centroid_lon"], row["centroid_lat"]]}


COLUMNS = (
    Column("pcode"),
    Column("name_en"),
    Column("name_ar"),
    Column("level"),
    Column("parent_pcode"),
    Column("admin1_pcode", "#adm1+code", adm(1, 0, "pcode")),
    Column("admin1_name", "#adm1+name", adm(1, 1, "pcode")),
    Column("admin2_pcode", "#adm2+code", adm(2, 0, "pcode")),
    Column("admin2_name", "#adm2+name", adm(2, 1, "pcode")),
    Column("centroid_lat", "#geo+lat"),
    Column("centroid_lon", "#geo+lon"),
)

LISTING = Listing("admin-areas", AdminAreaSchema, COLUMNS, geometry=centroid_geometry)


@blp.route("/admin-areas")
class AdminAreas(MethodView):
    @blp.arguments(AdminAreaQuerySchema, location="query")
    @blp.doc(**list_doc(AdminAreaPageSchema))
    def get(self, query):
        """List admin areas by p-code; filter by level, parent or name."""
        current_actor().require(Scope.read)
        areas = list_areas(query.get("level"), query.get("parent"), query.get("q"))
        rows = AdminAreaSchema(many=True).dump(areas)
        return render(LISTING, negotiate(query.get("format")), [rows], None)
