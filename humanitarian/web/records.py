"""The pages every record kind has, written once against its ``Kind``: the filtered list and
the entry form. A kind's own module routes to them and adds what is particular to it."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from ..kinds import Kind
from .access import current_actor
from .forms import form_page, run_list
from .maps import listing_map
from .present import area_index, dump, page_links


def list_page(kind: Kind, **context: Any):
    """``<kind>/list.html``: one page of the kind's records, filtered by its query schema as
    in the API; the records are passed under the kind's name (``incidents``…), with the map of
    the same filters (``maps.listing_map``)."""
    actor = current_actor()
    listing = run_list(kind.query_schema(), kind.page, actor, request.args)
    rows = dump(kind.out_schema, kind.presented(actor, listing.items))
    return render_template(
        f"{kind.name}/list.html",
        listing=listing,
        map=listing_map(actor, kind.name, listing, rows),
        next_url=page_links(listing),
        areas=area_index(),
        **{kind.name: rows},
        **kind.choices,
        **context,
    ), 400 if listing.form.errors else 200


def new_record_page(kind: Kind, *, initial: dict | None = None, **context: Any):
    """``<kind>/form.html``: record one with the kind's input schema and append service, then
    go to its page."""
    actor = current_actor()

    def write(data, report) -> str:
        return kind.detail.url(kind.append(actor, data, report=report))

    return form_page(
        actor,
        kind.in_schema(),
        f"{kind.name}/form.html",
        write,
        initial={"sensitivity": "public", **(initial or {})},
        saved=kind.saved,
        **context,
    )
