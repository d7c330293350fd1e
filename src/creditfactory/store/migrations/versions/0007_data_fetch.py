"""data fetched by the platform: bureau and external-data pulls

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import creditfactory.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_APP = "applications.application_id"
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _at(name: str) -> sa.Column[object]:
    return sa.Column(name, creditfactory.store.types.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """The consent an application was submitted with, every bureau pull and registry lookup
    with its source and time, and the data check's findings."""
    op.create_table(
        "bureau_consents",
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("consent_ref", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        _at("recorded_at"),
        sa.ForeignKeyConstraint(["application_id"], [_APP],
                                name=op.f("fk_bureau_consents_application_id_applications")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_bureau_consents")),
    )
    op.create_table(
        "bureau_pulls",
        _id(),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        _at("as_of"),
        _at("pulled_at"),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=True),
        sa.Column("report", JSON, nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], [_APP],
                                name=op.f("fk_bureau_pulls_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bureau_pulls")),
    )
    op.create_table(
        "external_records",
        _id(),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        _at("fetched_at"),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("record", JSON, nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], [_APP],
                                name=op.f("fk_external_records_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_records")),
    )
    op.create_table(
        "data_checks",
        _id(),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("check_name", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        _at("checked_at"),
        sa.ForeignKeyConstraint(["application_id"], [_APP],
                                name=op.f("fk_data_checks_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_checks")),
    )
    for table in ("bureau_pulls", "external_records", "data_checks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_application_id"), ["application_id"],
                                  unique=False)


def downgrade() -> None:
    """Drop the fetched data (the decisions made on it stay)."""
    for table in ("data_checks", "external_records", "bureau_pulls"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_application_id"))
        op.drop_table(table)
    op.drop_table("bureau_consents")
