"""Errors the store raises, named for what went wrong in business terms.

StoreError
 +-- DatabaseUnavailable   the URL cannot be reached or the driver is missing
 +-- SchemaOutdated        the database is not at the migration head (run ``setup``)
 +-- AuditLogImmutable     something tried to change or delete an audit entry
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class StoreError(CreditFactoryError):
    """Base for storage errors."""


class DatabaseUnavailable(StoreError):
    """The database at the configured URL cannot be used."""


class SchemaOutdated(StoreError):
    """The schema is behind the code's migrations."""


class AuditLogImmutable(StoreError):
    """Audit entries are append-only."""
