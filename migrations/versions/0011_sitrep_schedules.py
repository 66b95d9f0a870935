"""sitrep schedules as data, e-mail recipients and deliveries, and a language per sitrep

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from humanitarian.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

# The key of the editions standing (0008 made it partial: a withdrawn one leaves room).
EDITION_INDEX = "uq_sitreps_edition"
KEY = ("admin_pcode", "period_start", "period_end", "audience")
STANDING = sa.text("withdrawn_at IS NULL")


def _edition_index(columns):
    # Outside any batch: SQLite's table copy would not keep the index's WHERE clause.
    op.create_index(
        EDITION_INDEX,
        "sitreps",
        list(columns),
        unique=True,
        sqlite_where=STANDING,
        postgresql_where=STANDING,
    )


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def upgrade():
    op.create_table(
        "sitrep_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("admin_pcode", sa.String(length=20), nullable=False),
        sa.Column(
            "cadence", _enum("schedule_cadence", "daily", "weekly", "monthly"), nullable=False
        ),
        sa.Column("weekday", sa.String(length=3), nullable=True),
        sa.Column("run_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "audience",
            _enum("schedule_audience", "public", "partner", "restricted"),
            nullable=False,
        ),
        sa.Column("language", _enum("schedule_language", "en", "ar"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=True),
        sa.Column("last_run_at", UTCDateTime(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "weekday IS NULL OR weekday IN ('mon','tue','wed','thu','fri','sat','sun')",
            name=op.f("ck_sitrep_schedules_weekday_valid"),
        ),
        sa.CheckConstraint(
            "cadence <> 'weekly' OR weekday IS NOT NULL",
            name=op.f("ck_sitrep_schedules_weekly_has_weekday"),
        ),
        sa.ForeignKeyConstraint(
            ["admin_pcode"],
            ["admin_areas.pcode"],
            name=op.f("fk_sitrep_schedules_admin_pcode_admin_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sitrep_schedules_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitrep_schedules")),
    )
    op.create_index(
        "ix_sitrep_schedules_active_next_run_at", "sitrep_schedules", ["active", "next_run_at"]
    )
    op.create_index(op.f("ix_sitrep_schedules_admin_pcode"), "sitrep_schedules", ["admin_pcode"])
    op.create_table(
        "sitrep_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("unsubscribed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["sitrep_schedules.id"],
            name=op.f("fk_sitrep_recipients_schedule_id_sitrep_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitrep_recipients")),
        sa.UniqueConstraint(
            "schedule_id", "email", name=op.f("uq_sitrep_recipients_schedule_id_email")
        ),
    )
    op.create_table(
        "sitrep_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitrep_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "status",
            _enum("delivery_status", "pending", "sent", "failed", "cancelled"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "attempts >= 0", name=op.f("ck_sitrep_deliveries_attempts_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["sitrep_recipients.id"],
            name=op.f("fk_sitrep_deliveries_recipient_id_sitrep_recipients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["sitrep_schedules.id"],
            name=op.f("fk_sitrep_deliveries_schedule_id_sitrep_schedules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sitrep_id"], ["sitreps.id"], name=op.f("fk_sitrep_deliveries_sitrep_id_sitreps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitrep_deliveries")),
        sa.UniqueConstraint(
            "sitrep_id", "recipient_id", name=op.f("uq_sitrep_deliveries_sitrep_id_recipient_id")
        ),
    )
    op.create_index(
        "ix_sitrep_deliveries_status_next_attempt_at",
        "sitrep_deliveries",
        ["status", "next_attempt_at"],
    )
    op.create_index(op.f("ix_sitrep_deliveries_sitrep_id"), "sitrep_deliveries", ["sitrep_id"])
    op.create_index(op.f("ix_sitrep_deliveries_schedule_id"), "sitrep_deliveries", ["schedule_id"])
    # Every sitrep made so far is English.
    op.drop_index(EDITION_INDEX, table_name="sitreps")
    with op.batch_alter_table("sitreps") as batch:
        batch.add_column(
            sa.Column(
                "language",
                _enum("sitrep_language", "en", "ar"),
                nullable=False,
                server_default="en",
            )
        )
        batch.add_column(sa.Column("highlights", sa.Text(), nullable=True))
    with op.batch_alter_table("sitrep_runs") as batch:
        batch.add_column(
            sa.Column(
                "language", _enum("run_language", "en", "ar"), nullable=False, server_default="en"
            )
        )
        batch.add_column(sa.Column("schedule_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_sitrep_runs_schedule_id_sitrep_schedules"),
            "sitrep_schedules",
            ["schedule_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_sitrep_runs_schedule_id"), ["schedule_id"])
    with op.batch_alter_table("sitreps") as batch:
        batch.alter_column("language", server_default=None)
    with op.batch_alter_table("sitrep_runs") as batch:
        batch.alter_column("language", server_default=None)
    _edition_index([*KEY, "language"])


def downgrade():
    # Arabic editions have no place in the older schema (its key has no language).
    op.execute(
        "DELETE FROM sitrep_records WHERE sitrep_id IN "
        "(SELECT id FROM sitreps WHERE language <> 'en')"
    )
    op.execute(
        "UPDATE sitrep_runs SET sitrep_id = NULL WHERE sitrep_id IN "
        "(SELECT id FROM sitreps WHERE language <> 'en')"
    )
    op.drop_table("sitrep_deliveries")
    op.execute("DELETE FROM sitreps WHERE language <> 'en'")
    with op.batch_alter_table("sitrep_runs") as batch:
        batch.drop_index(op.f("ix_sitrep_runs_schedule_id"))
        batch.drop_constraint(
            op.f("fk_sitrep_runs_schedule_id_sitrep_schedules"), type_="foreignkey"
        )
        batch.drop_column("schedule_id")
        batch.drop_constraint(op.f("ck_sitrep_runs_run_language"), type_="check")
        batch.drop_column("language")
    op.drop_index(EDITION_INDEX, table_name="sitreps")
    with op.batch_alter_table("sitreps") as batch:
        batch.drop_constraint(op.f("ck_sitreps_sitrep_language"), type_="check")
        batch.drop_column("highlights")
        batch.drop_column("language")
    _edition_index(KEY)
    op.drop_table("sitrep_recipients")
    op.drop_index(op.f("ix_sitrep_schedules_admin_pcode"), table_name="sitrep_schedules")
    op.drop_index("ix_sitrep_schedules_active_next_run_at", table_name="sitrep_schedules")
    op.drop_table("sitrep_schedules")
