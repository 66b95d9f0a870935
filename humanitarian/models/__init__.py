"""SQLAlchemy 2 typed models. Import from here, not from the submodules."""

from .accounts import ApiToken, Organization, Source, User
from .base import NAMING_CONVENTION, Base, utcnow
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

__all__ = [
    "NAMING_CONVENTION",
    "AdminArea",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Facility",
    "Incident",
    "IncidentRevision",
    "InfrastructureStatus",
    "Organization",
    "PopulationMovement",
    "Report",
    "Source",
    "User",
    "incident_sources",
    "movement_sources",
    "status_sources",
    "utcnow",
]
