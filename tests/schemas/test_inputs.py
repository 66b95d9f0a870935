from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from humanitarian.services import IncidentInput, MovementInput, StatusInput
from schemas import (
    CorrectionSchema,
    IncidentInSchema,
    IncidentQuerySchema,
    MovementInSchema,
    StatusInSchema,
)

SCHOOL = {
    "title": "Air strike hits a school",
    "occurred_on": "2024-12-02",
    "event_type": "explosions_remote_violence",
    "sub_event_type": "air_drone_strike",
    "target_type": "school",
    "admin_pcode": "SY0700",
    "latitude": 35.93,
    "longitude": 36.63,
    "killed": 3,
    "injured": None,
}


def errors_of(schema, data):
    with pytest.raises(ValidationError) as err:
        schema.load(data)
    return err.value.messages


def test_incident_loads_into_typed_input():
    loaded = IncidentInSchema().load(SCHOOL)
    assert isinstance(loaded, IncidentInput)
    assert loaded.location.admin_pcode == "SY0700" and loaded.location.geo_precision == 2
    assert loaded.injured is None and loaded.killed == 3 and loaded.sensitivity == "public"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"killed": -1}, "killed"),
        ({"killed": "3"}, "killed"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"event_type": "earthquake"}, "event_type"),
        ({"sub_event_type": "armed_clash"}, "sub_event_type"),
        ({"civilians_killed": 9}, "civilians_killed"),
        ({"admin_pcode": "Idleb"}, "admin_pcode"),
        ({"colour": "red"}, "colour"),
        ({"occurred_on": "2024-13-01"}, "occurred_on"),
    ],
)
def test_incident_rejects_bad_values_naming_the_field(change, field):
    assert field in errors_of(IncidentInSchema(), SCHOOL | change)


def test_correction_needs_reason():
    assert "reason" in errors_of(CorrectionSchema(), SCHOOL)
    loaded = CorrectionSchema().load(SCHOOL | {"reason": "Updated toll"})
    assert loaded["reason"] == "Updated toll" and isinstance(loaded["incident"], IncidentInput)


def test_movement_cross_field_rules():
    base = {
        "movement_type": "return",
        "period_start": "2024-12-01",
        "period_end": "2024-12-04",
        "estimate_method": "key_informant",
        "individuals": 5000,
        "destination_pcode": "SY0702",
    }
    assert isinstance(MovementInSchema().load(base), MovementInput)
    assert "origin_pcode" in errors_of(MovementInSchema(), base | {"destination_pcode": None})
    assert "individuals" in errors_of(MovementInSchema(), base | {"individuals": None})
    assert "individuals" in errors_of(MovementInSchema(), base | {"individuals": 0})
    assert "period_end" in errors_of(MovementInSchema(), base | {"period_end": "2024-11-01"})


def test_status_times_are_utc():
    loaded = StatusInSchema().load(
        {"access": "closed", "effective_from": "2024-12-01T10:00:00+02:00"}
    )
    assert isinstance(loaded, StatusInput)
    assert loaded.effective_from == datetime(2024, 12, 1, 8, tzinfo=UTC)
    assert (loaded.access, loaded.functionality, loaded.damage) == ("closed", None, None)
    bad = {
        "access": "closed",
        "effective_from": "2024-12-02T00:00Z",
        "effective_to": "2024-12-01T00:00Z",
    }
    assert "effective_to" in errors_of(StatusInSchema(), bad)


def test_query_repeats_enums_and_checks_period():
    query = MultiDict(
        [
            ("event_type", "battles"),
            ("event_type", "explosions_remote_violence"),
            ("admin_pcode", "SY07"),
            ("since", "2024-11-27"),
            ("limit", "all"),
        ]
    )
    data = {k: query.getlist(k) if k == "event_type" else query[k] for k in query}
    loaded = IncidentQuerySchema().load(data)
    assert loaded["filters"].event_types == ["battles", "explosions_remote_violence"]
    assert loaded["filters"].since == date(2024, 11, 27) and loaded["limit"] == "all"
    assert "until" in errors_of(
        IncidentQuerySchema(), {"since": "2024-12-04", "until": "2024-11-27"}
    )
    assert "limit" in errors_of(IncidentQuerySchema(), {"limit": "1001"})
    assert "bbox" in errors_of(IncidentQuerySchema(), {"bbox": "1,2,3"})
    assert "page" in errors_of(IncidentQuerySchema(), {"page": "2"})
