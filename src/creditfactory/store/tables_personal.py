"""Personal values kept before they were sealed, waiting for the key.

Migration 0008 moves every personal value an older schema kept in clear (the applicant's name
column, the application's address, device and IP fields) here and out of its old place: a
migration does not know the service secret. The first start-up or ``setup`` with the secret
seals each into its columns and deletes it (``services.personal_sealing``), so the table is
empty on a store that has served once since.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import id_column, metadata

unsealed_personal = sa.Table(
    "unsealed_personal",
    metadata,
    id_column(),
    sa.Column("table_name", sa.String(32), nullable=False),
    sa.Column("row_id", sa.BigInteger, nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)
