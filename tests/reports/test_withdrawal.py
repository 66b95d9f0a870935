"""Withdrawing a published sitrep: the PDF answers 410 with the reason, the list shows it
withdrawn, the same edition can be generated again, and the list suggests a withdrawal when a
record an edition showed has since been raised above its audience."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent
from humanitarian.models.enums import Role, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    BusinessRuleError,
    correct_incident,
    create_token,
    create_user,
    generate_sitrep,
    record_incident,
    withdraw_sitrep,
)
from humanitarian.services.incidents import incident_input_from
from humanitarian.services.sitrep_records import raised_counts, withdrawal_suggested
from tests import factories as f
from tests.web.conftest import Staff

from .conftest import PERIOD, pdf_text, staff

SYSTEM = Actor.system("test")
TITLE = "Strike on the Qxwdr3391 bakery"


@pytest.fixture
def edition(app):
    """A public edition showing a public incident that was then raised to restricted."""
    incident = record_incident(SYSTEM, f.incident(title=TITLE, occurred_on=PERIOD[0]))
    sitrep = generate_sitrep(SYSTEM, "SY07", *PERIOD, Sensitivity.public)
    raised = incident_input_from(incident)
    raised.sensitivity = Sensitivity.restricted
    correct_incident(SYSTEM, incident.id, raised, "exposes the family who reported it")
    return sitrep


def _token(grant: Sensitivity, scopes=(Scope.read, Scope.verify)) -> dict:
    _, secret = create_token(SYSTEM, "Relief NGO", list(scopes), grant)
    return {"Authorization": f"Bearer {secret}"}


def test_raised_records_are_counted_and_a_withdrawal_suggested(edition):
    assert raised_counts([edition.id]) == {edition.id: 1}
    assert raised_counts([edition.id], seen_by=Sensitivity.partner) == {}
    assert (
        "1 record shown in this edition has since been raised"
        in (withdrawal_suggested([edition.id])[edition.id])
    )
    assert raised_counts([]) == {} and withdrawal_suggested([]) == {}


def test_the_api_list_suggests_a_withdrawal_to_verifiers_only(client, edition):
    def suggestion(headers):
        items = client.get("/api/v1/sitreps", headers=headers).get_json()["items"]
        return {i["id"]: i.get("withdrawal_suggested") for i in items}[str(edition.id)]

    assert "raised above its audience" in suggestion(_token(Sensitivity.restricted))
    # Readers, and verifiers whose grant does not reach the raised record, are told nothing.
    assert suggestion({}) is None
    assert suggestion(_token(Sensitivity.restricted, (Scope.read,))) is None
    assert suggestion(_token(Sensitivity.partner)) is None


def test_withdrawing_takes_the_pdf_down_and_lets_a_new_edition_be_generated(client, edition):
    verifier = _token(Sensitivity.partner)
    pdf = f"/api/v1/sitreps/{edition.id}.pdf"
    assert TITLE in pdf_text(client.get(pdf).get_data())
    missing = client.post(f"/api/v1/sitreps/{edition.id}/withdrawal", json={}, headers=verifier)
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    answer = client.post(
        f"/api/v1/sitreps/{edition.id}/withdrawal",
        json={"reason": "shows a record now restricted"},
        headers=verifier,
    )
    assert answer.status_code == 200
    assert answer.get_json()["withdrawal_reason"] == "shows a record now restricted"
    assert answer.get_json()["withdrawn_at"]

    gone = client.get(pdf)
    assert gone.status_code == 410
    assert gone.headers["Content-Type"].startswith("application/problem+json")
    assert "shows a record now restricted" in gone.get_json()["detail"]
    listed = {i["id"]: i for i in client.get("/api/v1/sitreps").get_json()["items"]}
    assert listed[str(edition.id)]["withdrawn_at"]
    assert listed[str(edition.id)]["withdrawal_suggested"] is None

    again = client.post(
        "/api/v1/sitreps",
        json={
            "admin_pcode": "SY07",
            "period_start": PERIOD[0].isoformat(),
            "period_end": PERIOD[1].isoformat(),
            "audience": "public",
        },
        headers=verifier,
    )
    assert again.status_code == 201 and again.headers["Sitrep-Status"] == "generated"
    assert again.get_json()["id"] != str(edition.id)
    fresh = client.get(f"/api/v1/sitreps/{again.get_json()['id']}.pdf")
    assert fresh.status_code == 200 and TITLE not in pdf_text(fresh.get_data())
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sitrep.withdraw"))
    (event,) = entry.all()
    assert event.entity_id == str(edition.id)
    assert event.details["reason"] == "shows a record now restricted"


def test_withdrawal_needs_the_verify_scope_and_a_reason(app, edition):
    with pytest.raises(BusinessRuleError):
        withdraw_sitrep(staff(), edition.id, "  ")
    reader = staff(scopes=("read",))
    from humanitarian.services import PermissionDenied

    with pytest.raises(PermissionDenied):
        withdraw_sitrep(reader, edition.id, "no")
    first = withdraw_sitrep(staff(), edition.id, "first reason")
    again = withdraw_sitrep(staff(), edition.id, "second reason")
    assert again.withdrawal_reason == "first reason" and again.withdrawn_at == first.withdrawn_at


def test_the_web_list_shows_withdrawn_editions_and_suggestions(app, edition):
    create_user(
        SYSTEM, "verifier@field.test", "field-office-password", Role.verifier, "Field",
        max_sensitivity=Sensitivity.restricted,
    )  # fmt: skip
    verifier = Staff(app.test_client())
    assert verifier.login("verifier@field.test", "field-office-password").status_code == 302
    page = verifier.page("/sitreps/")
    assert "Consider withdrawing" in page and "raised above its audience" in page
    done = verifier.submit(
        f"/sitreps/{edition.id}/withdraw", {"reason": "a family is exposed"}, form_url="/sitreps/"
    )
    assert done.status_code == 302
    page = verifier.page("/sitreps/")
    assert "Withdrawn" in page and "a family is exposed" in page
    assert "Consider withdrawing" not in page
    download = verifier.get(f"/sitreps/{edition.id}.pdf")
    assert download.status_code == 410 and "a family is exposed" in download.get_data(as_text=True)
