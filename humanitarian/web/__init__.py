"""Web pages for NGO staff: login, dashboard, entry forms, lists, details and review.

Every page goes through the same service layer and marshmallow schemas as the API; views only
translate between HTML forms and those calls.
"""

from . import (  # noqa: F401  (each module registers its pages on the blueprint)
    access,
    audit,
    auth,
    dashboard,
    errors,
    facilities,
    incidents,
    lookups,
    movements,
    review,
)
from .blueprint import bp

__all__ = ["bp"]
