"""Blacklists for batch work: a CSV file of entries, matched on a frame of applications.

The live service keeps blacklists in the store and matches them by keyed hash; a back-test
on lending data reads the list from a file instead (columns ``kind`` and ``value``, the kinds
of ``domain.blacklist``) and sets the strategy's ``blacklisted`` field the same way. Without a
file the field is missing and the blacklist rule knocks no application out.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from creditfactory.domain.blacklist import KINDS, canonical, normalise
from creditfactory.errors import InvalidArgument

__all__ = ["mark_blacklisted", "read_blacklist"]


def read_blacklist(path: Path) -> frozenset[tuple[str, str]]:
    """The ``(kind, normalised value)`` entries of a CSV file; a bad row names its line."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise InvalidArgument(f"blacklist file {path}: {exc.strerror}") from exc
    out = set()
    for line, row in enumerate(rows, start=2):
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            raise InvalidArgument(f"blacklist file {path}, line {line}: kind must be one of {', '.join(KINDS)}")
        value = normalise(kind, row.get("value"))
        if value is None:
            raise InvalidArgument(f"blacklist file {path}, line {line}: value is not {KINDS[kind].describe}")
        out.add((kind, value))
    return frozenset(out)


def mark_blacklisted(apps: pd.DataFrame, entries: frozenset[tuple[str, str]]) -> pd.DataFrame:
    """``apps`` with ``blacklisted``: true where any identifier of the row is an entry."""
    hit = pd.Series(False, index=apps.index)
    for kind in sorted({k for k, _ in entries}):
        field = KINDS[kind].field
        if field in apps.columns:
            listed = {v for k, v in entries if k == kind}
            hit |= apps[field].map(lambda v, kind=kind: canonical(kind, v)).isin(listed)
    return apps.assign(blacklisted=hit.to_numpy(bool))
