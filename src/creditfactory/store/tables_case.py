"""Tables of an application's life: decisions, cases, tasks, banks, loans, audit, idempotency."""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import JSON, id_column, metadata
from creditfactory.store.types import Money, Rate, UTCDateTime

QUEUED_SQL = "status IN ('open', 'claimed')"
"""The tasks still in a station's queue (the partial index's condition, written literally so
the queries using it match it)."""

applications = sa.Table(
    "applications",
    metadata,
    sa.Column(
        "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    ),
    sa.Column("applicant_id", sa.ForeignKey("applicants.id"), nullable=False, index=True),
    sa.Column("channel_id", sa.String(32), nullable=False, index=True),
    sa.Column("branch", sa.String(32), nullable=False),
    sa.Column("industry", sa.String(16), nullable=False),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("term_months", sa.Integer, nullable=False),
    sa.Column("applied_at", UTCDateTime(), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("phone_hash", sa.String(32), nullable=False, index=True),
    sa.Column("phone_masked", sa.String(16), nullable=False),
    sa.Column("phone_enc", sa.Text, nullable=False),
    sa.Column("bank_card_hash", sa.String(32), nullable=False, index=True),
    sa.Column("bank_card_masked", sa.String(32), nullable=False),
    sa.Column("bank_card_enc", sa.Text, nullable=False),
    sa.Column("contact_phones_masked", sa.String(64), nullable=False),
    sa.Column("contact_phones_enc", sa.Text, nullable=False),
    sa.Column("fields", JSON, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # the fraud graph's identity record (keyed hashes and time, no personal value), so other
    # processes add the application to their graphs without opening its sealed fields
    sa.Column("fraud_identity", sa.LargeBinary, nullable=True),
    # sealed since migration 0008 (NULL only until start-up seals a row kept before it);
    # contact_phones_hash: each contact's hash under the phone kind, comma-joined
    sa.Column("contact_phones_hash", sa.Text, nullable=True),
    *(
        sa.Column(f"{field}_{form}", sa.String(32) if form == "hash" else sa.Text, nullable=True)
        for field in ("home_address", "business_address", "device_id", "ip")
        for form in ("hash", "masked", "enc")
    ),
    # an account manager's own cases and pipeline
    sa.Index("ix_applications_created_by", "created_by"),
    # the book's pages read each loan's branch and industry from the index, not the wide row
    sa.Index("ix_applications_id_branch_industry", "application_id", "branch", "industry"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    id_column(),
    sa.Column("application_id", sa.ForeignKey("applications.application_id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("basis", sa.String(24), nullable=False),
    sa.Column("tier", sa.String(24), nullable=False),
    sa.Column("limit_amount", Money(), nullable=False),
    sa.Column("rate", Rate(), nullable=False),
    sa.Column("product", sa.String(64), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("record", JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("application_id", "seq", name="uq_decisions_application_seq"),
)

cases = sa.Table(
    "cases",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.ForeignKey("applications.application_id"), nullable=False, unique=True
    ),
    sa.Column("tier", sa.String(24), nullable=False),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("bank_code", sa.String(32), nullable=True, index=True),
    sa.Column("exception", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("opened_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("hold", sa.String(40), nullable=True, index=True),
    sa.Column("hold_reason", sa.Text, nullable=True),
    sa.Column("held_at", UTCDateTime(), nullable=True),
)

tasks = sa.Table(
    "tasks",
    metadata,
    id_column(),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("station", sa.String(40), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignee", sa.String(64), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("claimed_at", UTCDateTime(), nullable=True),
    sa.Column("completed_at", UTCDateTime(), nullable=True),
    sa.Column("outcome", JSON, nullable=True),
    sa.Index("ix_tasks_station_status", "station", "status"),
    # a station's queue in due order, read a page at a time without sorting the queue
    sa.Index("ix_tasks_queued_due", "station", "due_at", "id",
             sqlite_where=sa.text(QUEUED_SQL), postgresql_where=sa.text(QUEUED_SQL)),
)

bank_submissions = sa.Table(
    "bank_submissions",
    metadata,
    id_column(),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("bank_code", sa.ForeignKey("partner_banks.code"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("package", JSON, nullable=False),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),
    sa.Column("answer_due_at", UTCDateTime(), nullable=False),
    sa.Column("answered_at", UTCDateTime(), nullable=True),
    sa.Column("answered_by", sa.String(64), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Index("ix_bank_submissions_status_due", "status", "answer_due_at"),
    sa.Index("ix_bank_submissions_bank_month", "bank_code", "submitted_at"),
)

bank_month_counts = sa.Table(
    "bank_month_counts",
    metadata,
    sa.Column("bank_code", sa.ForeignKey("partner_banks.code"), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("submitted", sa.Integer, nullable=False),
)

loans = sa.Table(
    "loans",
    metadata,
    id_column(),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, unique=True),
    sa.Column(
        "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
    ),
    sa.Column("bank_code", sa.String(32), nullable=False),
    sa.Column("contract_no", sa.String(40), nullable=False, unique=True),
    sa.Column("principal", Money(), nullable=False),
    sa.Column("rate", Rate(), nullable=False),
    sa.Column("term_months", sa.Integer, nullable=False),
    sa.Column("product", sa.String(64), nullable=False),
    sa.Column("repayment_method", sa.String(24), nullable=False),
    sa.Column("paid_out_at", UTCDateTime(), nullable=False),
    sa.Column("servicing_status", sa.String(16), nullable=False),
)

findings = sa.Table(
    "findings",
    metadata,
    id_column(),
    sa.Column(
        "application_id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        nullable=False,
        index=True,
    ),
    sa.Column("channel_id", sa.String(32), nullable=False, index=True),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("identity_confirmed", sa.Boolean, nullable=True),
    sa.Column("business_real", sa.Boolean, nullable=True),
    sa.Column("purpose_confirmed", sa.Boolean, nullable=True),
    sa.Column("hidden_debt", Money(), nullable=True),
    sa.Column("verified_monthly_revenue", Money(), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    id_column(),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(48), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column(
        "case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True, index=True
    ),
    sa.Column("detail", JSON, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response", JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
