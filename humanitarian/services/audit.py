"""The audit trail. ``audit`` joins the caller's transaction; ``record_event`` commits alone
(for reads, logins and exports, which have no transaction of their own)."""

from __future__ import annotations

from typing import Any, Optional

from ..extensions import db
from ..models import AuditEvent, Report
from .actors import Actor


def audit(
    actor: Actor,
    action: str,
    entity_type: Optional[str] = None,
    entity_id: Any = None,
    *,
    report: Optional[Report] = None,
    details: Optional[dict] = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        report_id=report.id if report is not None else None,
        user_id=actor.user_id,
        api_token_id=actor.token_id,
        organization_id=actor.organization_id,
        request_id=actor.request_id,
        ip=actor.ip,
        details=details,
    )
    db.session.add(event)
    return event


def record_event(actor: Actor, action: str, entity_type=None, entity_id=None, **kw) -> None:
    """Audit something that is not itself a write, in its own short transaction."""
    audit(actor, action, entity_type, entity_id, **kw)
    db.session.commit()
