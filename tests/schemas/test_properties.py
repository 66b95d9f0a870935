"""Property tests: whatever a client sends, schemas either load it or raise ValidationError."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from humanitarian.models.enums import EVENT_TAXONOMY, TargetType
from humanitarian.services import IncidentInput, MovementInput
from schemas import (
    IncidentInSchema,
    IncidentQuerySchema,
    MovementInSchema,
    StatusInSchema,
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = list(IncidentInSchema().fields) + ["unknown_field"]


def loads_or_rejects(schema, data, expected_type):
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        assert isinstance(err.messages, dict) and err.messages
        return None
    assert isinstance(loaded, expected_type)
    return loaded


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12))
def test_arbitrary_incident_bodies_never_crash(data):
    loads_or_rejects(IncidentInSchema(), data, IncidentInput)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_non_object_bodies_are_rejected(data):
    for schema in (IncidentInSchema(), MovementInSchema(), StatusInSchema()):
        try:
            schema.load(data)
        except ValidationError:
            continue
        assert isinstance(data, dict)


valid_incident = st.sampled_from(sorted(EVENT_TAXONOMY)).flatmap(
    lambda event: st.fixed_dictionaries(
        {
            "title": st.text(
                st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=3,
                max_size=60,
            ),
            "occurred_on": st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(
                lambda d: d.isoformat()
            ),
            "event_type": st.just(event),
            "sub_event_type": st.sampled_from(EVENT_TAXONOMY[event]),
            "target_type": st.sampled_from([t.value for t in TargetType]),
            "admin_pcode": st.sampled_from(["SY", "SY07", "SY0700", "SY02"]),
            "killed": st.integers(0, 10_000),
        },
        optional={"latitude": st.floats(-90, 90), "injured": st.none() | st.integers(0, 10_000)},
    )
)


@settings(max_examples=200, deadline=None)
@given(valid_incident)
def test_valid_incidents_load_with_values_intact(data):
    if "latitude" in data:
        data["longitude"] = 36.6
    loaded = IncidentInSchema().load(data)
    assert loaded.title == data["title"] and loaded.killed == data["killed"]
    assert loaded.location.admin_pcode == data["admin_pcode"]
    assert str(loaded.sub_event_type) in EVENT_TAXONOMY[str(loaded.event_type)]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(MovementInSchema().fields)), json_values, max_size=10))
def test_arbitrary_movement_bodies_never_crash(data):
    loads_or_rejects(MovementInSchema(), data, MovementInput)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(IncidentQuerySchema().fields) + ["x"]),
        st.text(max_size=30),
        max_size=8,
    )
)
def test_arbitrary_query_strings_never_crash(params):
    try:
        IncidentQuerySchema().load(params)
    except ValidationError as err:
        assert err.messages
