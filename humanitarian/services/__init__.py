"""The service layer. Web views, API views, CLI commands, imports and scheduled jobs all call
these functions; each checks permissions, validates and owns its transaction.

Layers run one way: models ← services ← surfaces (``api``, ``web``, ``reports``, ``cli``,
``scheduler``/``jobs``). Nothing here imports a surface, ``humanitarian.kinds`` or ``schemas``
(``tests/test_architecture.py`` fails if it does).

Where things live:

- ``actors``: who is acting (``Actor``); ``errors``: what a service raises.
- ``visibility``: what an actor may see: records above their grant (none), locations (public
  readers: no finer than the district), links to facilities above their grant (none). The one
  place for these rules; every surface goes through it.
- ``records``: what every record kind shares: keyset pages, reading one visible record,
  verification kept as workflow state.
- ``incidents``, ``facilities`` (with their status entries), ``movements``: append, correct,
  verify, list and export each kind; ``inputs``: their typed inputs; ``filters``: list filters.
- ``reports``: the envelope of every write (one transaction, idempotency keys); ``audit``: the
  audit trail.
- ``areas``: admin areas (p-codes, subtrees, districts, centroids, name search); ``places``: the
  gazetteer in memory (names, hierarchy, boundaries); ``locate``: point in area; ``gazetteer``,
  ``cod``: loading a COD-style gazetteer; ``boundaries``: boundaries as GeoJSON; ``mapping``:
  what maps show (frames, borders, incidents per district).
- ``summary``, ``comparison``: key figures; ``sitrep_content``: what a sitrep shows (the PDF
  renderer is registered by ``reports``); ``sitreps``, ``sitrep_files``: generation and archive;
  ``schedules``: sitrep schedules as data; ``deliveries``, ``mail``: e-mailing scheduled sitreps
  to their recipients.
- ``summary``'s neighbour ``rollups``: HDX HAPI monthly aggregates over the lists' selections.
- ``accounts``: users, tokens, sources; ``demo``: the demo scenario.
- ``imports``: writing imported rows (all or nothing per file, external ids, the retraction
  seam); ``acled``: reading ACLED exports; ``import_jobs``: uploads stored as jobs, claimed
  once, with progress. Reading HXL needs the kinds' hashtags and schemas, so it lives in
  ``humanitarian.kinds.hxl``, and ``humanitarian.kinds.imports`` runs an import end to end.
"""

from .accounts import (
    authenticate,
    create_token,
    create_user,
    ensure_organization,
    ensure_source,
    list_sources,
    record_token_use,
    revoke_token,
    token_from_secret,
)
from .actors import Actor
from .areas import get_area, list_areas
from .audit import (
    AuditFilter,
    audit,
    audit_actions,
    audit_actor_labels,
    audit_export_select,
    list_audit_events,
    record_event,
)
from .deliveries import (
    delivered_pdf,
    list_deliveries,
    recipient_for_token,
    send_due_deliveries,
    unsubscribe,
)
from .errors import (
    BusinessRuleError,
    Conflict,
    InvalidCursor,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from .facilities import (
    create_facility,
    current_status,
    current_statuses,
    facility_export_select,
    facility_select,
    get_facility,
    list_facilities,
    set_infrastructure_status,
    set_status_verification,
    status_changes,
    status_history,
    with_current_status,
)
from .filters import BBox, Page, RecordFilter
from .gazetteer import LoadResult, load_areas
from .incidents import (
    correct_incident,
    get_incident,
    incident_export_select,
    incident_revisions,
    incident_select,
    list_incidents,
    record_incident,
    set_incident_verification,
)
from .inputs import FacilityInput, IncidentInput, Location, MovementInput, StatusInput
from .locate import locate, resolve_location
from .movements import (
    get_movement,
    list_movements,
    movement_export_select,
    movement_select,
    record_movement,
    set_movement_verification,
)
from .reports import Replay, open_report, request_fingerprint
from .schedules import (
    ScheduleInput,
    create_schedule,
    get_schedule,
    list_schedules,
    schedule_input,
    stop_schedule,
    update_schedule,
)
from .sitrep_runs import list_sitrep_runs, retry_failed_sitreps
from .sitrep_withdrawal import withdraw_sitrep, withdrawal_suggestions
from .sitreps import (
    SitrepFailed,
    generate_sitrep,
    get_sitrep,
    list_sitreps,
    sitrep_pdf_path,
)
from .summary import Summary, summarize
from .visibility import ReaderView, coarsened, location_hidden

__all__ = [
    "delivered_pdf",
    "list_deliveries",
    "recipient_for_token",
    "send_due_deliveries",
    "unsubscribe",
    "ScheduleInput",
    "create_schedule",
    "get_schedule",
    "list_schedules",
    "schedule_input",
    "stop_schedule",
    "update_schedule",
    "Actor",
    "AuditFilter",
    "BBox",
    "BusinessRuleError",
    "Conflict",
    "FacilityInput",
    "IncidentInput",
    "InvalidCursor",
    "InvalidInput",
    "LoadResult",
    "Location",
    "MovementInput",
    "NotAuthenticated",
    "NotFound",
    "Page",
    "PermissionDenied",
    "RecordFilter",
    "ReaderView",
    "Replay",
    "ServiceError",
    "SitrepFailed",
    "StatusInput",
    "Summary",
    "audit",
    "audit_actions",
    "audit_actor_labels",
    "audit_export_select",
    "authenticate",
    "correct_incident",
    "create_facility",
    "create_token",
    "create_user",
    "generate_sitrep",
    "coarsened",
    "current_status",
    "current_statuses",
    "ensure_organization",
    "ensure_source",
    "facility_export_select",
    "facility_select",
    "get_area",
    "get_facility",
    "get_incident",
    "get_movement",
    "get_sitrep",
    "incident_export_select",
    "incident_revisions",
    "incident_select",
    "list_areas",
    "list_audit_events",
    "list_facilities",
    "list_incidents",
    "list_movements",
    "list_sitrep_runs",
    "retry_failed_sitreps",
    "list_sitreps",
    "list_sources",
    "load_areas",
    "locate",
    "location_hidden",
    "movement_export_select",
    "movement_select",
    "open_report",
    "record_event",
    "record_incident",
    "record_movement",
    "record_token_use",
    "request_fingerprint",
    "resolve_location",
    "revoke_token",
    "set_incident_verification",
    "set_infrastructure_status",
    "set_movement_verification",
    "set_status_verification",
    "sitrep_pdf_path",
    "status_changes",
    "status_history",
    "summarize",
    "token_from_secret",
    "with_current_status",
    "withdraw_sitrep",
    "withdrawal_suggestions",
]
