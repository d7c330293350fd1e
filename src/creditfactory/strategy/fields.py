"""The inputs a strategy may read: application columns, derived fields and model scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.data.schema import APPLICATIONS

SCORE_COLUMNS: tuple[str, ...] = (
    "a_score",
    "a_pd",
    "challenger_pd",
    "fraud_score",
    "fraud_rule_hits",
    "packaging_score",
)
DERIVED_FIELDS: tuple[str, ...] = ("channel_type", "repeat_customer", "blacklisted")
APPLICATION_FIELDS: tuple[str, ...] = tuple(APPLICATIONS.names)
KNOWN_FIELDS: frozenset[str] = frozenset(APPLICATION_FIELDS + DERIVED_FIELDS + SCORE_COLUMNS)
LIMIT_INPUTS: tuple[str, ...] = ("declared_monthly_revenue", "bureau_debt", "amount", "term_months")
_CHANNEL_PREFIX = {"AG": "agent_app", "PA": "partner", "IM": "intermediary"}


def derive_fields(apps: pd.DataFrame) -> pd.DataFrame:
    """Add ``channel_type`` (from the channel id prefix) and ``repeat_customer``.

    ``repeat_customer`` is true when the same resident id applied earlier in the frame, which
    must therefore be in arrival order (the world's applications are).
    """
    out = apps.copy()
    if "channel_type" not in out.columns and "channel_id" in out.columns:
        prefix = out["channel_id"].astype("string").str.slice(0, 2)
        out["channel_type"] = prefix.map(_CHANNEL_PREFIX).astype(object)
    if "repeat_customer" not in out.columns and "resident_id" in out.columns:
        out["repeat_customer"] = out["resident_id"].duplicated(keep="first").to_numpy(bool)
    return out


def money_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn object columns of Decimals (``money='decimal'``) into float64 for vector work."""
    out = frame
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object and len(series) and _first_is_decimal(series):
            if out is frame:
                out = frame.copy()
            out[col] = np.array([np.nan if v is None else float(v) for v in series], dtype=float)
    return out


def _first_is_decimal(series: pd.Series) -> bool:
    from decimal import Decimal

    first = series.dropna()
    return bool(len(first)) and isinstance(first.iloc[0], Decimal)
