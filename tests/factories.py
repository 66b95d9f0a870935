"""Small builders for service inputs, so tests state only what they care about."""

from __future__ import annotations

from datetime import UTC, date, datetime

from humanitarian.models.enums import Channel, Scope, Sensitivity
from humanitarian.services import (
    Actor,
    FacilityInput,
    IncidentInput,
    Location,
    MovementInput,
    StatusInput,
)


def actor(grant: Sensitivity = Sensitivity.partner, scopes=("read", "append"), org=None) -> Actor:
    return Actor(
        channel=Channel.api,
        scopes=frozenset(Scope(s) for s in scopes),
        max_sensitivity=grant,
        organization_id=org,
        label="test",
    )


def incident(**overrides) -> IncidentInput:
    values = dict(
        title="Air strike on a school",
        occurred_on=date(2024, 12, 2),
        event_type="explosions_remote_violence",
        sub_event_type="air_drone_strike",
        target_type="school",
        location=Location("SY0700", 35.93, 36.63, 1),
        killed=3,
        injured=11,
    )
    values.update(overrides)
    return IncidentInput(**values)


def facility(**overrides) -> FacilityInput:
    values = dict(
        name="Aleppo International Airport",
        name_ar="مطار حلب الدولي",
        facility_type="airport",
        location=Location("SY0200", 36.18, 37.22, 1),
    )
    values.update(overrides)
    return FacilityInput(**values)


# Shorthands for a whole condition (all three enumerated dimensions stated), by the word a
# field report would use.
CONDITIONS = {
    "operational": ("functional", "open", "none"),
    "partially_functional": ("partially_functional", "open", "none"),
    "restricted": ("functional", "restricted", "none"),
    "closed": ("not_functional", "closed", "none"),
    "damaged": ("partially_functional", "open", "partially_damaged"),
    "destroyed": ("not_functional", "closed", "fully_damaged"),
}


def condition(state: str) -> dict:
    """``condition("closed")`` -> {"functionality": "not_functional", "access": "closed", ...}."""
    return dict(zip(("functionality", "access", "damage"), CONDITIONS[state], strict=True))


def status(state="closed", when=datetime(2024, 12, 1, 8, tzinfo=UTC), **overrides) -> StatusInput:
    """A status entry stating the whole condition ``state`` (a key of CONDITIONS), or, with
    ``state=None``, only the dimensions given in ``overrides``."""
    stated = condition(state) if state else {}
    return StatusInput(effective_from=when, **{**stated, **overrides})


def movement(**overrides) -> MovementInput:
    values = dict(
        movement_type="displacement",
        origin_pcode="SY0200",
        destination_pcode="SY06",
        period_start=date(2024, 11, 29),
        period_end=date(2024, 12, 4),
        individuals=20000,
        estimate_method="media_estimate",
    )
    values.update(overrides)
    return MovementInput(**values)
