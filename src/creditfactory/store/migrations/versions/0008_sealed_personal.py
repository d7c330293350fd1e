"""every personal field sealed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:30:00.000000

The applicant's name and the application's addresses, device id and IP were kept in clear
(``applicants.name``, keys of ``applications.fields``). They get hash, masked and ciphertext
columns like the other personal fields. A migration does not know the service secret, so the
clear values of rows already kept move to ``unsealed_personal`` and out of their old place;
``setup`` and every start-up seal them (``services.personal_sealing``) and empty that table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# every personal field an application's ``fields`` might hold in clear
PERSONAL_FIELD_KEYS = ("name", "resident_id", "phone", "bank_card", "contact_phones",
                       "home_address", "business_address", "device_id", "ip")
APPLICATION_SEALED = ("home_address", "business_address", "device_id", "ip")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_APPLICATIONS = sa.table(
    "applications", sa.column("application_id", sa.BigInteger), sa.column("fields", _JSON)
)
_PAGE = 1_000


def _holding() -> sa.Table:
    return op.create_table(
        "unsealed_personal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsealed_personal")),
    )


def upgrade() -> None:
    """Add the sealed columns; move every clear personal value kept so far to be sealed."""
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(sa.Column("name_hash", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("name_masked", sa.Text(), nullable=True))
        batch.add_column(sa.Column("name_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("contact_phones_hash", sa.Text(), nullable=True))
        for field in APPLICATION_SEALED:
            batch.add_column(sa.Column(f"{field}_hash", sa.String(length=32), nullable=True))
            batch.add_column(sa.Column(f"{field}_masked", sa.Text(), nullable=True))
            batch.add_column(sa.Column(f"{field}_enc", sa.Text(), nullable=True))
    holding = _holding()
    op.execute(
        "INSERT INTO unsealed_personal (table_name, row_id, field, value) "
        "SELECT 'applicants', id, 'name', name FROM applicants"
    )
    # a plain ALTER (SQLite 3.35+ drops a plain column in place): copying the table, as batch
    # mode would on SQLite, fails on the rows that reference applicants
    op.drop_column("applicants", "name")
    _move_clear_fields(holding)


def _move_clear_fields(holding: sa.Table) -> None:
    """Each application's personal keys of ``fields`` into the holding table, page by page."""
    conn = op.get_bind()
    after = -1
    while True:
        rows = conn.execute(
            sa.select(_APPLICATIONS.c.application_id, _APPLICATIONS.c.fields)
            .where(_APPLICATIONS.c.application_id > after)
            .order_by(_APPLICATIONS.c.application_id)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        moved: list[dict[str, Any]] = []
        for app_id, fields in rows:
            clear = {k: v for k, v in (fields or {}).items() if k in PERSONAL_FIELD_KEYS}
            if not clear:
                continue
            moved += [{"table_name": "applications", "row_id": app_id, "field": k,
                       "value": str(v)} for k, v in clear.items() if v is not None]
            kept = {k: v for k, v in fields.items() if k not in clear}
            conn.execute(
                sa.update(_APPLICATIONS)
                .where(_APPLICATIONS.c.application_id == app_id)
                .values(fields=kept)
            )
        if moved:
            conn.execute(sa.insert(holding), moved)
        after = rows[-1][0]


def downgrade() -> None:
    """Back to clear values, possible only while none was sealed (a migration has no key)."""
    conn = op.get_bind()
    sealed = conn.execute(sa.text(
        "SELECT (SELECT count(*) FROM applicants WHERE name_enc IS NOT NULL)"
        " + (SELECT count(*) FROM applications WHERE home_address_enc IS NOT NULL"
        " OR device_id_enc IS NOT NULL OR ip_enc IS NOT NULL OR business_address_enc IS NOT NULL)"
    )).scalar_one()
    if sealed:
        raise RuntimeError(
            f"{sealed} rows hold sealed personal values that only the service secret opens: "
            "a downgrade would lose them"
        )
    op.add_column("applicants", sa.Column("name", sa.String(length=64), nullable=False,
                                          server_default=""))
    op.execute(
        "UPDATE applicants SET name = (SELECT u.value FROM unsealed_personal u "
        "WHERE u.table_name = 'applicants' AND u.field = 'name' AND u.row_id = applicants.id) "
        "WHERE id IN (SELECT row_id FROM unsealed_personal WHERE table_name = 'applicants')"
    )
    pending: dict[int, dict[str, str]] = {}
    for row_id, field, value in conn.execute(sa.text(
        "SELECT row_id, field, value FROM unsealed_personal WHERE table_name = 'applications'"
    )):
        pending.setdefault(int(row_id), {})[field] = value
    for app_id, clear in pending.items():
        fields = conn.execute(
            sa.select(_APPLICATIONS.c.fields).where(_APPLICATIONS.c.application_id == app_id)
        ).scalar_one()
        conn.execute(
            sa.update(_APPLICATIONS).where(_APPLICATIONS.c.application_id == app_id)
            .values(fields={**(fields or {}), **clear})
        )
    op.drop_table("unsealed_personal")
    for field in APPLICATION_SEALED:
        for form in ("hash", "masked", "enc"):
            op.drop_column("applications", f"{field}_{form}")
    op.drop_column("applications", "contact_phones_hash")
    for form in ("hash", "masked", "enc"):
        op.drop_column("applicants", f"name_{form}")
