"""facility condition in four dimensions; ACLED fields and civilian targeting on incidents;
import jobs

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07 22:40:00.000000

A status entry's one-word ``status`` becomes ``functionality``, ``access`` and ``damage``
(``controlled_by`` was already its own column). Each old value sets only the dimensions it
implies; the others become ``unknown`` (README, "Facility condition"):

    status                functionality          access        damage
    operational           functional             open          unknown
    partially_functional  partially_functional   unknown       unknown
    restricted            unknown                restricted    unknown
    closed                unknown                closed        unknown
    damaged               unknown                unknown       partially_damaged
    destroyed             not_functional         unknown       fully_damaged
    unknown               unknown                unknown       unknown

The downgrade maps back by the most severe dimension (fully damaged → destroyed; closed or not
functional → closed; partially damaged → damaged; restricted; partially functional;
functional or open → operational; else unknown), so every old value round-trips.
"""

from alembic import op
import sqlalchemy as sa

import humanitarian.models.base


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FUNCTIONALITY = ("functional", "partially_functional", "not_functional", "unknown")
ACCESS = ("open", "restricted", "closed", "unknown")
DAMAGE = ("none", "partially_damaged", "fully_damaged", "unknown")
OLD_STATUS = (
    "operational", "partially_functional", "restricted", "closed", "damaged", "destroyed",
    "unknown",
)  # fmt: skip

# old status -> (functionality, access, damage)
UPGRADE = {
    "operational": ("functional", "open", "unknown"),
    "partially_functional": ("partially_functional", "unknown", "unknown"),
    "restricted": ("unknown", "restricted", "unknown"),
    "closed": ("unknown", "closed", "unknown"),
    "damaged": ("unknown", "unknown", "partially_damaged"),
    "destroyed": ("not_functional", "unknown", "fully_damaged"),
    "unknown": ("unknown", "unknown", "unknown"),
}
# (condition, old status), first match wins
DOWNGRADE = (
    ("damage = 'fully_damaged'", "destroyed"),
    ("access = 'closed' OR functionality = 'not_functional'", "closed"),
    ("damage = 'partially_damaged'", "damaged"),
    ("access = 'restricted'", "restricted"),
    ("functionality = 'partially_functional'", "partially_functional"),
    ("functionality = 'functional' OR access = 'open'", "operational"),
)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def _case(pairs, default):
    whens = " ".join(f"WHEN {cond} THEN '{value}'" for cond, value in pairs)
    return f"CASE {whens} ELSE '{default}' END"


def upgrade():
    with op.batch_alter_table("infrastructure_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("functionality", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("access", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("damage", sa.String(17), nullable=True))
    for position, column in enumerate(("functionality", "access", "damage")):
        pairs = [(f"status = '{old}'", new[position]) for old, new in UPGRADE.items()]
        op.execute(f"UPDATE infrastructure_statuses SET {column} = {_case(pairs, 'unknown')}")
    with op.batch_alter_table("infrastructure_statuses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_infrastructure_statuses_infra_status"), type_="check")
        batch_op.drop_column("status")
        batch_op.alter_column(
            "functionality",
            existing_type=sa.String(20),
            type_=_enum(FUNCTIONALITY, "functionality"),
            nullable=False,
        )
        batch_op.alter_column(
            "access", existing_type=sa.String(10), type_=_enum(ACCESS, "access"), nullable=False
        )
        batch_op.alter_column(
            "damage", existing_type=sa.String(17), type_=_enum(DAMAGE, "damage"), nullable=False
        )

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assoc_actor1", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("assoc_actor2", sa.String(500), nullable=True))
        batch_op.add_column(
            sa.Column(
                "civilian_targeting", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("disorder_type", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("location_name", sa.String(300), nullable=True))
        batch_op.add_column(
            sa.Column(
                "external_updated_at",
                humanitarian.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("civilian_targeting", server_default=None)
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(100), nullable=True))
        batch_op.create_index(batch_op.f("ix_movements_external_id"), ["external_id"], unique=True)

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("format", _enum(("acled", "hxl"), "import_format"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column(
            "sensitivity", _enum(("public", "partner", "restricted"), "sensitivity"), nullable=False
        ),
        sa.Column(
            "state",
            _enum(("pending", "running", "succeeded", "failed"), "import_state"),
            nullable=False,
        ),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=True),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("retracted", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("api_token_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", humanitarian.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "started_at", humanitarian.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "finished_at", humanitarian.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "processed_rows >= 0", name=op.f("ck_import_jobs_processed_rows_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["api_token_id"], ["api_tokens.id"], name=op.f("fk_import_jobs_api_token_id_api_tokens")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_import_jobs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint(
            "api_token_id",
            "idempotency_key",
            name=op.f("uq_import_jobs_api_token_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_import_jobs_user_id_idempotency_key")
        ),
    )
    op.create_index(
        "ix_import_jobs_state_created_at", "import_jobs", ["state", "created_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_import_jobs_state_created_at", table_name="import_jobs")
    op.drop_table("import_jobs")

    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movements_external_id"))
        batch_op.drop_column("external_id")

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in (
            "external_updated_at", "location_name", "disorder_type", "civilian_targeting",
            "assoc_actor2", "assoc_actor1",
        ):  # fmt: skip
            batch_op.drop_column(column)

    with op.batch_alter_table("infrastructure_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(20), nullable=True))
    op.execute(f"UPDATE infrastructure_statuses SET status = {_case(DOWNGRADE, 'unknown')}")
    with op.batch_alter_table("infrastructure_statuses", schema=None) as batch_op:
        for name in ("functionality", "access", "damage"):
            batch_op.drop_constraint(op.f(f"ck_infrastructure_statuses_{name}"), type_="check")
            batch_op.drop_column(name)
        batch_op.alter_column(
            "status",
            existing_type=sa.String(20),
            type_=_enum(OLD_STATUS, "infra_status"),
            nullable=False,
        )
