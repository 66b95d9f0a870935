from datetime import date

import pytest
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import AuditEvent, Incident, PopulationMovement, Report
from humanitarian.models.enums import Sensitivity
from humanitarian.services import (
    Actor,
    BusinessRuleError,
    RecordFilter,
    list_movements,
    record_movement,
    summarize,
)
from humanitarian.services.demo import seed_demo
from tests import factories as f


def test_movement_rules(app):
    with pytest.raises(BusinessRuleError) as err:
        record_movement(f.actor(), f.movement(origin_pcode=None, destination_pcode=None))
    assert "origin_pcode" in err.value.errors
    with pytest.raises(BusinessRuleError) as err:
        record_movement(f.actor(), f.movement(destination_pcode="SY77"))
    assert err.value.errors == {"destination_pcode": ["Unknown p-code 'SY77'."]}
    with pytest.raises(BusinessRuleError):
        record_movement(f.actor(), f.movement(period_end=date(2024, 11, 1)))
    assert db.session.scalar(select(func.count()).select_from(PopulationMovement)) == 0


def test_movements_match_origin_or_destination_subtree(app):
    a = f.actor()
    record_movement(a, f.movement())
    record_movement(
        a, f.movement(movement_type="return", origin_pcode="SY0703", destination_pcode="SY0702")
    )
    out = list_movements(a, RecordFilter(admin_pcode="SY07"))
    assert [m.movement_type for m in out.items] == ["return"]
    assert len(list_movements(a, RecordFilter(admin_pcode="SY06")).items) == 1


def test_demo_summary_for_aleppo_and_idleb(app):
    seed_demo("pw-for-tests")
    anyone = Actor.anonymous()
    idleb = summarize(anyone, "SY07", date(2024, 11, 27), date(2024, 12, 4))
    assert idleb.incidents_by_event_type == {"battles": 3, "explosions_remote_violence": 3}
    assert (idleb.killed, idleb.injured) == (30 + 8 + 2 + 3, 45 + 21 + 6 + 11)
    # Airbase and M5 held by HTS-led factions (access restricted); school and petrol station
    # damaged and not functional.
    assert idleb.facilities_by_access == {"restricted": 2, "open": 2}
    assert idleb.facilities_by_damage == {"none": 2, "partially_damaged": 2}
    assert idleb.facilities_by_functionality == {"functional": 2, "not_functional": 2}
    assert idleb.facilities_impaired == 4
    assert (idleb.displaced_individuals, idleb.returned_individuals) == (12000, 5000)
    aleppo = summarize(anyone, "SY02", date(2024, 11, 27), date(2024, 12, 4))
    assert aleppo.facilities_by_access == {"closed": 1}
    assert aleppo.facilities_by_functionality == {"functional": 1}
    assert aleppo.displaced_individuals == 50000 and aleppo.returned_individuals == 2000
    assert aleppo.latest_status_changes[0].details == "All flights cancelled"


def test_seed_demo_is_idempotent(app):
    first = seed_demo("pw-for-tests")

    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Incident, Report, AuditEvent)
        ]  # noqa: E731

    before = counts()
    second = seed_demo("pw-for-tests")
    assert first["records"] == 29 and second == {"areas": 0, "records": 0}
    assert counts() == before
    assert before[0] == 9


def test_restricted_records_are_left_out_of_summaries(app):
    record_movement(
        f.actor(Sensitivity.restricted), f.movement(individuals=999, sensitivity="restricted")
    )
    assert summarize(Actor.anonymous(), "SY02", None, None).displaced_individuals == 0
    assert (
        summarize(f.actor(Sensitivity.restricted), "SY02", None, None).displaced_individuals == 999
    )


def test_movement_keyset_pagination_visits_every_row_once(app):
    a = f.actor()
    for day in range(1, 5):
        for n in range(3):
            record_movement(
                a, f.movement(period_start=date(2024, 11, day), individuals=100 * day + n)
            )
    seen, cursor = [], None
    while True:
        page = list_movements(a, RecordFilter(), limit=5, cursor=cursor)
        seen += [(m.period_start.day, m.individuals) for m in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 12
    assert [day for day, _ in seen] == sorted(
        (d for d in range(1, 5) for _ in range(3)), reverse=True
    )
