"""Alembic migrations shipped inside the package (a package so wheels include them)."""
