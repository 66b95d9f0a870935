"""Records above a reader's grant never show: not in lists, detail pages, counts, /summary,
CSV/HXL/GeoJSON exports, the dashboard, web lists and forms, revision histories, sitreps or
error messages. Every record carries a marker string and distinctive figures, and every
response a reader gets is searched for the markers, figures, totals and ids it must not see.
"""

from __future__ import annotations

import re

import pytest

from tests.reports.conftest import pdf_text

from .callers import CALLER
from .data import (
    AREA,
    DISPLACED,
    KILLED,
    MARK,
    PERIOD,
    SENSITIVITIES,
    STATUS_ROWS,
    expected_summary,
    number_forms,
    up_to,
)
from .leaks import Secrets, secrets_for
from .world import World

READERS = ("public", "partner")  # the grants that have something to miss
SINCE, UNTIL = (d.isoformat() for d in PERIOD)
AREA_PERIOD = f"admin_pcode={AREA}&since={SINCE}&until={UNTIL}"
FORMATS = ("json", "csv", "hxl", "geojson")


def api_paths(world: World, grant: str) -> dict[str, set[str]]:
    """Every API read for a reader with ``grant``, with the markers each must show."""
    seen = up_to(grant)
    shown = {MARK[s] for s in seen}
    paths: dict[str, set[str]] = {}
    for resource in ("incidents", "facilities", "movements"):
        for fmt in FORMATS:
            paths[f"/api/v1/{resource}?format={fmt}"] = shown
        paths[f"/api/v1/{resource}?format=csv&limit=all"] = shown
        paths[f"/api/v1/{resource}?format=json&{AREA_PERIOD}"] = shown
    for s in seen:
        mark = {MARK[s]}
        paths[f"/api/v1/incidents/{world.incidents[s]}"] = mark
        paths[f"/api/v1/incidents/{world.incidents[s]}/revisions"] = mark
        paths[f"/api/v1/facilities/{world.facilities[s]}"] = mark
        paths[f"/api/v1/facilities/{world.facilities[s]}/statuses"] = mark
        paths[f"/api/v1/movements/{world.movements[s]}"] = mark
    killed = expected_summary(grant)["killed"]
    paths["/api/v1/summary"] = {str(killed)}
    paths[f"/api/v1/summary?{AREA_PERIOD}"] = {str(killed)}
    return paths


def web_paths(world: World, grant: str) -> dict[tuple[str, str], set[str]]:
    """Every page for staff with ``grant``: (role, path) → markers the page must show."""
    seen = up_to(grant)
    shown = {MARK[s] for s in seen}
    figure = {f"{sum(DISPLACED[s] for s in seen):,}"}
    pages: dict[tuple[str, str], set[str]] = {
        ("viewer", "/"): figure,
        ("viewer", f"/?{AREA_PERIOD}"): shown | figure,
        ("viewer", "/incidents"): shown,
        ("viewer", "/facilities"): shown,
        ("viewer", "/movements"): {f"{DISPLACED[s]:,}" for s in seen},
        ("viewer", f"/incidents?{AREA_PERIOD}"): shown,
        ("viewer", "/sitreps/"): set(),
        ("reporter", "/incidents/new"): shown,  # the facility picker
        ("reporter", "/facilities/status"): shown,
        ("verifier", "/review"): shown,
    }
    for s in seen:
        pages[("viewer", f"/incidents/{world.incidents[s]}")] = {MARK[s]}
        pages[("viewer", f"/facilities/{world.facilities[s]}")] = {MARK[s]}
        pages[("viewer", f"/movements/{world.movements[s]}")] = {MARK[s]}
        pages[("reporter", f"/facilities/{world.facilities[s]}/statuses/new")] = {MARK[s]}
        if grant != "public":  # public grants may not correct located records (403)
            pages[("reporter", f"/incidents/{world.incidents[s]}/correct")] = {MARK[s]}
    return pages


def everything(response) -> str:
    """Headers and body: a cursor or a link in a header is output too."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n\n" + response.get_data(as_text=True)


def assert_clean(body: str, secrets: Secrets, shows: set[str], where: str) -> None:
    leaked = secrets.found_in(body)
    assert not leaked, f"{where} shows what the reader may not see: {leaked}"
    missing = sorted(m for m in shows if m not in body)
    assert not missing, f"{where} lacks what the reader may see: {missing}"


@pytest.mark.parametrize(
    "who, grant",
    [("anonymous", "public"), ("token read/public", "public"), ("token read/partner", "partner")],
)
def test_api_reads_show_nothing_above_the_grant(world, who, grant):
    client = world.client(CALLER[who])
    secrets = secrets_for(world, grant)
    for path, shows in api_paths(world, grant).items():
        response = client.request("GET", path)
        assert response.status_code == 200, (path, response.status_code)
        assert_clean(everything(response), secrets, shows, path)


@pytest.mark.parametrize("grant", READERS)
def test_web_pages_show_nothing_above_the_grant(world, grant):
    secrets = secrets_for(world, grant)
    for (role, path), shows in web_paths(world, grant).items():
        response = world.client(CALLER[f"user {role}/{grant}"]).request("GET", path)
        assert response.status_code == 200, (role, path, response.status_code)
        assert_clean(everything(response), secrets, shows, f"{role}: {path}")


@pytest.mark.parametrize("grant", SENSITIVITIES)
def test_lists_hold_exactly_the_visible_records(world, grant):
    client = world.client(CALLER[f"token read/{grant}"])
    for resource, table in (
        ("incidents", world.incidents),
        ("facilities", world.facilities),
        ("movements", world.movements),
    ):
        page = client.request("GET", f"/api/v1/{resource}?limit=1000").get_json()
        assert {item["id"] for item in page["items"]} == {str(table[s]) for s in up_to(grant)}
        # A page exactly as long as the visible records has no next page: the hidden ones are
        # not counted either.
        exact = client.request("GET", f"/api/v1/{resource}?limit={len(up_to(grant))}")
        assert exact.get_json()["next_cursor"] is None, resource


@pytest.mark.parametrize("grant", SENSITIVITIES)
def test_summary_figures_count_only_visible_records(world, grant):
    summary = world.client(CALLER[f"token read/{grant}"]).request(
        "GET", f"/api/v1/summary?{AREA_PERIOD}"
    )
    figures = summary.get_json()
    expected = expected_summary(grant)
    assert {k: figures[k] for k in expected} == expected
    changes = {c["details"] for c in figures["latest_status_changes"]}
    assert changes == {r.mark for r in STATUS_ROWS if r.level in up_to(grant)}


@pytest.mark.parametrize("grant", SENSITIVITIES)
def test_dashboard_figures_count_only_visible_records(world, grant):
    html = world.client(CALLER[f"user viewer/{grant}"]).request("GET", f"/?{AREA_PERIOD}")
    shown = dict(re.findall(r'data-count="([^"]+)">([^<]*)<', html.get_data(as_text=True)))
    expected = expected_summary(grant)
    assert shown["Incidents"] == str(expected["incidents_total"])
    assert shown["Killed"] == str(expected["killed"])
    assert shown["Injured"] == str(expected["injured"])
    assert shown["Displaced"] == f"{expected['displaced_individuals']:,}"


@pytest.mark.parametrize("grant", READERS)
def test_revision_history_leaves_out_revisions_above_the_grant(world, grant):
    """The public incident began as a restricted draft; its readers see only the revision
    that made it public, in the API and on its page, numbered 1 (a 2 would tell them of the
    draft)."""
    client = world.client(CALLER[f"token read/{grant}"])
    history = client.request("GET", f"/api/v1/incidents/{world.incidents['public']}/revisions")
    assert [r["revision"] for r in history.get_json()["items"]] == [1]
    staff = world.client(CALLER[f"user viewer/{grant}"])
    page = staff.request("GET", f"/incidents/{world.incidents['public']}").get_data(as_text=True)
    assert "cleared for publication" in page
    assert_clean(page, secrets_for(world, grant), {MARK["public"]}, "incident page")


def test_restricted_readers_see_everything(world):
    """The control: what the other tests search for does show when the grant allows, and the
    search finds it."""
    client = world.client(CALLER["token read/restricted"])
    body = client.request("GET", "/api/v1/incidents?format=csv").get_data(as_text=True)
    assert all(MARK[s] in body for s in SENSITIVITIES)
    assert set(secrets_for(world, "public").found_in(body)) >= {
        MARK["restricted"],
        str(world.incidents["restricted"]),
        *number_forms(KILLED["restricted"]) & {str(KILLED["restricted"])},
    }
    history = client.request("GET", f"/api/v1/incidents/{world.incidents['public']}/revisions")
    assert [r["revision"] for r in history.get_json()["items"]] == [1, 2]


@pytest.mark.parametrize("grant", READERS)
def test_sitreps_hold_nothing_above_their_edition(world, grant):
    """A sitrep of an edition, downloaded by staff of that grant, parsed back to text."""
    staff = world.client(CALLER[f"user viewer/{grant}"])
    listing = staff.request("GET", "/sitreps/").get_data(as_text=True)
    assert str(world.sitreps[grant]) in listing
    assert_clean(listing, secrets_for(world, grant), set(), "/sitreps/")
    pdf = staff.request("GET", f"/sitreps/{world.sitreps[grant]}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.get_data())
    expected = expected_summary(grant)
    shows = {MARK[s] for s in up_to(grant)} | {f"{expected['displaced_individuals']:,}"}
    assert_clean(text, secrets_for(world, grant), shows, f"{grant} sitrep")


def test_api_sitrep_listing_and_download(world, _app):
    """Once the API serves sitreps: the list and the PDF hold only the caller's editions."""
    from .checks import present
    from .matrix import ROW

    present(_app, ROW[("GET", "/api/v1/sitreps")])
    anonymous = world.client(CALLER["anonymous"])
    listing = anonymous.request("GET", "/api/v1/sitreps")
    assert listing.status_code == 200
    assert {i["id"] for i in listing.get_json()["items"]} == {str(world.sitreps["public"])}
    assert_clean(listing.get_data(as_text=True), secrets_for(world, "public"), set(), "list")
    pdf = anonymous.request("GET", f"/api/v1/sitreps/{world.sitreps['public']}.pdf")
    assert pdf.status_code == 200
    assert_clean(pdf_text(pdf.get_data()), secrets_for(world, "public"), {MARK["public"]}, "pdf")


def test_figures_are_found_only_as_whole_numbers():
    """The search for figures ignores digits inside ids, tokens and longer numbers."""
    secrets = Secrets(frozenset(), frozenset(number_forms(6427)))
    assert secrets.found_in('{"killed": 6427}') and secrets.found_in("<td>6,427</td>")
    assert secrets.found_in("id,6427,9151")
    for noise in ("a8c1-6427-4bd1", "hum_x6427y", "164270", "6427.5", "v=1.6427", "16,427"):
        assert not secrets.found_in(noise), noise


@pytest.mark.parametrize("grant", READERS)
def test_scheduler_panel_shows_no_runs_of_editions_above_the_grant(world, grant):
    """Admins see the generation attempts on /sitreps/; an attempt for an edition above their
    grant would tell them that such a sitrep exists."""
    html = world.client(CALLER[f"user admin/{grant}"]).request("GET", "/sitreps/")
    runs = re.search(r'<table class="runs">.*?</table>', html.get_data(as_text=True), re.S)
    assert runs, "the panel lists the seeded generations"
    editions = set(re.findall(r"</td><td>(public|partner|restricted)</td>", runs.group(0)))
    assert editions == set(up_to(grant))
