"""Turning service results into what templates show: output-schema dumps (for the signed-in
reader, as the API dumps them), area names, labels and pagination links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request, url_for
from marshmallow import Schema

from ..models.enums import ACLED_LABELS, condition_level, describe_condition
from ..services import RecordFilter, list_areas, list_facilities, list_sources
from ..services.visibility import ReaderView
from .access import current_actor
from .blueprint import bp

bp.add_app_template_filter(describe_condition, "condition")
bp.add_app_template_filter(condition_level, "condition_level")


def dump(schema_cls: type[Schema], items, *, many: bool = True):
    """Records as the API would serve them to this user (``services.visibility`` decides what
    of their location and links the user sees)."""
    return schema_cls(many=many, reader=current_actor()).dump(items)


def snapshots_as_seen(snapshots: list[dict]) -> list[dict]:
    """Revision snapshots (stored locations and links) as this user sees them."""
    view = ReaderView(current_actor())
    return [view.snapshot(data) for data in snapshots]


def area_index() -> dict:
    """p-code → AdminArea for naming areas in lists (reference data, small)."""
    return {a.pcode: a for a in list_areas()}


def area_choices() -> list:
    return [a for a in list_areas() if a.level <= 3]


# Pickers list at most this many facilities, alphabetically; past it they say so and the
# user searches by name (the facilities page, /lookup/facilities.json).
PICK_LIMIT = 1000


@dataclass
class Choices:
    items: list
    more: bool  # there are more than ``limit``: the picker says so and offers a search
    limit: int


def facility_choices(name: str | None = None, limit: int | None = None) -> Choices:
    """The first facilities the user may pick (name containing ``name``, alphabetically)."""
    limit = limit or PICK_LIMIT
    filters = RecordFilter(name=name or None)
    rows = list_facilities(current_actor(), filters, limit=limit + 1).items
    return Choices(rows[:limit], len(rows) > limit, limit)


def source_choices() -> list:
    return list_sources()


def page_links(page) -> str | None:
    """The 'next' link of a keyset page: same filters, the page's cursor."""
    if not page.next_cursor:
        return None
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    args.append(("cursor", page.next_cursor))
    return f"{request.path}?{urlencode(args)}"


def query_without(*names: str) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in names]
    return urlencode(args)


@bp.app_template_filter("label")
def label(value) -> str:
    """Stored vocabulary values as words: ACLED's own names for event and sub-event types
    ('air_drone_strike' → 'Air/drone strike'), otherwise 'partially_verified' → 'Partially
    verified'."""
    if value is None or value == "":
        return "—"
    raw = str(getattr(value, "value", value))
    if raw in LABELS:
        return LABELS[raw]
    text = raw.replace("_", " ")
    return text[:1].upper() + text[1:]


LABELS = {**ACLED_LABELS, "ngo": "NGO", "un": "UN"}


@bp.app_template_filter("number")
def number(value) -> str:
    if value is None:
        return "unknown"
    return f"{value:,}"


@bp.app_template_global("area_url")
def area_url(pcode: str) -> str:
    return url_for("web.dashboard", admin_pcode=pcode)
