"""Web pages for NGO staff: login, dashboard, entry forms, lists, details and review.

Every page goes through the same service layer and marshmallow schemas as the API; views only
translate between HTML forms and those calls.

- ``blueprint``: the blueprint and the sign-in wiring; ``access``: the signed-in user as an
  ``Actor``, role checks, the login wall.
- ``records``: the pages every record kind has (filtered list, entry form), made from its
  description in ``humanitarian.kinds``; ``review``: the verification queue, one section per
  reviewed kind.
- ``incidents``, ``facilities``, ``movements``: each kind's routes, detail pages and what is
  particular to it (corrections, status changes).
- ``forms``: form data → the API's schemas, idempotent saves, ``form_page``; ``present``:
  dumps for the signed-in reader, names, labels, pagination.
- ``dashboard``, ``charts``, ``lookups``, ``audit``, ``auth``, ``errors``.
"""

from . import (  # noqa: F401  (each module registers its pages on the blueprint)
    access,
    audit,
    auth,
    dashboard,
    errors,
    facilities,
    imports,
    incidents,
    lookups,
    movements,
    retraction,
    review,
    webhooks,
)
from .blueprint import bp

__all__ = ["bp"]
