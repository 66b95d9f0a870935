"""marshmallow schemas: the single contract for API request bodies, query strings and web form data.

Input schemas load into the service layer's typed inputs (``IncidentInput`` and friends).
They check shape, types, ranges and cross-field rules; rules that need the database
(p-codes that exist, known sources and facilities) are the services' job, and come back
in the same ``{field: [messages]}`` form.
"""

from .audit import AuditEventOutSchema, AuditQuerySchema
from .imports import (
    ImportJobOutSchema,
    ImportListQuerySchema,
    ImportListSchema,
    ImportUploadSchema,
)
from .inputs import (
    CorrectionSchema,
    FacilityInSchema,
    IncidentInSchema,
    MovementInSchema,
    StatusInSchema,
    VerificationSchema,
)
from .outputs import (
    AdminAreaSchema,
    FacilityOutSchema,
    IncidentOutSchema,
    IncidentRevisionSchema,
    LocateOutSchema,
    MovementOutSchema,
    SourceSchema,
    StatusOutSchema,
    SummarySchema,
)
from .queries import (
    AdminAreaQuerySchema,
    FacilityQuerySchema,
    IncidentQuerySchema,
    LocateQuerySchema,
    MovementQuerySchema,
    RollupQuerySchema,
    SummaryQuerySchema,
)
from .schedules import (
    DeliveryOutSchema,
    ScheduleFormSchema,
    ScheduleInSchema,
    ScheduleOutSchema,
    ScheduleQuerySchema,
)
from .sitreps import (
    SitrepFormSchema,
    SitrepOutSchema,
    SitrepQuerySchema,
    SitrepRequestSchema,
    SitrepWithdrawalFormSchema,
    SitrepWithdrawalSchema,
)

__all__ = [
    "DeliveryOutSchema",
    "ScheduleFormSchema",
    "ScheduleInSchema",
    "ScheduleOutSchema",
    "ScheduleQuerySchema",
    "ImportJobOutSchema",
    "ImportListQuerySchema",
    "ImportListSchema",
    "ImportUploadSchema",
    "AdminAreaQuerySchema",
    "AdminAreaSchema",
    "AuditEventOutSchema",
    "AuditQuerySchema",
    "CorrectionSchema",
    "FacilityInSchema",
    "FacilityOutSchema",
    "FacilityQuerySchema",
    "IncidentInSchema",
    "IncidentOutSchema",
    "IncidentQuerySchema",
    "IncidentRevisionSchema",
    "LocateOutSchema",
    "LocateQuerySchema",
    "MovementInSchema",
    "MovementOutSchema",
    "MovementQuerySchema",
    "SitrepFormSchema",
    "SitrepOutSchema",
    "SitrepQuerySchema",
    "SitrepRequestSchema",
    "SitrepWithdrawalFormSchema",
    "SitrepWithdrawalSchema",
    "SourceSchema",
    "StatusInSchema",
    "StatusOutSchema",
    "RollupQuerySchema",
    "SummaryQuerySchema",
    "SummarySchema",
    "VerificationSchema",
]
