"""Finding traces of records a reader must not see in any response body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .data import (
    DISPLACED,
    DRAFT_KILLED,
    DRAFT_MARK,
    INJURED,
    KILLED,
    MARK,
    ORPHAN_MARK,
    SENSITIVITIES,
    above,
    allows,
    expected_summary,
    number_forms,
)
from .world import World


@dataclass(frozen=True)
class Secrets:
    """What a reader with some grant must never be shown."""

    texts: frozenset[str]  # markers and record ids: searched as plain substrings
    numbers: frozenset[str]  # figures: searched as whole numbers only

    def found_in(self, body: str) -> list[str]:
        found = [t for t in self.texts if t in body]
        found += [n for n in self.numbers if _whole_number(n).search(body)]
        return sorted(found)


def _whole_number(text: str) -> re.Pattern:
    # Not part of a longer number, word, UUID or token (those use letters, '-', '.' and '_').
    return re.compile(rf"(?<![\w.\-]){re.escape(text)}(?![\w\-]|\.\d)")


def secrets_for(world: World, grant: str) -> Secrets:
    texts = {MARK[s] for s in above(grant)} | world.hidden_ids(grant)
    figures = {n for s in above(grant) for n in (KILLED[s], INJURED[s], DISPLACED[s])}
    if grant != "restricted":
        texts |= {DRAFT_MARK, ORPHAN_MARK}
        figures.add(DRAFT_KILLED)
    # Totals as a higher grant would see them: a sum is a leak even if no record is shown.
    for higher in SENSITIVITIES:
        if not allows(grant, higher):
            totals = expected_summary(higher)
            figures |= {totals[k] for k in ("killed", "injured", "displaced_individuals")}
    numbers = {form for n in figures for form in number_forms(n)}
    return Secrets(frozenset(texts), frozenset(numbers))


REQUEST_ID = re.compile(r"\b[0-9a-f]{32}\b")
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')
# Messages flashed by the caller's previous request (say, "Correction saved") show on the next.
FLASHED = re.compile(r'<p class="flash [^"]*" role="[^"]*">.*?</p>', re.S)


def comparable(response, asked_for: str) -> tuple:
    """A response reduced to what may not differ between two 404s: status, type and body,
    less per-request noise (request ids, CSRF tokens, flashed messages) and the id asked for."""
    body = FLASHED.sub("", response.get_data(as_text=True).replace(asked_for, "<id>"))
    body = CSRF_VALUE.sub(r"\1<csrf>\2", REQUEST_ID.sub("<request-id>", body))
    return response.status_code, response.headers.get("Content-Type"), body
