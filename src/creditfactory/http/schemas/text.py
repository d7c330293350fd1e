"""Text accepted at the edge: no control characters (PostgreSQL cannot store NUL in text or
JSON, and no field of a loan application needs one); a refusal names the field."""

PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Any text but control characters (tab and line breaks allowed)."""

KEY = r"^[A-Za-z0-9_.:\-]*$"
"""Identifiers in paths and queries: codes of channels, stations, banks and statuses."""
