"""/admin-areas: the OCHA p-code gazetteer with boundaries, and point-in-area (public,
read-only reference data)."""

from __future__ import annotations

import gzip

from flask import Response, request
from flask.views import MethodView

from schemas import AdminAreaQuerySchema, AdminAreaSchema, LocateOutSchema, LocateQuerySchema
from schemas.api import AdminAreaPageSchema

from ..kinds import Column, Listing, admin_columns
from ..models.enums import Scope
from ..services import NotFound, list_areas
from ..services.boundaries import feature_collection
from ..services.locate import locate
from .auth import current_actor
from .common import json_response, list_doc, make_blueprint, ok_doc, rules_doc
from .exports import Areas, negotiate, render

blp = make_blueprint("admin-areas", __name__, "Administrative areas with OCHA p-codes.")

ATTRIBUTION = "Source: UN OCHA / UNCS, Syrian Arab Republic COD-AB, via HDX (CC BY 3.0 IGO)"
# Boundaries change only when a gazetteer is loaded; the ETag says when.
CACHE_CONTROL = "public, max-age=3600"


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
    *admin_columns("pcode"),
    Column("centroid_lat", "#geo+lat"),
    Column("centroid_lon", "#geo+lon"),
)

LISTING = Listing("admin-areas", AdminAreaSchema, COLUMNS, geometry=centroid_geometry)


@blp.route("/admin-areas")
class AdminAreas(MethodView):
    @blp.arguments(AdminAreaQuerySchema, location="query")
    @blp.doc(**list_doc(AdminAreaPageSchema), **rules_doc(AdminAreaQuerySchema))
    def get(self, query):
        """List admin areas by p-code; filter by level, parent or name; GeoJSON boundaries."""
        current_actor().require(Scope.read)
        areas = list_areas(query.get("level"), query.get("parent"), query.get("q"))
        fmt = negotiate(query.get("format"))
        if fmt == "geojson":
            return _boundaries(areas, query.get("simplify") or 0.0)
        rows = AdminAreaSchema(many=True).dump(areas)
        return render(LISTING, fmt, [rows], None)


def _boundaries(areas: list, tolerance: float) -> Response:
    text, etag = feature_collection(areas, tolerance)
    gzipped = "gzip" in request.accept_encodings
    if etag in request.if_none_match:
        response = Response(status=304)
    elif gzipped:
        # Boundaries are most of a field office's download; compressed they are a quarter.
        response = Response(_gzip(etag, text), mimetype="application/geo+json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(text, mimetype="application/geo+json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["X-Attribution"] = ATTRIBUTION
    return response


_compressed: dict[str, bytes] = {}


def _gzip(etag: str, text: str) -> bytes:
    if etag not in _compressed:
        if len(_compressed) > 64:
            _compressed.clear()
        _compressed[etag] = gzip.compress(text.encode(), compresslevel=6, mtime=0)
    return _compressed[etag]


@blp.route("/admin-areas/locate")
class Locate(MethodView):
    @blp.arguments(LocateQuerySchema, location="query")
    @blp.doc(**ok_doc(LocateOutSchema, 400, 404))
    def get(self, query):
        """The admin areas containing a point, country to the deepest (sub-district)."""
        current_actor().require(Scope.read)
        chain = locate(query["lat"], query["lon"])
        if not chain:
            raise NotFound(f"no admin area contains the point ({query['lat']}, {query['lon']})")
        body = {"latitude": query["lat"], "longitude": query["lon"], "items": chain}
        return json_response(LocateOutSchema().dump(body))
