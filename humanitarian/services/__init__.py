"""The service layer. Web views, API views, CLI commands and scheduled jobs all call these."""

from .accounts import (
    authenticate,
    create_token,
    create_user,
    ensure_organization,
    ensure_source,
    list_sources,
    revoke_token,
    token_from_secret,
)
from .actors import Actor
from .areas import get_area, list_areas
from .audit import audit, record_event
from .errors import (
    BusinessRuleError,
    Conflict,
    InvalidCursor,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from .facilities import (
    create_facility,
    current_status,
    current_statuses,
    facility_select,
    get_facility,
    list_facilities,
    set_infrastructure_status,
    set_status_verification,
    status_changes,
    status_history,
)
from .filters import BBox, Page, RecordFilter
from .incidents import (
    correct_incident,
    get_incident,
    incident_revisions,
    incident_select,
    list_incidents,
    record_incident,
    set_incident_verification,
)
from .inputs import FacilityInput, IncidentInput, Location, MovementInput, StatusInput
from .movements import (
    get_movement,
    list_movements,
    movement_select,
    record_movement,
    set_movement_verification,
)
from .reports import Replay, open_report, request_fingerprint
from .summary import Summary, summarize

__all__ = [
    "Actor",
    "BBox",
    "BusinessRuleError",
    "Conflict",
    "FacilityInput",
    "IncidentInput",
    "InvalidCursor",
    "Location",
    "MovementInput",
    "NotAuthenticated",
    "NotFound",
    "Page",
    "PermissionDenied",
    "RecordFilter",
    "Replay",
    "ServiceError",
    "StatusInput",
    "Summary",
    "audit",
    "authenticate",
    "correct_incident",
    "create_facility",
    "create_token",
    "create_user",
    "current_status",
    "current_statuses",
    "ensure_organization",
    "ensure_source",
    "facility_select",
    "get_area",
    "get_facility",
    "get_incident",
    "get_movement",
    "incident_revisions",
    "incident_select",
    "list_areas",
    "list_facilities",
    "list_incidents",
    "list_movements",
    "list_sources",
    "movement_select",
    "open_report",
    "record_event",
    "record_incident",
    "record_movement",
    "request_fingerprint",
    "revoke_token",
    "set_incident_verification",
    "set_infrastructure_status",
    "set_movement_verification",
    "set_status_verification",
    "status_changes",
    "status_history",
    "summarize",
    "token_from_secret",
]
