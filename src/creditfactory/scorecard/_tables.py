"""Reading and writing the tables the scorecard commands take: CSV or Parquet by extension.

Also turns a user's target column and bad value into the 0/1 target (1 = bad) every estimator
of the package expects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.scorecard.errors import (
    DataFileInvalid,
    TargetColumnMissing,
    TrainingDataInvalid,
)

__all__ = ["read_table", "split_target", "write_table"]

_CSV = (".csv", ".txt")
_PARQUET = (".parquet", ".pq")


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (text columns stay text: they are categorical)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _CSV + _PARQUET:
        raise DataFileInvalid(f"{str(p)!r}: expected a .csv or .parquet file")
    if not p.is_file():
        raise DataFileInvalid(f"{str(p)!r} does not exist")
    try:
        frame = pd.read_parquet(p) if suffix in _PARQUET else pd.read_csv(p, low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileInvalid(f"{str(p)!r} cannot be read: {str(exc).splitlines()[0]}") from exc
    if frame.empty:
        raise DataFileInvalid(f"{str(p)!r} holds no rows")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV or Parquet, chosen by the extension of ``path``."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _CSV + _PARQUET:
        raise DataFileInvalid(f"{str(p)!r}: the output must end in .csv or .parquet")
    if suffix in _PARQUET:
        frame.to_parquet(p, index=False)
    else:
        frame.to_csv(p, index=False)
    return p


def _matches(column: pd.Series, bad: str) -> np.ndarray:
    if column.dtype.kind in "fiu":
        try:
            return (column.to_numpy(dtype=np.float64, na_value=np.nan) == float(bad))
        except ValueError:
            return np.zeros(len(column), dtype=bool)
    if column.dtype.kind == "b":
        return column.to_numpy(dtype=bool) == (bad.strip().lower() in ("1", "true", "yes"))
    return (column.astype(str).str.strip() == bad.strip()).to_numpy(dtype=bool)


def split_target(frame: pd.DataFrame, target: str, bad: str = "1") -> tuple[pd.DataFrame, np.ndarray]:
    """Features (all other columns) and the 0/1 target of the rows whose target is known.

    Examples
    --------
    >>> f = pd.DataFrame({"x": [1, 2, 3], "y": ["good", "bad", None]})
    >>> X, y = split_target(f, "y", "bad")
    >>> list(X.columns), y.tolist()
    (['x'], [0, 1])
    """
    if target not in frame.columns:
        raise TargetColumnMissing(f"target column {target!r} is not in the data")
    column = frame[target]
    known = column.notna().to_numpy()
    column = column[known]
    is_bad = _matches(column, str(bad))
    if not is_bad.any():
        seen = ", ".join(map(str, pd.unique(column)[:6]))
        raise TrainingDataInvalid(f"no row of {target!r} equals the bad value {bad!r} "
                                  f"(values seen: {seen})")
    if is_bad.all():
        raise TrainingDataInvalid(f"every row of {target!r} is bad ({bad!r}): a card needs goods")
    features = frame.loc[known].drop(columns=[target]).reset_index(drop=True)
    return features, is_bad.astype(np.int64)
