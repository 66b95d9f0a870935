"""Withdrawing a published sitrep: when a record it showed should no longer be shown to its
audience (raised above it, or retracted), a verifier or admin takes the edition down.

The row and the file stay (the archive is a record of what was published); the PDF is no
longer served (410 with the reason), the listing shows the edition withdrawn, and the same
area, period and audience can be generated again.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ..extensions import db
from ..models import Sitrep, utcnow
from ..models.enums import Scope, Sensitivity
from .actors import Actor
from .audit import audit
from .errors import BusinessRuleError
from .sitrep_records import withdrawal_suggested
from .sitreps import sitrep_within_grant

MAX_REASON = 2000


def withdraw_sitrep(actor: Actor, sitrep_id, reason: str) -> Sitrep:
    """Withdraw an archived edition with a reason (verifiers and admins). Withdrawing one
    already withdrawn changes nothing and returns it as it is."""
    actor.require(Scope.verify)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError("a withdrawal needs a reason", errors={"reason": ["Required."]})
    if len(reason) > MAX_REASON:
        raise BusinessRuleError(
            "reason too long", errors={"reason": [f"At most {MAX_REASON} characters."]}
        )
    sitrep = sitrep_within_grant(actor, sitrep_id)  # 404 above the grant, as for reading
    locked = db.session.scalars(
        select(Sitrep).where(Sitrep.id == sitrep.id).with_for_update()
    ).one()
    if locked.withdrawn_at is not None:
        db.session.commit()
        return locked
    locked.withdrawn_at, locked.withdrawn_by = utcnow(), actor.label
    locked.withdrawal_reason = reason
    audit(
        actor,
        "sitrep.withdraw",
        "sitrep",
        locked.id,
        details={"reason": reason, "audience": str(locked.audience)},
        sensitivity=locked.audience,
    )
    db.session.commit()
    return locked


def withdrawal_suggestions(actor: Actor, sitreps: list[Sitrep]) -> dict[uuid.UUID, str]:
    """Why each standing edition listed might be withdrawn, for those who may withdraw it.
    Only changes within the reader's grant are counted: a verifier does not learn from the
    suggestion that a record they cannot see was raised to a level they cannot see."""
    if Scope.verify not in actor.scopes:
        return {}
    standing = [s.id for s in sitreps if s.withdrawn_at is None]
    return withdrawal_suggested(standing, seen_by=Sensitivity(actor.max_sensitivity))
