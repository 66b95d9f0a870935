"""The seeded data as tables: which records exist at which sensitivity, with marker strings,
figures and places distinctive enough that a leak shows in any output. What the tests expect
is computed from these tables, never written down a second time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from tests.factories import condition

SENSITIVITIES = ("public", "partner", "restricted")
RANK = {s: i for i, s in enumerate(SENSITIVITIES)}
SCOPES = ("read", "append", "verify", "admin")
ROLES = ("viewer", "reporter", "verifier", "admin")
HOME_ORG, OTHER_ORG = "Home Relief", "Other Relief"
MISSING = "missing"  # a record id that exists nowhere
MISSING_ID = uuid.UUID("00000000-0000-4000-8000-00000000dead")

AREA, DISTRICT = "SY07", "SY0700"
PERIOD = (date(2024, 11, 27), date(2024, 12, 4))

# Distinctive text and figures: none of them can occur on a page by chance.
MARK = {"public": "Qxpub4417", "partner": "Qxprt5528", "restricted": "Qxrst6639"}
DRAFT_MARK, DRAFT_KILLED = "Qxdrf7741", 9967  # a restricted first revision of the public incident
ORPHAN_MARK = "Qxorph8852"  # a public status entry on the restricted facility
KILLED = {"public": 4711, "partner": 6427, "restricted": 8243}
INJURED = {"public": 5813, "partner": 7039, "restricted": 9151}
DISPLACED = {"public": 31170, "partner": 52290, "restricted": 73310}
INCIDENT_AT = {
    "public": (35.98761, 36.71429),
    "partner": (35.87413, 36.58217),
    "restricted": (35.91873, 36.65341),
}
FACILITY_AT = {
    "public": (35.95163, 36.68472),
    "partner": (35.88529, 36.60917),
    "restricted": (35.96347, 36.57281),
}
DISTRICT_CENTROID = (35.89077, 36.79123)  # SY0700 in the shipped gazetteer


@dataclass(frozen=True)
class StatusRow:
    facility: str  # the facility's sensitivity
    sensitivity: str  # the entry's own
    status: str
    day: int  # of November 2024
    mark: str

    @property
    def level(self) -> str:
        """Who may see the entry: both it and its facility must be within the grant."""
        return max(self.facility, self.sensitivity, key=RANK.get)


STATUS_ROWS = (
    StatusRow("public", "public", "closed", 28, f"Status {MARK['public']}"),
    StatusRow("public", "partner", "damaged", 29, f"Status {MARK['partner']}"),
    StatusRow("public", "restricted", "destroyed", 30, f"Status {MARK['restricted']}"),
    StatusRow("partner", "partner", "partially_functional", 29, f"Status {MARK['partner']}"),
    StatusRow("restricted", "restricted", "restricted", 29, f"Status {MARK['restricted']}"),
    StatusRow("restricted", "public", "operational", 30, f"Status {ORPHAN_MARK}"),
)


def allows(grant: str, sensitivity: str) -> bool:
    return RANK[sensitivity] <= RANK[grant]


def up_to(grant: str) -> list[str]:
    return [s for s in SENSITIVITIES if allows(grant, s)]


def above(grant: str) -> list[str]:
    return [s for s in SENSITIVITIES if not allows(grant, s)]


# --- what each grant should see, derived from the tables -------------------------------------


def expected_summary(grant: str) -> dict:
    """The /summary figures for the area and period as a reader with ``grant`` must get them."""
    latest: dict[str, StatusRow] = {}
    for row in sorted(STATUS_ROWS, key=lambda r: r.day):
        if allows(grant, row.facility) and allows(grant, row.sensitivity):
            latest[row.facility] = row
    by_access: dict[str, int] = {}
    for row in latest.values():
        access = condition(row.status)["access"]
        by_access[access] = by_access.get(access, 0) + 1
    seen = up_to(grant)
    return {
        "incidents_total": len(seen),
        "killed": sum(KILLED[s] for s in seen),
        "injured": sum(INJURED[s] for s in seen),
        "displaced_individuals": sum(DISPLACED[s] for s in seen),
        "facilities_by_access": by_access,
    }


def number_forms(n: int) -> set[str]:
    """How a figure may be printed: plain, or with thousands separators."""
    return {str(n), f"{n:,}", f"{n:,}".replace(",", "\u202f"), f"{n:,}".replace(",", " ")}


def coordinate_forms(value: float) -> set[str]:
    """An exact coordinate as JSON/CSV print it and as pages round it."""
    return {repr(value), f"{value:.4f}"}
