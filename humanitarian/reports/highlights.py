"""The highlights box: short sentences generated from the sitrep's data, most important first.

Each rule looks at one part of the content and returns a sentence or nothing; no sentence is
written by hand, so a highlight always matches the tables below it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Optional

from flask_babel import gettext as _
from flask_babel import ngettext

from ..models.enums import condition_words
from .labels import TARGET_SINGULAR, day, is_arabic, number, period

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
            _(
                "No incidents, status changes or population movements recorded for %(area)s "
                "in %(period)s.",
                area=_area(content.area),
                period=period(content.period_start, content.period_end),
            )
        )
    return sentences[:MAX_HIGHLIGHTS]


def _area(area) -> str:
    return area.name_ar if is_arabic() and area.name_ar else area.name_en


def _lower_first(text: str) -> str:
    if is_arabic():
        return text
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _facility_sentences(content: SitrepContent) -> list[str]:
    """'Aleppo International Airport closed since 1 Dec 2024; all flights cancelled.'"""
    out = []
    rows = [r for r in content.statuses if r.changed and r.after is not None and r.after.impaired]
    rows.sort(key=lambda r: (_severity(r.after), r.after.effective_from))
    for row in rows:
        entry = row.after
        name = row.facility.name_ar if is_arabic() and row.facility.name_ar else row.facility.name
        sentence = _(
            "%(facility)s %(status)s since %(day)s",
            facility=name,
            status=" and ".join(condition_words(entry, impaired_only=True)),
            day=day(entry.effective_from),
        )
        if entry.details:
            sentence += f"{'؛' if is_arabic() else ';'} {_lower_first(entry.details.rstrip('.'))}"
        if entry.controlled_by and (
            row.before is None or row.before.controlled_by != entry.controlled_by
        ):
            sentence += " " + _("(now controlled by %(who)s)", who=entry.controlled_by)
        out.append(sentence + ".")
    return out


def _casualties(content: SitrepContent) -> Optional[str]:
    s = content.summary
    if not s.incidents_total:
        return None
    text = ngettext(
        "%(count)s incident recorded in %(area)s",
        "%(count)s incidents recorded in %(area)s",
        s.incidents_total,
        count=number(s.incidents_total),
        area=_area(content.area),
    )
    if s.killed or s.injured:
        text += _(
            "; at least %(killed)s people killed and %(injured)s injured",
            killed=number(s.killed),
            injured=number(s.injured),
        )
    before = content.previous
    text += " " + _(
        "(previous period: %(incidents)s incidents, %(killed)s killed, %(injured)s injured).",
        incidents=number(before.incidents_total),
        killed=number(before.killed),
        injured=number(before.injured),
    )
    return text


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    comma = "، " if is_arabic() else ", "
    return _("%(items)s and %(last)s", items=comma.join(items[:-1]), last=items[-1])


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
        str(TARGET_SINGULAR[t])
        if n == 1 or t == "residential_area"
        else f"{number(n)} × {TARGET_SINGULAR[t]}"
        for t, n in targets.most_common()
    ]
    killed = sum(i.killed or 0 for i in hits)
    injured = sum(i.injured or 0 for i in hits)
    return ngettext(
        "Strikes and attacks hit %(targets)s (%(count)s incident; %(killed)s killed, %(injured)s injured).",
        "Strikes and attacks hit %(targets)s (%(count)s incidents; %(killed)s killed, %(injured)s injured).",
        len(hits),
        targets=_join(phrases),
        count=number(len(hits)),
        killed=number(killed),
        injured=number(injured),
    )


def _territory(content: SitrepContent) -> Optional[str]:
    changes = [i for i in content.incidents if str(i.sub_event_type) in _TERRITORY_SUBEVENTS]
    if not changes:
        return None
    titles = "; ".join(f"{i.title} ({day(i.occurred_on)})" for i in changes[:4])
    more = (
        "; " + _("and %(count)s more", count=number(len(changes) - 4)) if len(changes) > 4 else ""
    )
    return _(
        "Changes of territorial control reported: %(titles)s%(more)s.", titles=titles, more=more
    )


def _displacement(content: SitrepContent) -> Optional[str]:
    s = content.summary
    if not s.displaced_individuals and not s.returned_individuals:
        return None
    parts = []
    if s.displaced_individuals:
        parts.append(
            _(
                "an estimated %(count)s people displaced from %(area)s",
                count=number(s.displaced_individuals),
                area=_area(content.area),
            )
        )
    if s.returned_individuals:
        parts.append(_("%(count)s returned to it", count=number(s.returned_individuals)))
    text = ("؛ " if is_arabic() else "; ").join(parts)
    return _("%(text)s (flows overlapping the period).", text=f"{text[:1].upper()}{text[1:]}")
