"""Stored vocabularies from the domain spec (ACLED, OCHA, IOM DTM). Values never change once stored."""

from __future__ import annotations

import enum

StrEnum = enum.StrEnum


class Sensitivity(StrEnum):
    public = "public"
    partner = "partner"
    restricted = "restricted"

    @property
    def rank(self) -> int:
        return SENSITIVITY_ORDER.index(self)

    def allows(self, other: Sensitivity) -> bool:
        """True if a grant of ``self`` may see a record marked ``other``."""
        return Sensitivity(other).rank <= self.rank


SENSITIVITY_ORDER = [Sensitivity.public, Sensitivity.partner, Sensitivity.restricted]


def sensitivities_up_to(grant: Sensitivity) -> list[Sensitivity]:
    return SENSITIVITY_ORDER[: Sensitivity(grant).rank + 1]


def highest(*levels: Sensitivity | str) -> Sensitivity:
    """The most sensitive of ``levels`` (what a reader must be granted to see them all)."""
    return max((Sensitivity(s) for s in levels), key=lambda s: s.rank)


class Verification(StrEnum):
    unverified = "unverified"
    partially_verified = "partially_verified"
    verified = "verified"
    disputed = "disputed"


class SourceType(StrEnum):
    ngo = "ngo"
    un = "un"
    media = "media"
    government = "government"
    armed_group = "armed_group"
    local_partner = "local_partner"
    social_media = "social_media"


class DatePrecision(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class GeoPrecision(enum.IntEnum):
    exact = 1
    near = 2
    admin_area = 3


EVENT_TAXONOMY: dict[str, list[str]] = {
    "battles": [
        "armed_clash",
        "government_regains_territory",
        "non_state_actor_overtakes_territory",
    ],
    "explosions_remote_violence": [
        "air_drone_strike",
        "shelling_artillery_missile_attack",
        "remote_explosive_landmine_ied",
        "suicide_bomb",
        "grenade",
        "chemical_weapon",
    ],
    "violence_against_civilians": [
        "attack",
        "abduction_forced_disappearance",
        "sexual_violence",
    ],
    "strategic_developments": [
        "headquarters_or_base_established",
        "looting_property_destruction",
        "agreement",
        "arrests",
        "change_to_group_activity",
        "disrupted_weapons_use",
        "non_violent_transfer_of_territory",
        "other",
    ],
    "protests": [
        "peaceful_protest",
        "protest_with_intervention",
        "excessive_force_against_protesters",
    ],
    "riots": ["violent_demonstration", "mob_violence"],
}

# ACLED's own names for its event and sub-event types (ACLED Codebook), shown wherever a type
# is displayed (web pages, sitreps). Stored values stay the enumerations above.
ACLED_LABELS: dict[str, str] = {
    "battles": "Battles",
    "armed_clash": "Armed clash",
    "government_regains_territory": "Government regains territory",
    "non_state_actor_overtakes_territory": "Non-state actor overtakes territory",
    "explosions_remote_violence": "Explosions/Remote violence",
    "air_drone_strike": "Air/drone strike",
    "shelling_artillery_missile_attack": "Shelling/artillery/missile attack",
    "remote_explosive_landmine_ied": "Remote explosive/landmine/IED",
    "suicide_bomb": "Suicide bomb",
    "grenade": "Grenade",
    "chemical_weapon": "Chemical weapon",
    "violence_against_civilians": "Violence against civilians",
    "attack": "Attack",
    "abduction_forced_disappearance": "Abduction/forced disappearance",
    "sexual_violence": "Sexual violence",
    "strategic_developments": "Strategic developments",
    "headquarters_or_base_established": "Headquarters or base established",
    "looting_property_destruction": "Looting/property destruction",
    "agreement": "Agreement",
    "arrests": "Arrests",
    "change_to_group_activity": "Change to group/activity",
    "disrupted_weapons_use": "Disrupted weapons use",
    "non_violent_transfer_of_territory": "Non-violent transfer of territory",
    "other": "Other",
    "protests": "Protests",
    "peaceful_protest": "Peaceful protest",
    "protest_with_intervention": "Protest with intervention",
    "excessive_force_against_protesters": "Excessive force against protesters",
    "riots": "Riots",
    "violent_demonstration": "Violent demonstration",
    "mob_violence": "Mob violence",
}

EventType = StrEnum("EventType", {k: k for k in EVENT_TAXONOMY})
SubEventType = StrEnum("SubEventType", {s: s for subs in EVENT_TAXONOMY.values() for s in subs})


class TargetType(StrEnum):
    residential_area = "residential_area"
    school = "school"
    health_facility = "health_facility"
    market = "market"
    fuel_station = "fuel_station"
    water_facility = "water_facility"
    power_facility = "power_facility"
    airport = "airport"
    road_bridge = "road_bridge"
    camp_shelter = "camp_shelter"
    place_of_worship = "place_of_worship"
    military = "military"
    humanitarian_facility = "humanitarian_facility"
    other = "other"


FacilityType = StrEnum(
    "FacilityType",
    {
        **{t.value: t.value for t in TargetType},
        "border_crossing": "border_crossing",
        "airbase": "airbase",
    },
)


class Functionality(StrEnum):
    """Whether the facility does its job (as HeRAMS assesses health facilities)."""

    functional = "functional"
    partially_functional = "partially_functional"
    not_functional = "not_functional"
    unknown = "unknown"


class Access(StrEnum):
    """Whether people can reach and use it (an airport with all flights cancelled: closed)."""

    open = "open"
    restricted = "restricted"
    closed = "closed"
    unknown = "unknown"


class Damage(StrEnum):
    none = "none"
    partially_damaged = "partially_damaged"
    fully_damaged = "fully_damaged"
    unknown = "unknown"


# The three enumerated dimensions of a facility's condition, by field name. ``controlled_by``
# is the fourth, free text.
CONDITION = {"functionality": Functionality, "access": Access, "damage": Damage}

# A dimension is impaired when it is known and not nominal.
IMPAIRED = {
    "functionality": (Functionality.partially_functional, Functionality.not_functional),
    "access": (Access.restricted, Access.closed),
    "damage": (Damage.partially_damaged, Damage.fully_damaged),
}


def is_impaired(functionality, access, damage) -> bool:
    """True when any dimension is known and not nominal (not functional, not open, damaged)."""
    values = {"functionality": functionality, "access": access, "damage": damage}
    return any(values[k] in bad for k, bad in IMPAIRED.items())


_CONDITION_WORDS = {
    "access": {"open": "open", "restricted": "restricted access", "closed": "closed"},
    "functionality": {
        "functional": "functional",
        "partially_functional": "partially functional",
        "not_functional": "not functional",
    },
    "damage": {
        "none": "undamaged",
        "partially_damaged": "partially damaged",
        "fully_damaged": "fully damaged",
    },
}


def _dimension(entry, name: str) -> str:
    """A dimension of a status entry, or of its dump (a dict)."""
    value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
    return str(value or "unknown")


SEVERE = {"access": ("closed",), "functionality": ("not_functional",), "damage": ("fully_damaged",)}


def condition_level(entry) -> str:
    """``severe`` (closed, not functional or fully damaged), ``impaired``, ``nominal`` (some
    dimension known, none impaired) or ``unknown``: how lists and maps colour a condition."""
    values = {name: _dimension(entry, name) for name in IMPAIRED}
    if any(values[name] in SEVERE[name] for name in values):
        return "severe"
    if any(values[name] in IMPAIRED[name] for name in values):
        return "impaired"
    return "unknown" if set(values.values()) == {"unknown"} else "nominal"


def condition_words(entry, *, impaired_only: bool = False) -> list[str]:
    """The known dimensions of a status entry in words, access first ("closed", "partially
    damaged"); with ``impaired_only``, only those that are not nominal."""
    words = []
    for name in ("access", "functionality", "damage"):
        value = _dimension(entry, name)
        if impaired_only and value not in IMPAIRED[name]:
            continue
        if value in _CONDITION_WORDS[name]:
            words.append(_CONDITION_WORDS[name][value])
    return words


def describe_condition(entry) -> str:
    """A status entry (or its dump) in words: "Closed, functional, partially damaged"."""
    text = ", ".join(condition_words(entry)) or "condition unknown"
    return text[:1].upper() + text[1:]


class MovementType(StrEnum):
    displacement = "displacement"
    return_ = "return"
    secondary_displacement = "secondary_displacement"
    evacuation = "evacuation"
    relocation = "relocation"


class EstimateMethod(StrEnum):
    registration = "registration"
    key_informant = "key_informant"
    headcount = "headcount"
    media_estimate = "media_estimate"
    model = "model"


class Channel(StrEnum):
    web = "web"
    api = "api"
    import_ = "import"
    system = "system"


class Role(StrEnum):
    viewer = "viewer"
    reporter = "reporter"
    verifier = "verifier"
    admin = "admin"


class Scope(StrEnum):
    read = "read"
    append = "append"
    verify = "verify"
    admin = "admin"


# What each web role may do, expressed in API scopes so one permission check serves both.
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.viewer: frozenset({Scope.read}),
    Role.reporter: frozenset({Scope.read, Scope.append}),
    Role.verifier: frozenset({Scope.read, Scope.append, Scope.verify}),
    Role.admin: frozenset(Scope),
}
