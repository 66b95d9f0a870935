"""Imports on the web: upload, the job page with progress, counts and refused rows; incidents
flagged as civilian targeting on the form."""

import io
from pathlib import Path

from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.kinds.imports import run_pending_imports
from humanitarian.models import Incident

from .conftest import hidden

DATA = Path(__file__).parent.parent / "data"


def _upload(person, content: bytes, **fields):
    html = person.page("/imports")
    data = {
        "csrf_token": hidden(html, "csrf_token"),
        "idempotency_key": hidden(html, "idempotency_key"),
        "file": (io.BytesIO(content), "export.csv"),
        **fields,
    }
    return person.client.post("/imports", data=data, content_type="multipart/form-data")


def test_upload_then_follow_the_job(sign_in):
    reporter = sign_in("reporter")
    response = _upload(
        reporter, (DATA / "acled" / "export-2024-12-05.csv").read_bytes(), format="acled"
    )
    assert response.status_code == 303
    job_url = response.headers["Location"]
    waiting = reporter.page(job_url)
    assert 'id="import-state">pending' in waiting and 'http-equiv="refresh"' in waiting
    run_pending_imports()
    done = reporter.page(job_url)
    assert 'id="import-state">succeeded' in done and "6 of 6 rows" in done
    assert "<td>6</td><td>0</td><td>0</td><td>0</td><td>0</td>" in done
    assert "export.csv" in reporter.page("/imports")
    viewer = sign_in("viewer")
    assert viewer.get(job_url).status_code == 403


def test_refused_rows_are_listed_by_line_and_column(sign_in):
    reporter = sign_in("reporter")
    lines = (DATA / "hxl" / "incidents-shuffled.csv").read_text().splitlines(True)
    bad = lines[2].replace(",market,", ",bakery,")
    response = _upload(reporter, "".join([*lines[:2], bad]).encode(), format="hxl")
    run_pending_imports()
    page = reporter.page(response.headers["Location"])
    assert 'id="import-state">failed' in page and "nothing was written" in page
    assert "<td>3</td><td>#loc+type</td>" in page
    assert db.session.scalars(select(Incident)).first() is None


def test_the_form_refuses_a_missing_file(sign_in):
    reporter = sign_in("reporter")
    html = reporter.page("/imports")
    response = reporter.client.post(
        "/imports",
        data={"csrf_token": hidden(html, "csrf_token"), "format": "hxl"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "Choose a file." in response.get_data(as_text=True)


def test_civilian_targeting_on_the_incident_form(sign_in):
    reporter = sign_in("reporter")
    form = {
        "title": "Air strike hits a school in Idleb city",
        "occurred_on": "2024-12-02",
        "event_type": "explosions_remote_violence",
        "sub_event_type": "air_drone_strike",
        "target_type": "school",
        "admin_pcode": "SY0700",
        "civilian_targeting": "true",
        "sensitivity": "public",
    }
    assert reporter.submit("/incidents/new", form).status_code == 303
    incident = db.session.scalars(select(Incident)).one()
    assert incident.civilian_targeting is True
    detail = reporter.page(f"/incidents/{incident.id}")
    assert 'id="civilian-targeting">Yes' in detail
    listed = reporter.page("/incidents?civilian_targeting=true")
    assert "civilians targeted" in listed and str(incident.id) in listed
    assert str(incident.id) not in reporter.page("/incidents?civilian_targeting=false")
    correct = reporter.page(f"/incidents/{incident.id}/correct")
    assert 'name="civilian_targeting" value="true" checked' in correct
