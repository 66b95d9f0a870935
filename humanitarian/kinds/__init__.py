"""One description per record kind (``Kind``): its model, input/output/query schemas, export
columns with their HXL hashtags, list filters' choices, service functions (list, export, get,
append, verify), labels, and the web pages of its records.

The API (``api/records.py``: list, export, append, item), the web (``web/records.py``: lists and
entry forms; ``web/review.py``: the verification queue) and the exports (``api/exports.py``)
are written once against a ``Kind``; each API or web module adds only what is particular to
its kind (an incident's revisions, a facility's status history).

This package sits between the service layer and the surfaces: it imports services and schemas,
and is imported only by surfaces.
"""

from .base import (
    Column,
    Kind,
    Listing,
    RecordPage,
    Summaries,
    adm,
    admin_columns,
    point_geometry,
)
from .facilities import FACILITIES, STATUSES
from .incidents import INCIDENTS
from .movements import MOVEMENTS

# Every kind, by name.
KINDS = {kind.name: kind for kind in (INCIDENTS, FACILITIES, STATUSES, MOVEMENTS)}
# The kinds a verifier reviews, in the order the queue shows them.
REVIEWED = (INCIDENTS, STATUSES, MOVEMENTS)

__all__ = [
    "FACILITIES",
    "INCIDENTS",
    "KINDS",
    "MOVEMENTS",
    "REVIEWED",
    "STATUSES",
    "Column",
    "Kind",
    "Listing",
    "RecordPage",
    "Summaries",
    "adm",
    "admin_columns",
    "point_geometry",
]
