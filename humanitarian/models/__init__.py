"""SQLAlchemy 2 typed models. Import from here, not from the submodules."""

from .accounts import ApiToken, Organization, SigninFailure, Source, User
from .base import NAMING_CONVENTION, Base, utcnow
from .imports import COUNTS, ImportFormat, ImportJob, ImportState
from .places import AdminArea
from .records import (
    Facility,
    Incident,
    IncidentRevision,
    InfrastructureStatus,
    PopulationMovement,
    incident_sources,
    movement_sources,
    status_sources,
)
from .reports import AuditEvent, Report
from .schedules import (
    WEEKDAYS,
    Cadence,
    DeliveryStatus,
    Language,
    SitrepDelivery,
    SitrepRecipient,
    SitrepSchedule,
)
from .sitreps import (
    RunStatus,
    SchedulerLease,
    Sitrep,
    SitrepRecord,
    SitrepRun,
    SitrepTrigger,
    apscheduler_jobs,
)
from .sync import ChangeEntry, WebhookAttempt, WebhookMessage, WebhookSubscription

__all__ = [
    "WEEKDAYS",
    "Cadence",
    "DeliveryStatus",
    "Language",
    "SitrepDelivery",
    "SitrepRecipient",
    "SitrepSchedule",
    "NAMING_CONVENTION",
    "AdminArea",
    "ApiToken",
    "AuditEvent",
    "ChangeEntry",
    "Base",
    "COUNTS",
    "Facility",
    "ImportFormat",
    "ImportJob",
    "ImportState",
    "Incident",
    "IncidentRevision",
    "InfrastructureStatus",
    "Organization",
    "PopulationMovement",
    "Report",
    "SigninFailure",
    "RunStatus",
    "SchedulerLease",
    "Sitrep",
    "SitrepRecord",
    "SitrepRun",
    "SitrepTrigger",
    "Source",
    "User",
    "WebhookAttempt",
    "WebhookMessage",
    "WebhookSubscription",
    "apscheduler_jobs",
    "incident_sources",
    "movement_sources",
    "status_sources",
    "utcnow",
]
