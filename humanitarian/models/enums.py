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


class InfraStatus(StrEnum):
    operational = "operational"
    partially_functional = "partially_functional"
    restricted = "restricted"
    closed = "closed"
    damaged = "damaged"
    destroyed = "destroyed"
    unknown = "unknown"


# Statuses that dashboards and sitreps highlight as impaired.
IMPAIRED_STATUSES = (
    InfraStatus.restricted,
    InfraStatus.closed,
    InfraStatus.damaged,
    InfraStatus.destroyed,
)


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
