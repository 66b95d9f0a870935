"""The highlights box: short sentences generated from the sitrep's data, most important first.

Each rule looks at one part of the content and returns a sentence or nothing; no sentence is
written by hand, so a highlight always matches the tables below it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Optional

from ..models.enums import condition_words
from .labels import TARGET_SINGULAR, day, number, period

if TYPE_CHECKING:
    from ..services.sitrep_content import SitrepContent

# Strikes and attacks on these targets are what sitreps single out as civilian harm.
_CIVILIAN_HARM_EVENTS = {"explosions_remote_violence", "violence_against_civilians"}
_TERRITORY_SUBEVENTS = {
    "non_state_actor_overtakes_territory",
    "government_regains_territory",
    "non_violent_transfer_of_territory",
}
MAX_HIGHLIGHTS = 8
MAX_FACILITY_SENTENCES = 4


def _severity(entry) -> int:
    """Closures and destruction lead; then damage; then restrictions and the rest."""
    if str(entry.access) == "closed" or str(entry.damage) == "fully_damaged":
        return 0
    if str(entry.damage) == "partially_damaged" or str(entry.functionality) == "not_functional":
        return 1
    return 2


def highlights(content: SitrepContent) -> list[str]:
    sentences: list[str] = []
    for rule in (_casualties, _civilian_targets):
        sentences.append(rule(content))
    sentences += _facility_sentences(content)[:MAX_FACILITY_SENTENCES]
    for rule in (_territory, _displacement):
        sentences.append(rule(content))
    sentences = [s for s in sentences if s]
    if not sentences:
        sentences.append(
            f"No incidents, status changes or population movements recorded for "
            f"{content.area.name_en} in {period(content.period_start, content.period_end)}."
        )
    return sentences[:MAX_HIGHLIGHTS]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _facility_sentences(content: SitrepContent) -> list[str]:
    """'Aleppo International Airport closed since 1 Dec 2024; all flights cancelled.'"""
    out = []
    rows = [r for r in content.statuses if r.changed and r.after is not None and r.after.impaired]
    rows.sort(key=lambda r: (_severity(r.after), r.after.effective_from))
    for row in rows:
        entry = row.after
        condition = " and ".join(condition_words(entry, impaired_only=True))
        sentence = f"{row.facility.name} {condition} since {day(entry.effective_from)}"
        if entry.details:
            sentence += f"; {_lower_first(entry.details.rstrip('.'))}"
        if entry.controlled_by and (
            row.before is None or row.before.controlled_by != entry.controlled_by
        ):
            sentence += f" (now controlled by {entry.controlled_by})"
        out.append(sentence + ".")
    return out


def _casualties(content: SitrepContent) -> Optional[str]:
    s = content.summary
    if not s.incidents_total:
        return None
    text = (
        f"{number(s.incidents_total)} incident{'s' if s.incidents_total != 1 else ''} recorded "
        f"in {content.area.name_en}"
    )
    if s.killed or s.injured:
        text += f"; at least {number(s.killed)} people killed and {number(s.injured)} injured"
    before = content.previous
    text += (
        f" (previous period: {number(before.incidents_total)} incidents, "
        f"{number(before.killed)} killed, {number(before.injured)} injured)."
    )
    return text


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _civilian_targets(content: SitrepContent) -> Optional[str]:
    """'Strikes and attacks hit residential areas, a fuel station and a school; 13 killed, 38 injured.'"""
    hits = [
        i
        for i in content.incidents
        if str(i.event_type) in _CIVILIAN_HARM_EVENTS
        and i.target_type is not None
        and str(i.target_type) in TARGET_SINGULAR
    ]
    if not hits:
        return None
    targets = Counter(str(i.target_type) for i in hits)
    phrases = [
        TARGET_SINGULAR[t] if n == 1 or t == "residential_area" else f"{n} × {TARGET_SINGULAR[t]}"
        for t, n in targets.most_common()
    ]
    killed = sum(i.killed or 0 for i in hits)
    injured = sum(i.injured or 0 for i in hits)
    return (
        f"Strikes and attacks hit {_join(phrases)} ({len(hits)} incident"
        f"{'s' if len(hits) != 1 else ''}; {number(killed)} killed, {number(injured)} injured)."
    )


def _territory(content: SitrepContent) -> Optional[str]:
    changes = [i for i in content.incidents if str(i.sub_event_type) in _TERRITORY_SUBEVENTS]
    if not changes:
        return None
    titles = "; ".join(f"{i.title} ({day(i.occurred_on)})" for i in changes[:4])
    more = f"; and {len(changes) - 4} more" if len(changes) > 4 else ""
    return f"Changes of territorial control reported: {titles}{more}."


def _displacement(content: SitrepContent) -> Optional[str]:
    s = content.summary
    if not s.displaced_individuals and not s.returned_individuals:
        return None
    parts = []
    if s.displaced_individuals:
        parts.append(
            f"an estimated {number(s.displaced_individuals)} people displaced from "
            f"{content.area.name_en}"
        )
    if s.returned_individuals:
        parts.append(f"{number(s.returned_individuals)} returned to it")
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]} (flows overlapping the period)."
