"""End to end in a real headless Chromium (the distribution's /usr/bin/chromium, driven by
Playwright): sign in, record a school strike in Idleb, find it on the dashboard and in the
verification queue, verify it. Screenshots go to tests/artifacts/ for people to look at."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from humanitarian.extensions import db
from humanitarian.models import Incident
from tests.support import unavailable

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TITLE_AR = "غارة جوية على مدرسة الأمل في مدينة إدلب"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing; `make browser` installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"Playwright is not installed (the `test` extra has it): {exc}")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The app on a real port, in a background thread, against the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url  # anonymous visitors land on the sign-in page
    page.fill("#email", email)
    page.fill("#password", "demo-password")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("[data-count='Incidents']")


def sign_out(page) -> None:
    page.click("form.who button")
    page.wait_for_selector("#email")


def fill_incident(page, *, killed: str, civilians: str) -> None:
    page.fill("#f-title", TITLE_AR)
    page.fill("#f-occurred_on", "2024-12-02")
    page.select_option("#f-event_type", "explosions_remote_violence")
    page.select_option("#f-sub_event_type", "air_drone_strike")
    page.select_option("#f-target_type", "school")
    page.select_option("#f-facility_id", label="Al-Amal school, Idleb city")
    page.fill("#f-admin_pcode", "SY0700")
    page.fill("#f-latitude", "35.931")
    page.fill("#f-longitude", "36.633")
    page.fill("#f-actor1", "Syrian and Russian air forces")
    page.fill("#f-killed", killed)
    page.fill("#f-injured", "9")
    page.fill("#f-civilians_killed", civilians)
    page.fill("#f-description", "أفاد الدفاع المدني السوري بوقوع إصابات بين المدنيين.")
    page.check("input[name=source_ids] >> nth=0")


def test_record_dashboard_review_verify(app, demo, live_server, page):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server
    sign_in(page, base, "reporter@demo.local")

    page.click("text=Record")
    page.click("text=An incident")
    # The area picker finds an area by its Arabic name and puts in the p-code.
    page.fill("#f-admin_pcode", "حارم")
    page.dispatch_event("#f-admin_pcode", "change")
    expect(page.locator("#f-admin_pcode")).to_have_value("SY0703")
    expect(page.locator("#f-admin_pcode ~ output")).to_contain_text("Harim")

    fill_incident(page, killed="2", civilians="4")
    page.click("text=Save incident")
    page.wait_for_selector("#form-errors")
    assert "Cannot exceed killed (2)." in page.inner_text("#civilians_killed-error")
    assert page.input_value("#f-title") == TITLE_AR  # what was typed is kept
    page.screenshot(path=str(ARTIFACTS / "incident-form-validation-error.png"), full_page=True)
    assert db.session.scalars(select(Incident).where(Incident.title == TITLE_AR)).all() == []

    page.fill("#f-civilians_killed", "2")
    page.click("text=Save incident")
    page.wait_for_selector("text=Incident recorded.")
    heading = page.locator("h1")
    assert heading.inner_text() == TITLE_AR
    assert heading.evaluate("e => getComputedStyle(e).direction") == "rtl"
    incident_id = page.url.rsplit("/", 1)[1]

    page.goto(base + "/?admin_pcode=SY07&since=2024-11-27&until=2024-12-04")
    assert page.locator(f"ul.recent li[data-incident='{incident_id}']").count() == 1
    assert page.locator(f"svg.map circle[data-incident='{incident_id}']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    sign_in(page, base, "verifier@demo.local")
    page.click("nav >> text=Review")
    row = page.locator(f"#queue-incidents tr[data-incident='{incident_id}']")
    assert row.locator("a").inner_text() == TITLE_AR
    row.locator("select[name=verification]").select_option("verified")
    row.locator("input[name=note]").fill("Confirmed by two sources")
    row.locator("button").click()
    page.wait_for_selector("text=Marked verified.")
    assert page.locator(f"#queue-incidents tr[data-incident='{incident_id}']").count() == 0

    db.session.expire_all()
    stored = db.session.scalars(select(Incident).where(Incident.title == TITLE_AR)).one()
    assert str(stored.id) == incident_id
    assert (stored.verification, stored.revision, stored.civilians_killed) == ("verified", 2, 2)
    assert stored.facility.name == "Al-Amal school, Idleb city"


def test_location_picker_fills_the_form_and_highlights_a_typed_area(app, demo, live_server, page):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, live_server, "reporter@demo.local")
    page.goto(live_server + "/incidents/new")
    picker = page.locator("#location-picker")
    page.wait_for_selector("#location-picker.ready")  # boundaries loaded from the API
    # Zoom in on Idleb city, then click where the school is.
    page.evaluate(
        "() => document.getElementById('location-picker').picker.map.setView([35.93, 36.63], 11, {animate: false})"
    )
    x, y = page.evaluate(
        "() => { const p = document.getElementById('location-picker').picker.map"
        ".latLngToContainerPoint([35.931, 36.633]); return [p.x, p.y]; }"
    )
    box = picker.locator(".picker-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.locator("#f-admin_pcode")).to_have_value("SY070000")  # Idleb sub-district
    assert abs(float(page.input_value("#f-latitude")) - 35.931) < 0.003
    assert abs(float(page.input_value("#f-longitude")) - 36.633) < 0.003
    expect(page.locator("#f-admin_pcode ~ output")).to_contain_text("Idleb")
    expect(picker).to_have_attribute("data-highlighted", "SY070000")
    assert page.locator("#location-picker path.picker-highlight").count() == 1
    picker.screenshot(path=str(ARTIFACTS / "location-picker-click.png"))

    # Typing a name resolves it to its p-code and outlines that area on the map.
    page.fill("#f-admin_pcode", "Harim")
    page.dispatch_event("#f-admin_pcode", "change")
    expect(page.locator("#f-admin_pcode")).to_have_value("SY0703")
    expect(picker).to_have_attribute("data-highlighted", "SY0703")
    expect(picker.locator(".picker-status")).to_contain_text("حارم")
    picker.screenshot(path=str(ARTIFACTS / "location-picker-typed.png"))

    # The clicked point is not in Harim: saving is refused, naming both areas.
    page.fill("#f-title", "Strike near the school")
    page.select_option("#f-event_type", "explosions_remote_violence")
    page.click("text=Save incident")
    page.wait_for_selector("#form-errors")
    message = page.inner_text("#admin_pcode-error")
    assert "Harim (SY0703)" in message and "Idleb (SY0700)" in message
    assert page.input_value("#f-latitude").startswith("35.93")  # kept as typed
    page.wait_for_selector("#location-picker.ready")
    expect(picker).to_have_attribute("data-highlighted", "SY0703")
    page.screenshot(path=str(ARTIFACTS / "location-picker-refused.png"), full_page=True)


def _page_urls(base: str) -> dict[str, str]:
    """Every page of the site, named for its screenshot, with a record of each kind."""
    from humanitarian.models import Facility, PopulationMovement

    incident = db.session.scalars(select(Incident).order_by(Incident.title)).first()
    facility = db.session.scalars(select(Facility).order_by(Facility.name)).first()
    movement = db.session.scalars(select(PopulationMovement)).first()
    pages = {
        "dashboard-admin": "/?admin_pcode=SY02&since=2024-11-27&until=2024-12-04",
        "incidents": "/incidents",
        "incident-detail": f"/incidents/{incident.id}",
        "incident-new": "/incidents/new",
        "incident-correct": f"/incidents/{incident.id}/correct",
        "facilities": "/facilities",
        "facility-detail": f"/facilities/{facility.id}",
        "facility-new": "/facilities/new",
        "facility-status-pick": "/facilities/status",
        "facility-status-new": f"/facilities/{facility.id}/statuses/new",
        "movements": "/movements",
        "movement-detail": f"/movements/{movement.id}",
        "movement-new": "/movements/new",
        "record": "/record",
        "review": "/review",
        "sitreps": "/sitreps/",
        "audit": "/admin/audit",
        "api-docs": "/api/v1/docs",
    }
    return {name: base + path for name, path in pages.items()}


def test_every_page_renders_without_console_errors(app, demo, live_server, page):
    """Each page as an admin sees it, screenshotted to tests/artifacts/pages/, with no error
    in the browser's console (a missing favicon used to be one on every page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    folder = ARTIFACTS / "pages"
    folder.mkdir(exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    page.goto(live_server + "/login")
    page.screenshot(path=str(folder / "login.png"), full_page=True)
    sign_in(page, live_server, "admin@demo.local")
    for name, url in _page_urls(live_server).items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert problems == []
    # The sitreps filter's button is a button's height, not the whole form's.
    page.goto(live_server + "/sitreps/")
    button = page.locator("form.filters button[type=submit]").bounding_box()
    form = page.locator("form.filters").bounding_box()
    assert button["height"] < 48 and button["height"] < form["height"] / 2
