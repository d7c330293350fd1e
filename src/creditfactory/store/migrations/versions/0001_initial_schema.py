"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 17:33:08.875122
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import creditfactory.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table, then make the audit log append-only at the database level."""
    op.create_table(
        "applicants",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("resident_id_hash", sa.String(length=32), nullable=False),
        sa.Column("resident_id_masked", sa.String(length=24), nullable=False),
        sa.Column("resident_id_enc", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("resident_id_hash", name=op.f("uq_applicants_resident_id_hash")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_case_id"), ["case_id"], unique=False)

    op.create_table(
        "branches",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_branches")),
    )
    op.create_table(
        "channels",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("channel_type", sa.String(length=16), nullable=False),
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column(
            "deposit", creditfactory.store.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "onboarded_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channels")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("identity_confirmed", sa.Boolean(), nullable=True),
        sa.Column("business_real", sa.Boolean(), nullable=True),
        sa.Column("purpose_confirmed", sa.Boolean(), nullable=True),
        sa.Column(
            "hidden_debt", creditfactory.store.types.Money(precision=14, scale=2), nullable=True
        ),
        sa.Column(
            "verified_monthly_revenue",
            creditfactory.store.types.Money(precision=14, scale=2),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_findings_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_findings_channel_id"), ["channel_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "partner_banks",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column(
            "policy",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partner_banks")),
    )
    op.create_table(
        "strategies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column(
            "meta",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategies")),
        sa.UniqueConstraint("name", "version", name="uq_strategies_name_version"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "applications",
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "applicant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("industry", sa.String(length=16), nullable=False),
        sa.Column("amount", creditfactory.store.types.Money(precision=14, scale=2), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column(
            "applied_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("phone_hash", sa.String(length=32), nullable=False),
        sa.Column("phone_masked", sa.String(length=16), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("bank_card_hash", sa.String(length=32), nullable=False),
        sa.Column("bank_card_masked", sa.String(length=32), nullable=False),
        sa.Column("bank_card_enc", sa.Text(), nullable=False),
        sa.Column("contact_phones_masked", sa.String(length=64), nullable=False),
        sa.Column("contact_phones_enc", sa.Text(), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicants.id"],
            name=op.f("fk_applications_applicant_id_applicants"),
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_bank_card_hash"), ["bank_card_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_phone_hash"), ["phone_hash"], unique=False
        )

    op.create_table(
        "deposit_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", creditfactory.store.types.Money(precision=14, scale=2), nullable=False),
        sa.Column(
            "balance_after", creditfactory.store.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.channel_id"],
            name=op.f("fk_deposit_movements_channel_id_channels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_movements")),
    )
    with op.batch_alter_table("deposit_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deposit_movements_channel_id"), ["channel_id"], unique=False
        )

    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tier", sa.String(length=24), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=True),
        sa.Column("exception", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "opened_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("closed_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.application_id"],
            name=op.f("fk_cases_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("application_id", name=op.f("uq_cases_application_id")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_bank_code"), ["bank_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("tier", sa.String(length=24), nullable=False),
        sa.Column(
            "limit_amount", creditfactory.store.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("rate", creditfactory.store.types.Rate(precision=9, scale=6), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.application_id"],
            name=op.f("fk_decisions_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("application_id", "seq", name="uq_decisions_application_seq"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "bank_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "package",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "submitted_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "answer_due_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "answered_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_code"],
            ["partner_banks.code"],
            name=op.f("fk_bank_submissions_bank_code_partner_banks"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_bank_submissions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_submissions")),
    )
    with op.batch_alter_table("bank_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_submissions_bank_month", ["bank_code", "submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bank_submissions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_bank_submissions_status_due", ["status", "answer_due_at"], unique=False
        )

    op.create_table(
        "loans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("bank_code", sa.String(length=32), nullable=False),
        sa.Column("contract_no", sa.String(length=40), nullable=False),
        sa.Column(
            "principal", creditfactory.store.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("rate", creditfactory.store.types.Rate(precision=9, scale=6), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("repayment_method", sa.String(length=24), nullable=False),
        sa.Column(
            "paid_out_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("servicing_status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_loans_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
        sa.UniqueConstraint("case_id", name=op.f("uq_loans_case_id")),
        sa.UniqueConstraint("contract_no", name=op.f("uq_loans_contract_no")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("station", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("due_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "claimed_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "completed_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "outcome",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_tasks_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_tasks_station_status", ["station", "status"], unique=False)

    _guard_audit_log()


def downgrade() -> None:
    """Drop everything (the audit guard goes with its table)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_station_status")
        batch_op.drop_index(batch_op.f("ix_tasks_case_id"))

    op.drop_table("tasks")
    op.drop_table("loans")
    with op.batch_alter_table("bank_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_submissions_status_due")
        batch_op.drop_index(batch_op.f("ix_bank_submissions_case_id"))
        batch_op.drop_index("ix_bank_submissions_bank_month")

    op.drop_table("bank_submissions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_application_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_bank_code"))

    op.drop_table("cases")
    with op.batch_alter_table("deposit_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_movements_channel_id"))

    op.drop_table("deposit_movements")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_applications_channel_id"))
        batch_op.drop_index(batch_op.f("ix_applications_bank_card_hash"))
        batch_op.drop_index(batch_op.f("ix_applications_applicant_id"))

    op.drop_table("applications")
    op.drop_table("users")
    op.drop_table("strategies")
    op.drop_table("partner_banks")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_channel_id"))
        batch_op.drop_index(batch_op.f("ix_findings_application_id"))

    op.drop_table("findings")
    op.drop_table("channels")
    op.drop_table("branches")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_case_id"))

    op.drop_table("audit_log")
    op.drop_table("applicants")


def _guard_audit_log() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
