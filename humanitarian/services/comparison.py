"""Period-on-period comparison of key figures (sitreps, dashboards)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from ..models.enums import Access, Damage
from .actors import Actor
from .summary import Summary, summarize


def previous_period(since: date, until: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``since``."""
    length = (until - since).days + 1
    return since - timedelta(days=length), since - timedelta(days=1)


@dataclass(frozen=True)
class Change:
    """A figure for this period next to the previous period's."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def percent(self) -> Optional[float]:
        """Relative change; None when the previous value was 0 (no meaningful ratio)."""
        if self.previous == 0:
            return None
        return 100.0 * self.delta / self.previous


def _closed(summary: Summary) -> int:
    return summary.facilities_by_access.get(Access.closed, 0)


def _damaged(summary: Summary) -> int:
    by = summary.facilities_by_damage
    return by.get(Damage.partially_damaged, 0) + by.get(Damage.fully_damaged, 0)


# Key figure name -> how to read it from a Summary. Order is the order sitreps show them in.
KEY_FIGURES = {
    "incidents": lambda s: s.incidents_total,
    "killed": lambda s: s.killed,
    "injured": lambda s: s.injured,
    "displaced": lambda s: s.displaced_individuals,
    "returned": lambda s: s.returned_individuals,
    "facilities_closed": _closed,
    "facilities_damaged": _damaged,
}


def compare_summaries(current: Summary, previous: Summary) -> dict[str, Change]:
    return {name: Change(read(current), read(previous)) for name, read in KEY_FIGURES.items()}


def summarize_with_previous(
    actor: Actor, admin_pcode: Optional[str], since: date, until: date
) -> tuple[Summary, Summary, dict[str, Change]]:
    """This period's summary, the previous period's, and the key figures side by side."""
    current = summarize(actor, admin_pcode, since, until)
    before = summarize(actor, admin_pcode, *previous_period(since, until))
    return current, before, compare_summaries(current, before)
