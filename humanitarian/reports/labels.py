"""Display labels and number/date formats for sitreps, in the edition's language. Stored
values stay the enumerations.

Labels are marked for translation (the catalogue is ``humanitarian/translations``, see
``docs/glossary-ar.md`` for the domain terms) and looked up lazily, so they come out in
whatever locale the sitrep is rendered under (``flask_babel.force_locale``). Numbers and dates
are Babel's for that locale; English keeps the OCHA house style ("27 Nov – 4 Dec 2024").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import arabic_reshaper
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from bidi.algorithm import get_display
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models.enums import ACLED_LABELS, EVENT_TAXONOMY
from ..models.enums import condition_level as level  # noqa: F401 (templates: L.level)
from ..models.enums import describe_condition as condition  # noqa: F401 (L.condition)

# The locale an edition is rendered in: Arabic editions use Syria's (Levantine month names,
# Arabic-Indic digits).
LOCALES = {"en": "en", "ar": "ar_SY"}


# ACLED's own names (the shared vocabulary), as on the web pages; translated in editions.
EVENT_TYPE_LABELS = {event: _l(ACLED_LABELS[event]) for event in EVENT_TAXONOMY}
SUB_EVENT_LABELS = {sub: _l(ACLED_LABELS[sub]) for subs in EVENT_TAXONOMY.values() for sub in subs}

TARGET_LABELS = {
    "residential_area": _l("Residential areas"),
    "school": _l("Schools"),
    "health_facility": _l("Health facilities"),
    "market": _l("Markets"),
    "fuel_station": _l("Fuel stations"),
    "water_facility": _l("Water facilities"),
    "power_facility": _l("Power facilities"),
    "airport": _l("Airports"),
    "road_bridge": _l("Roads and bridges"),
    "camp_shelter": _l("Camps and shelters"),
    "place_of_worship": _l("Places of worship"),
    "military": _l("Military"),
    "humanitarian_facility": _l("Humanitarian facilities"),
    "other": _l("Other"),
}

# Singular forms for sentences ("hit a school, a fuel station and residential areas").
TARGET_SINGULAR = {
    "residential_area": _l("residential areas"),
    "school": _l("a school"),
    "health_facility": _l("a health facility"),
    "market": _l("a market"),
    "fuel_station": _l("a fuel station"),
    "water_facility": _l("a water facility"),
    "power_facility": _l("a power facility"),
    "airport": _l("an airport"),
    "road_bridge": _l("a road or bridge"),
    "camp_shelter": _l("a camp or shelter"),
    "place_of_worship": _l("a place of worship"),
    "humanitarian_facility": _l("a humanitarian facility"),
    "other": _l("other sites"),
}

SOURCE_TYPE_LABELS = {
    "ngo": _l("NGO"),
    "un": _l("UN"),
    "media": _l("Media"),
    "government": _l("Government"),
    "armed_group": _l("Armed group"),
    "local_partner": _l("Local partner"),
    "social_media": _l("Social media"),
}

AUDIENCE_NAMES = {"public": _l("public"), "partner": _l("partner"), "restricted": _l("restricted")}

AUDIENCE_LABELS = {
    "public": _l("PUBLIC"),
    "partner": _l("PARTNER — not for public distribution"),
    "restricted": _l("RESTRICTED — named recipients only"),
}


# Stored enumeration values as printed (statuses, facility types, verification, movements,
# estimate methods, sub-event types); anything else is humanised from its stored value.
VALUE_LABELS = {
    "residential_area": _l("Residential area"),
    "school": _l("School"),
    "health_facility": _l("Health facility"),
    "market": _l("Market"),
    "fuel_station": _l("Fuel station"),
    "water_facility": _l("Water facility"),
    "power_facility": _l("Power facility"),
    "airport": _l("Airport"),
    "road_bridge": _l("Road or bridge"),
    "camp_shelter": _l("Camp or shelter"),
    "place_of_worship": _l("Place of worship"),
    "military": _l("Military"),
    "humanitarian_facility": _l("Humanitarian facility"),
    "other": _l("Other"),
    "border_crossing": _l("Border crossing"),
    "airbase": _l("Airbase"),
    "operational": _l("Operational"),
    "partially_functional": _l("Partially functional"),
    "restricted": _l("Restricted"),
    "closed": _l("Closed"),
    "damaged": _l("Damaged"),
    "destroyed": _l("Destroyed"),
    "unknown": _l("Unknown"),
    "unverified": _l("Unverified"),
    "partially_verified": _l("Partially verified"),
    "verified": _l("Verified"),
    "disputed": _l("Disputed"),
    "displacement": _l("Displacement"),
    "return": _l("Return"),
    "secondary_displacement": _l("Secondary displacement"),
    "evacuation": _l("Evacuation"),
    "relocation": _l("Relocation"),
    "registration": _l("Registration"),
    "key_informant": _l("Key informant"),
    "headcount": _l("Headcount"),
    "media_estimate": _l("Media estimate"),
    "model": _l("Model"),
    "armed_clash": _l("Armed clash"),
    "government_regains_territory": _l("Government regains territory"),
    "non_state_actor_overtakes_territory": _l("Non-state actor overtakes territory"),
    "air_drone_strike": _l("Air/drone strike"),
    "shelling_artillery_missile_attack": _l("Shelling/artillery/missile attack"),
    "remote_explosive_landmine_ied": _l("Remote explosive/landmine/IED"),
    "suicide_bomb": _l("Suicide bomb"),
    "grenade": _l("Grenade"),
    "chemical_weapon": _l("Chemical weapon"),
    "attack": _l("Attack"),
    "abduction_forced_disappearance": _l("Abduction/forced disappearance"),
    "sexual_violence": _l("Sexual violence"),
    "headquarters_or_base_established": _l("Headquarters or base established"),
    "looting_property_destruction": _l("Looting/property destruction"),
    "agreement": _l("Agreement"),
    "arrests": _l("Arrests"),
    "change_to_group_activity": _l("Change to group/activity"),
    "disrupted_weapons_use": _l("Disrupted weapons use"),
    "non_violent_transfer_of_territory": _l("Non-violent transfer of territory"),
    "peaceful_protest": _l("Peaceful protest"),
    "protest_with_intervention": _l("Protest with intervention"),
    "excessive_force_against_protesters": _l("Excessive force against protesters"),
    "violent_demonstration": _l("Violent demonstration"),
    "mob_violence": _l("Mob violence"),
}


def is_arabic() -> bool:
    """Whether the current rendering is in Arabic (right to left)."""
    locale = get_locale()
    return locale is not None and locale.language == "ar"


def humanize(value: Optional[str]) -> str:
    """``partially_functional`` -> ``Partially functional``, in the edition's language."""
    if not value:
        return ""
    if str(value) in VALUE_LABELS:
        return str(VALUE_LABELS[str(value)])
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def drawn(text) -> str:
    """Text for a chart or the map. The SVG renderer lays text out left to right without
    joining letters, so Arabic is shaped (arabic_reshaper) and put in display order
    (python-bidi) first; other text is unchanged."""
    text = str(text)
    if not is_arabic():
        return text
    return get_display(arabic_reshaper.reshape(text))


def listing(values) -> str:
    """Enumeration values as a list: ``key_informant, direct_observation`` → "key informant,
    direct observation" (Arabic: translated, with the Arabic comma)."""
    ordered = sorted(str(v) for v in values)
    if is_arabic():
        return "، ".join(humanize(v) for v in ordered)
    return ", ".join(v.replace("_", " ") for v in ordered)


def day(value: Optional[date | datetime]) -> str:
    """1 Dec 2024 (no leading zero, as OCHA products write dates); Arabic: ١ كانون الأول ٢٠٢٤
    as Babel writes it for Syria."""
    if value is None:
        return ""
    if is_arabic():
        return babel_dates.format_date(value, "d MMMM y", locale=get_locale())
    return f"{value.day} {value:%b %Y}"


def period(start: date, end: date) -> str:
    """27 Nov – 4 Dec 2024, or a single day when start == end."""
    if start == end:
        return day(start)
    if is_arabic():
        return babel_dates.format_interval(start, end, "yMMMMd", locale=get_locale())
    if start.year != end.year:
        return f"{day(start)} – {day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {day(end)}"
    return f"{start.day}–{day(end)}"


def number(value: Optional[int]) -> str:
    if value is None:
        return "–"
    if is_arabic():
        return babel_numbers.format_decimal(value, locale=get_locale(), numbering_system="default")
    return f"{value:,}"


def change(delta: int, previous: int) -> str:
    """▲ 12 (+40%) / ▼ 3 (−20%) / ▲ 6 (from none) / no change."""
    if delta == 0:
        return _("no change")
    sign = "▲" if delta > 0 else "▼"
    if previous == 0:
        return _("%(sign)s %(count)s (from none)", sign=sign, count=number(abs(delta)))
    pct = round(100 * delta / previous)
    percent = f"{'+' if pct > 0 else '−'}{number(abs(pct))}%"
    return f"{sign} {number(abs(delta))} ({percent})"
