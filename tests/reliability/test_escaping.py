"""Free text is data everywhere: markup typed into a title, name or reason is shown as text on
web pages and in sitrep PDFs, returned unchanged as JSON, and formula-looking cells are
neutralised in CSV and HXL exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from humanitarian.extensions import db
from humanitarian.models.enums import Scope, Sensitivity, SourceType
from humanitarian.services import (
    Actor,
    Location,
    correct_incident,
    create_facility,
    create_token,
    ensure_source,
    generate_sitrep,
    record_incident,
    record_movement,
    set_infrastructure_status,
    sitrep_pdf_path,
)
from tests import factories as f
from tests.reports.conftest import pdf_text
from tests.web.conftest import Staff, hidden

pytestmark = pytest.mark.reliability

# Closes an attribute, opens a tag, and brings a script: the classic probe.
MARKUP = '"><b>bold</b><script>x</script>'
ESCAPED_SCRIPT = "&lt;script&gt;x&lt;/script&gt;"
# The PDF probe from the sitrep requirement: rendered as markup it would print "bold" alone.
PDF_TITLE = "<b>bold</b><script>x</script>"


@pytest.fixture
def system():
    return f.actor(Sensitivity.restricted, scopes=("read", "append", "verify"))


@pytest.fixture
def marked_up(app, system) -> dict:
    """One record of each kind with markup in every free-text field a person can type."""
    source = ensure_source(f"{MARKUP} source", SourceType.ngo)
    db.session.commit()
    facility = create_facility(
        system,
        f.facility(
            name=f"{MARKUP} clinic", name_ar=f"{MARKUP} عيادة", description=f"{MARKUP} about"
        ),
    )
    fields = dict(
        description=f"{MARKUP} description",
        actor1=f"{MARKUP} actor1",
        actor2=f"{MARKUP} actor2",
        perpetrator_claimed_by=f"{MARKUP} claimed",
        source_ids=[source.id],
        facility_id=facility.id,
    )
    incident = record_incident(system, f.incident(title=f"{MARKUP} title", **fields))
    correct_incident(
        system, incident.id, f.incident(title=f"{MARKUP} corrected", **fields), f"{MARKUP} reason"
    )
    status = set_infrastructure_status(
        system,
        facility.id,
        f.status(
            "damaged",
            reason=f"{MARKUP} status reason",
            details=f"{MARKUP} details",
            controlled_by=f"{MARKUP} controller",
            source_ids=[source.id],
        ),
    )
    movement = record_movement(system, f.movement(description=f"{MARKUP} movement"))
    return {
        "incident": incident.id,
        "facility": facility.id,
        "status": status.id,
        "movement": movement.id,
    }


def _assert_escaped(html: str, *fragments: str) -> None:
    assert "<script>x</script>" not in html and '"><b>' not in html
    assert ESCAPED_SCRIPT in html
    for fragment in fragments:
        assert fragment in html, fragment


def test_web_pages_show_markup_as_text(sign_in, marked_up):
    admin = sign_in("admin")
    i, fac, mov = marked_up["incident"], marked_up["facility"], marked_up["movement"]
    escaped = "&#34;&gt;&lt;b&gt;bold&lt;/b&gt;" + ESCAPED_SCRIPT
    pages = {
        "/": ("corrected", "clinic"),
        "/incidents": ("corrected",),
        f"/incidents/{i}": ("corrected", "reason", "description", "actor1", "claimed", "source"),
        f"/incidents/{i}/correct": ("corrected",),
        "/facilities": ("clinic", "details"),
        f"/facilities/{fac}": ("clinic", "عيادة", "status reason", "controller"),
        "/facilities/status": ("clinic",),
        f"/facilities/{fac}/statuses/new": ("clinic",),
        f"/movements/{mov}": ("movement",),
        "/review": ("corrected", "clinic"),
    }
    for path, words in pages.items():
        html = admin.page(path)
        _assert_escaped(html, *(f"{escaped} {word}" for word in words))


def test_echoed_form_input_and_messages_are_escaped(sign_in, marked_up):
    admin = sign_in("admin")
    # A refused form is drawn again with what was typed, inside value="..." attributes.
    response = admin.submit(
        "/incidents/new", {"title": MARKUP, "occurred_on": "not a date", "event_type": MARKUP}
    )
    assert response.status_code == 422
    _assert_escaped(response.get_data(as_text=True))
    # A refused verification comes back as a flash message naming the unknown field.
    html = admin.page("/review")
    response = admin.client.post(
        f"/review/incidents/{marked_up['incident']}",
        data={"verification": "verified", MARKUP: "1", "csrf_token": hidden(html, "csrf_token")},
    )
    assert response.status_code == 303
    _assert_escaped(admin.page("/review"))
    # A failed sign-in keeps the typed email.
    visitor = Staff(admin.client.application.test_client())
    response = visitor.login(MARKUP + "@example.org", "wrong password!")
    _assert_escaped(response.get_data(as_text=True))


def test_api_returns_markup_unchanged_as_json(client, marked_up, system):
    _, secret = create_token(Actor.system(), "Partner", [Scope.read], Sensitivity.partner)
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.get(f"/api/v1/incidents/{marked_up['incident']}", headers=headers)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["title"] == f"{MARKUP} corrected"
    revisions = client.get(f"/api/v1/incidents/{marked_up['incident']}/revisions", headers=headers)
    assert [r["reason"] for r in revisions.get_json()["items"]][-1] == f"{MARKUP} reason"
    history = client.get(f"/api/v1/facilities/{marked_up['facility']}/statuses", headers=headers)
    assert history.get_json()["items"][0]["details"] == f"{MARKUP} details"


def test_sitrep_pdf_prints_markup_as_text(app, system):
    facility = create_facility(
        system,
        f.facility(name="<i>Idleb</i> <u>clinic</u>", location=Location("SY0700", 35.9, 36.6, 1)),
    )
    set_infrastructure_status(
        system,
        facility.id,
        f.status(
            "closed",
            datetime(2024, 12, 2, 9, tzinfo=UTC),
            reason="<script>alert(1)</script> shelling",
        ),
    )
    record_incident(
        system,
        f.incident(
            title=PDF_TITLE,
            killed=40,
            injured=90,
            location=Location("SY0700", 35.93, 36.63, 1),
            sensitivity=Sensitivity.public,
        ),
    )
    sitrep = generate_sitrep(
        Actor.system("test"), "SY07", date(2024, 11, 27), date(2024, 12, 4), "restricted"
    )
    text = pdf_text(sitrep_pdf_path(Actor.system("test"), sitrep.id))
    assert PDF_TITLE in text  # the tags printed as characters, the script's text visible
    assert "<i>Idleb</i> <u>clinic</u>" in text
    assert "<script>alert(1)</script> shelling" in text


# --- spreadsheets ---------------------------------------------------------------------------

FORMULAS = ('=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1", "\r=1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formulas(app, system) -> None:
    first = ensure_source(FORMULAS[0], SourceType.media)
    db.session.commit()
    for n, text in enumerate(FORMULAS):
        facility = create_facility(
            system, f.facility(name=f"{text} {n}", name_ar=text, location=Location("SY0700"))
        )
        set_infrastructure_status(
            system, facility.id, f.status("closed", details=text, controlled_by=text)
        )
        record_incident(
            system,
            f.incident(
                title=f"{text} incident",
                description=text,
                actor1=text,
                actor2=text,
                perpetrator_claimed_by=text,
                source_ids=[first.id],
                location=Location("SY0700", 35.9, 36.55 if n == 0 else 36.6, 1),
            ),
        )
        record_movement(system, f.movement(description=text))


def _cells(text: str, hxl: bool) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    body = rows[2:] if hxl else rows[1:]
    if hxl:
        assert rows[1][0] == "#meta+id"
    return [dict(zip(header, row, strict=True)) for row in body]


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
@pytest.mark.parametrize("limit", ["50", "all"])
@pytest.mark.parametrize("resource", ["incidents", "facilities", "movements"])
def test_no_cell_starts_a_formula(client, formulas, fmt, limit, resource):
    _, secret = create_token(Actor.system(), "Partner", [Scope.read], Sensitivity.restricted)
    response = client.get(
        f"/api/v1/{resource}?format={fmt}&limit={limit}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    rows = _cells(response.get_data(as_text=True), fmt == "hxl")
    assert len(rows) == len(FORMULAS)
    neutralised = 0
    for row in rows:
        for name, value in row.items():
            if value.startswith(FORMULA_START):
                assert _is_number(value), (resource, name, value)  # e.g. longitude 36.55
            neutralised += value.startswith("'") and value[1:].startswith(FORMULA_START)
    per_row = {"incidents": 6, "facilities": 4, "movements": 1}[resource]
    assert neutralised == per_row * len(FORMULAS)
