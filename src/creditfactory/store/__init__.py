"""Storage: SQLAlchemy Core tables, repositories, the unit of work and packaged migrations.

SQLite (WAL) is the embedded default; PostgreSQL is used through psycopg 3 by URL.
"""

from creditfactory.store.engine import make_engine
from creditfactory.store.migrate import current_revision, head_revision, upgrade_head
from creditfactory.store.uow import UnitOfWork
from creditfactory.store.vault import PersonalDataVault, Sealed

__all__ = [
    "make_engine",
    "upgrade_head",
    "current_revision",
    "head_revision",
    "UnitOfWork",
    "PersonalDataVault",
    "Sealed",
]
