"""Display labels and number/date formats for sitreps. Stored values stay the enumerations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from ..models.enums import ACLED_LABELS, EVENT_TAXONOMY
from ..models.enums import condition_level as level  # noqa: F401 (templates: L.level)
from ..models.enums import describe_condition as condition  # noqa: F401 (L.condition)

# ACLED's own names (the shared vocabulary), as on the web pages.
EVENT_TYPE_LABELS = {event: ACLED_LABELS[event] for event in EVENT_TAXONOMY}
SUB_EVENT_LABELS = {sub: ACLED_LABELS[sub] for subs in EVENT_TAXONOMY.values() for sub in subs}

TARGET_LABELS = {
    "residential_area": "Residential areas",
    "school": "Schools",
    "health_facility": "Health facilities",
    "market": "Markets",
    "fuel_station": "Fuel stations",
    "water_facility": "Water facilities",
    "power_facility": "Power facilities",
    "airport": "Airports",
    "road_bridge": "Roads and bridges",
    "camp_shelter": "Camps and shelters",
    "place_of_worship": "Places of worship",
    "military": "Military",
    "humanitarian_facility": "Humanitarian facilities",
    "other": "Other",
}

# Singular forms for sentences ("hit a school, a fuel station and residential areas").
TARGET_SINGULAR = {
    "residential_area": "residential areas",
    "school": "a school",
    "health_facility": "a health facility",
    "market": "a market",
    "fuel_station": "a fuel station",
    "water_facility": "a water facility",
    "power_facility": "a power facility",
    "airport": "an airport",
    "road_bridge": "a road or bridge",
    "camp_shelter": "a camp or shelter",
    "place_of_worship": "a place of worship",
    "humanitarian_facility": "a humanitarian facility",
    "other": "other sites",
}

SOURCE_TYPE_LABELS = {
    "ngo": "NGO",
    "un": "UN",
    "media": "Media",
    "government": "Government",
    "armed_group": "Armed group",
    "local_partner": "Local partner",
    "social_media": "Social media",
}

AUDIENCE_LABELS = {
    "public": "PUBLIC",
    "partner": "PARTNER — not for public distribution",
    "restricted": "RESTRICTED — named recipients only",
}


def humanize(value: Optional[str]) -> str:
    """``non_state_actor_overtakes_territory`` -> ``Non state actor overtakes territory``."""
    if not value:
        return ""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def day(value: Optional[date | datetime]) -> str:
    """1 Dec 2024 (no leading zero, as OCHA products write dates)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def period(start: date, end: date) -> str:
    """27 Nov – 4 Dec 2024, or a single day when start == end."""
    if start == end:
        return day(start)
    if start.year != end.year:
        return f"{day(start)} – {day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {day(end)}"
    return f"{start.day}–{day(end)}"


def number(value: Optional[int]) -> str:
    return "–" if value is None else f"{value:,}"


def change(delta: int, previous: int) -> str:
    """▲ 12 (+40%) / ▼ 3 (−20%) / ▲ 6 (from none) / no change."""
    if delta == 0:
        return "no change"
    sign = "▲" if delta > 0 else "▼"
    if previous == 0:
        return f"{sign} {abs(delta):,} (from none)"
    pct = round(100 * delta / previous)
    return f"{sign} {abs(delta):,} ({'+' if pct > 0 else '−'}{abs(pct)}%)"
