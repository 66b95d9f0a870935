"""/sitreps: the archive, generate-now with the verify scope, and PDF downloads with checksums."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Report, Sitrep, SitrepTrigger
from humanitarian.models.enums import Sensitivity
from tests.reports.conftest import pdf_text

ALEPPO = {"admin_pcode": "SY02", "period_start": "2024-11-27", "period_end": "2024-12-04"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_verifier_token_generates_a_sitrep_and_downloads_its_pdf(client, demo, make_token):
    verifier = make_token("read,verify", "partner")
    response = client.post("/api/v1/sitreps", json=ALEPPO, headers=verifier.headers)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Sitrep-Status"] == "generated"
    body = response.get_json()
    assert body["admin_pcode"] == "SY02" and body["audience"] == "public"
    assert (body["period_start"], body["period_end"]) == ("2024-11-27", "2024-12-04")
    assert body["trigger"] == "api" and body["page_count"] >= 1
    assert response.headers["Location"] == body["pdf_url"] == f"/api/v1/sitreps/{body['id']}.pdf"
    (generated,) = _audit("sitrep.generate")
    assert generated.api_token_id == verifier.id and generated.entity_id == body["id"]
    assert generated.request_id == response.headers["X-Request-ID"]

    pdf = client.get(body["pdf_url"], headers=verifier.headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    digest = hashlib.sha256(pdf.data).digest()
    assert digest.hex() == body["checksum_sha256"]
    assert pdf.headers["ETag"] == f'"{digest.hex()}"'
    assert pdf.headers["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert "private" in pdf.headers["Cache-Control"]
    text = pdf_text(pdf.data)
    assert "Aleppo" in text and "Aleppo International Airport" in text
    (download,) = _audit("sitrep.download")
    assert download.request_id == pdf.headers["X-Request-ID"]
    # A client holding this version is told it has not changed.
    again = client.get(body["pdf_url"], headers={**verifier.headers, "If-None-Match": digest.hex()})
    assert again.status_code == 304

    # Asking again for the same area, period and edition returns the archived sitrep.
    repeat = client.post("/api/v1/sitreps", json=ALEPPO, headers=verifier.headers)
    assert repeat.status_code == 201 and repeat.headers["Sitrep-Status"] == "archived"
    assert repeat.get_json() == body
    assert _count(Sitrep) == 1


def test_idempotency_key_replays_and_refuses_another_body(client, app, make_token):
    verifier = make_token("read,verify", "partner")
    key = {"Idempotency-Key": "sitrep-sy07-week-48"}
    request = {"admin_pcode": "SY07", "period_start": "2024-11-27", "period_end": "2024-12-04"}
    first = client.post("/api/v1/sitreps", json=request, headers={**verifier.headers, **key})
    assert first.status_code == 201
    replay = client.post("/api/v1/sitreps", json=request, headers={**verifier.headers, **key})
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert replay.headers["Location"] == first.headers["Location"]
    other = {**request, "audience": "partner"}
    conflict = client.post("/api/v1/sitreps", json=other, headers={**verifier.headers, **key})
    assert conflict.status_code == 409
    assert conflict.content_type == "application/problem+json"
    assert _count(Sitrep) == 1
    report = db.session.scalars(
        select(Report).where(Report.idempotency_key == key["Idempotency-Key"])
    ).one()
    assert report.api_token_id == verifier.id and report.response_status == 201


def _archived(app, pcode, start, end, audience="public", generated_at=None) -> Sitrep:
    """An archived sitrep whose 'PDF' is a small file with the right checksum: enough for the
    archive, listing and access rules (real rendering is tested above and in tests/reports)."""
    content = f"%PDF-1.4 {pcode} {start} {end} {audience}\n".encode()
    relative = f"{pcode}/{pcode}_{start}_{end}_{audience}.pdf"
    target = Path(app.config["SITREP_DIR"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    sitrep = Sitrep(
        admin_pcode=pcode,
        period_start=date.fromisoformat(start),
        period_end=date.fromisoformat(end),
        audience=Sensitivity(audience),
        title=f"{pcode} sitrep",
        file_path=relative,
        checksum_sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        page_count=1,
        trigger=SitrepTrigger.schedule,
        generated_at=generated_at or datetime.now(UTC),
        generated_by="scheduler",
    )
    db.session.add(sitrep)
    db.session.commit()
    return sitrep


@pytest.fixture
def archive_rows(app):
    base = datetime(2024, 12, 5, 6, tzinfo=UTC)
    rows = {}
    specs = [
        ("aleppo-week", "SY02", "2024-11-27", "2024-12-03", "public"),
        ("jebel-day", "SY0200", "2024-12-03", "2024-12-03", "public"),
        ("idleb-week", "SY07", "2024-11-27", "2024-12-03", "public"),
        ("idleb-partner", "SY07", "2024-11-27", "2024-12-03", "partner"),
        ("idleb-restricted", "SY07", "2024-11-27", "2024-12-03", "restricted"),
        ("hama-october", "SY05", "2024-10-01", "2024-10-31", "public"),
    ]
    for minutes, (name, pcode, start, end, audience) in enumerate(specs):
        rows[name] = _archived(
            app, pcode, start, end, audience, base + timedelta(minutes=minutes)
        ).id
    return {name: str(ident) for name, ident in rows.items()}


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_list_is_newest_first_within_the_callers_grant(client, make_token, archive_rows):
    r = archive_rows
    public = [r["hama-october"], r["idleb-week"], r["jebel-day"], r["aleppo-week"]]
    assert _ids(client.get("/api/v1/sitreps")) == public
    partner = make_token("read", "partner")
    assert _ids(client.get("/api/v1/sitreps", headers=partner.headers)) == [
        r["hama-october"],
        r["idleb-partner"],
        *public[1:],
    ]
    restricted = make_token("read", "restricted")
    assert r["idleb-restricted"] in _ids(client.get("/api/v1/sitreps", headers=restricted.headers))


def test_list_filters(client, make_token, archive_rows):
    r, token = archive_rows, make_token("read", "restricted").headers

    def ids(query):
        return set(_ids(client.get(f"/api/v1/sitreps?{query}", headers=token)))

    assert ids("admin_pcode=SY02") == {r["aleppo-week"], r["jebel-day"]}  # and sub-areas
    assert ids("admin_pcode=SY07&audience=partner") == {r["idleb-partner"]}
    assert ids("since=2024-11-01&until=2024-11-30") == {
        r[n] for n in ("aleppo-week", "idleb-week", "idleb-partner", "idleb-restricted")
    }
    assert ids("since=2024-12-03&admin_pcode=SY0200") == {r["jebel-day"]}
    assert ids("until=2024-10-15") == {r["hama-october"]}


def test_list_pages_with_a_cursor(client, archive_rows):
    seen, url = [], "/api/v1/sitreps?limit=3"
    while url:
        page = client.get(url).get_json()
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        url = (
            f"/api/v1/sitreps?limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else None
        )
    assert len(seen) == len(set(seen)) == 4
    assert seen == _ids(client.get("/api/v1/sitreps?limit=10"))


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("admin_pcode=SY9999", 422, "admin_pcode"),
        ("admin_pcode=Aleppo", 422, "admin_pcode"),
        ("since=2024-12-04&until=2024-12-01", 422, "until"),
        ("audience=secret", 422, "audience"),
        ("limit=0", 422, "limit"),
        ("sort=title", 422, "sort"),
        ("cursor=not-a-cursor", 400, None),
    ],
)
def test_bad_list_queries_are_problems(client, make_token, query, status, field):
    response = client.get(f"/api/v1/sitreps?{query}", headers=make_token("read").headers)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"]


def test_downloads_follow_the_grant(client, make_token, archive_rows):
    r = archive_rows
    public = client.get(f"/api/v1/sitreps/{r['idleb-week']}.pdf")  # anonymous, public edition
    assert public.status_code == 200 and public.data.startswith(b"%PDF")
    assert public.headers["Content-Disposition"] == (
        "attachment; filename=sitrep_SY07_2024-11-27_2024-12-03_public.pdf"
    )
    partner = make_token("read", "partner")
    for ident, headers in (
        (r["idleb-partner"], {}),
        (r["idleb-restricted"], partner.headers),
        (str(uuid.uuid4()), partner.headers),
    ):
        hidden = client.get(f"/api/v1/sitreps/{ident}.pdf", headers=headers)
        assert hidden.status_code == 404
        assert hidden.content_type == "application/problem+json"
    assert client.get(f"/api/v1/sitreps/{r['idleb-partner']}.pdf", headers=partner.headers).data
    # Every download is in the audit trail, with who fetched it; refused ones are not.
    downloads = _audit("sitrep.download")
    assert [(d.entity_id, d.api_token_id) for d in downloads] == [
        (r["idleb-week"], None),
        (r["idleb-partner"], partner.id),
    ]


def test_generating_needs_the_verify_scope_and_a_sufficient_grant(client, make_token):
    assert client.post("/api/v1/sitreps", json=ALEPPO).status_code == 401
    writer = make_token("read,append", "restricted")
    refused = client.post("/api/v1/sitreps", json=ALEPPO, headers=writer.headers)
    assert refused.status_code == 403 and "verify" in refused.get_json()["detail"]
    public_verifier = make_token("read,verify", "public")
    above = {**ALEPPO, "audience": "partner"}
    assert (
        client.post("/api/v1/sitreps", json=above, headers=public_verifier.headers).status_code
        == 403
    )
    assert _count(Sitrep) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"admin_pcode": "SY9999"}, "admin_pcode"),
        ({"period_end": "2024-11-01"}, "period_end"),
        ({"period_start": "2023-01-01"}, "period_end"),  # longer than 366 days
        ({"period_start": "0001-01-01", "period_end": "0001-01-02"}, "period_start"),
        ({"audience": "everyone"}, "audience"),
        ({"format": "docx"}, "format"),
    ],
)
def test_bad_generate_requests_are_422_naming_the_field(client, make_token, change, field):
    verifier = make_token("read,verify", "partner")
    response = client.post("/api/v1/sitreps", json={**ALEPPO, **change}, headers=verifier.headers)
    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert _count(Sitrep) == 0


def test_a_period_ending_today_is_refused_and_yesterday_generated(client, make_token):
    """The boundary of "the period must have ended" (UTC, the test configuration's zone;
    other zones in tests/reports/test_period_end.py)."""
    verifier = make_token("read,verify", "partner")
    for _ in range(2):  # again if midnight passes between reading the date and the request
        today = datetime.now(UTC).date()
        body = {"admin_pcode": "SY07", "period_start": str(today - timedelta(days=6))}
        now = client.post(
            "/api/v1/sitreps", json=body | {"period_end": str(today)}, headers=verifier.headers
        )
        if now.status_code != 201 or datetime.now(UTC).date() == today:
            break
    assert now.status_code == 422, "a period ending today was generated"
    assert now.get_json()["errors"] == {"period_end": ["The period has not ended yet."]}
    made = client.post(
        "/api/v1/sitreps",
        json=body | {"period_end": str(today - timedelta(days=1))},
        headers=verifier.headers,
    )
    assert made.status_code == 201 and made.headers["Sitrep-Status"] == "generated"
    assert made.get_json()["period_end"] == str(today - timedelta(days=1))


def test_generate_body_must_be_json(client, make_token):
    verifier = make_token("read,verify", "partner")
    response = client.post("/api/v1/sitreps", data="admin_pcode=SY02", headers=verifier.headers)
    assert response.status_code == 415
    listed = client.post("/api/v1/sitreps", json=[ALEPPO], headers=verifier.headers)
    assert listed.status_code == 422
