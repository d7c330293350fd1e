"""Reading and writing the tables the scorecard commands take: CSV or Parquet by extension.

Also turns a user's target column and bad value into the 0/1 target (1 = bad) every estimator
of the package expects, and scores a file into another (:func:`score_table`) through Arrow:
the columns the card does not use pass from reader to writer without becoming Python objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from creditfactory.scorecard.errors import (
    DataFileInvalid,
    TargetColumnMissing,
    TrainingDataInvalid,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from creditfactory.scorecard._compiled import CompiledScorer

__all__ = ["read_table", "score_table", "split_target", "write_table"]

_CSV = (".csv", ".txt")
_PARQUET = (".parquet", ".pq")


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (text columns stay text: they are categorical)."""
    import pandas as pd

    p = _existing(path)
    try:
        frame = (pd.read_parquet(p) if p.suffix.lower() in _PARQUET
                 else pd.read_csv(p, low_memory=False))
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFileInvalid(f"{str(p)!r} cannot be read: {str(exc).splitlines()[0]}") from exc
    if frame.empty:
        raise DataFileInvalid(f"{str(p)!r} holds no rows")
    return frame


def _existing(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in _CSV + _PARQUET:
        raise DataFileInvalid(f"{str(p)!r}: expected a .csv or .parquet file")
    if not p.is_file():
        raise DataFileInvalid(f"{str(p)!r} does not exist")
    return p


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV or Parquet, chosen by the extension of ``path``."""
    p = _output_path(path)
    if p.suffix.lower() in _PARQUET:
        frame.to_parquet(p, index=False)
    else:
        frame.to_csv(p, index=False)
    return p


def _output_path(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in _CSV + _PARQUET:
        raise DataFileInvalid(f"{str(p)!r}: the output must end in .csv or .parquet")
    return p


# pandas' default missing-value markers, so a CSV reads the same as with ``pd.read_csv``
_NULLS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
          "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


def _read_arrow(p: Path, memory_map: bool = False, text_features: frozenset[str] = frozenset()
                ) -> tuple[pa.Table, pq.FileMetaData | None, dict[str, pa.DataType]]:
    """The file as an Arrow table, a Parquet file's metadata (else None) and the columns read
    as dictionaries with their stored types: a Parquet file's text columns named in
    ``text_features`` (:func:`~creditfactory.scorecard._parquet_io.read_for_scoring`).
    CSV text that looks like dates stays text, as in pandas.
    """
    import pyarrow as pa

    try:
        if p.suffix.lower() in _PARQUET:
            from creditfactory.scorecard._parquet_io import read_for_scoring

            return read_for_scoring(p, set(text_features), memory_map)
        from pyarrow import csv

        def read(types: dict[str, Any]) -> pa.Table:
            return csv.read_csv(p, convert_options=csv.ConvertOptions(
                null_values=_NULLS, strings_can_be_null=True, timestamp_parsers=[],
                column_types=types))

        table = read({})
        dated = {f.name: pa.string() for f in table.schema if pa.types.is_temporal(f.type)}
        return (read(dated) if dated else table), None, {}
    except (OSError, pa.ArrowInvalid) as exc:
        raise DataFileInvalid(f"{str(p)!r} cannot be read: {str(exc).splitlines()[0]}") from exc


def _write_arrow(table: pa.Table, p: Path, source: pq.FileMetaData | None = None) -> None:
    """Write ``table`` as CSV or Parquet; Parquet columns are encoded as they were in the
    file whose metadata is ``source`` (:func:`~creditfactory.scorecard._parquet_io.write_options`).
    """
    if p.suffix.lower() in _PARQUET:
        import pyarrow.parquet as pq

        from creditfactory.scorecard._parquet_io import write_options

        pq.write_table(table, p, **write_options(table, source))
    else:
        from pyarrow import csv

        csv.write_csv(table, p, write_options=csv.WriteOptions(quoting_style="needed"))


def score_table(scorer: CompiledScorer, source: str | Path, out: str | Path) -> int:
    """Write the rows of ``source`` to ``out`` with two more columns, ``score`` and ``pd``.

    Only the card's features are converted for scoring (numbers to float64, text to codes
    into its levels), without pandas; the other columns go from reader to writer as Arrow
    arrays. Returns the number of rows. Existing ``score`` and ``pd`` columns are replaced.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from creditfactory.scorecard import CompiledFeature, CompiledScorer, FeatureBinning
    >>> from creditfactory.scorecard import Scaling
    >>> b = FeatureBinning.from_counts("age", "numeric", splits=(30.0,),
    ...     count=[50, 50, 0], n_event=[10, 5, 0])
    >>> scorer = CompiledScorer([CompiledFeature.build(b, [10.0, 30.0, 0.0])], Scaling())
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_table(pd.DataFrame({"id": ["a", "b"], "age": [20, 40]}), folder / "in.csv")
    >>> score_table(scorer, folder / "in.csv", folder / "out.parquet")
    2
    >>> pd.read_parquet(folder / "out.parquet")[["id", "score"]].values.tolist()
    [['a', 10.0], ['b', 30.0]]
    """
    from creditfactory.scorecard._arrow import float_array

    p, target = _existing(source), _output_path(out)
    memory_map = not (target.exists() and target.samefile(p))
    text = frozenset(f.name for f in scorer.features if not f.numeric)
    table, metadata, coded = _read_arrow(p, memory_map=memory_map, text_features=text)
    if table.num_rows == 0:
        raise DataFileInvalid(f"{str(p)!r} holds no rows")
    points = scorer.score(table)
    # a pandas index stored in the file is not a column of the data (as read_table reads it)
    index = {c for c in (table.schema.pandas_metadata or {}).get("index_columns", [])
             if isinstance(c, str)}
    kept = [c for c in table.column_names if c not in ("score", "pd") and c not in index]
    result = table.select(kept).replace_schema_metadata(None)
    for name, stored in coded.items():  # a text feature read as codes: text again, as stored
        if name in kept:
            i = result.schema.get_field_index(name)
            result = result.set_column(i, name, result.column(i).cast(stored))
    result = result.append_column("score", float_array(points)).append_column(
        "pd", float_array(scorer.scaling.pd(points)))
    _write_arrow(result, target, metadata)
    return int(table.num_rows)


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
    >>> import pandas as pd
    >>> f = pd.DataFrame({"x": [1, 2, 3], "y": ["good", "bad", None]})
    >>> X, y = split_target(f, "y", "bad")
    >>> list(X.columns), y.tolist()
    (['x'], [0, 1])
    """
    import pandas as pd

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
