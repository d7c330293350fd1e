"""Reading and writing the tables the scorecard commands take: CSV or Parquet by extension.

Also turns a user's target column and bad value into the 0/1 target (1 = bad) every estimator
of the package expects, and scores a file into another (:func:`score_table`) through Arrow:
the columns the card does not use pass from reader to writer without becoming Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    from creditfactory.scorecard._parquet_io import ScoringInput

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


def _read_arrow(p: Path, memory_map: bool = False, text_features: frozenset[str] = frozenset(),
                streamed: bool = False) -> ScoringInput:
    """The file's rows as Arrow tables, blocks of a Parquet file when ``streamed``, with a
    Parquet file's metadata and its text columns named in ``text_features`` read as
    dictionaries (:func:`~creditfactory.scorecard._parquet_io.read_for_scoring`).
    A CSV file is one table; its text that looks like dates stays text, as in pandas.
    """
    import pyarrow as pa

    from creditfactory.scorecard._parquet_io import ScoringInput, read_for_scoring

    try:
        if p.suffix.lower() in _PARQUET:
            return read_for_scoring(p, set(text_features), memory_map, streamed)
        from pyarrow import csv

        def read(types: dict[str, Any]) -> pa.Table:
            return csv.read_csv(p, convert_options=csv.ConvertOptions(
                null_values=_NULLS, strings_can_be_null=True, timestamp_parsers=[],
                column_types=types))

        table = read({})
        dated = {f.name: pa.string() for f in table.schema if pa.types.is_temporal(f.type)}
        return ScoringInput(iter([read(dated) if dated else table]), None, {}, set())
    except (OSError, pa.ArrowInvalid) as exc:
        raise _unreadable(p, exc) from exc


def _unreadable(p: Path, exc: Exception) -> DataFileInvalid:
    return DataFileInvalid(f"{str(p)!r} cannot be read: {str(exc).splitlines()[0]}")


def _open_writer(p: Path, schema: pa.Schema, source: pq.FileMetaData | None,
                 coded: dict[str, pa.DataType]) -> Any:
    """A writer of CSV or Parquet taking tables of ``schema`` one after another (``write_table``,
    ``close``), the ``coded`` columns (dictionaries) written as their stored text type;
    Parquet columns are encoded as they were in the file whose metadata is ``source``
    (:func:`~creditfactory.scorecard._parquet_io.open_writer`)."""
    if p.suffix.lower() in _PARQUET:
        from creditfactory.scorecard._parquet_io import open_writer

        return open_writer(p, schema, source, coded)
    return _CsvWriter(p, schema, coded)


class _CsvWriter:
    """pyarrow's CSV writer, given the ``coded`` columns decoded to their stored type."""

    def __init__(self, p: Path, schema: pa.Schema, coded: dict[str, pa.DataType]) -> None:
        from pyarrow import csv

        self._coded = {n: t for n, t in coded.items() if n in schema.names}
        for name, kind in self._coded.items():
            schema = schema.set(schema.get_field_index(name), schema.field(name).with_type(kind))
        self._writer = csv.CSVWriter(p, schema,
                                     write_options=csv.WriteOptions(quoting_style="needed"))

    def write_table(self, table: pa.Table) -> None:
        for name, kind in self._coded.items():
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, table.column(i).cast(kind))
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


def score_table(scorer: CompiledScorer, source: str | Path, out: str | Path) -> int:
    """Write the rows of ``source`` to ``out`` with two more columns, ``score`` and ``pd``.

    Only the card's features are converted for scoring (numbers to float64, text to codes
    into its levels), without pandas; the other columns go from reader to writer as Arrow
    arrays. A Parquet file is scored in blocks of rows (unless ``out`` is the same file).
    Returns the number of rows. Existing ``score`` and ``pd`` columns are replaced. A failure
    leaves no output file.

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
    p, target = _existing(source), _output_path(out)
    same = target.exists() and target.samefile(p)
    text = frozenset(f.name for f in scorer.features if not f.numeric)
    data = _read_arrow(p, memory_map=not same, text_features=text, streamed=not same)
    rows, writer = 0, None
    try:
        while (block := _next_block(p, data.blocks)) is not None:
            if block.num_rows == 0:
                continue
            scored = _scored(scorer, block, data.index_columns)
            if writer is None:
                writer = _open_writer(target, scored.schema, data.metadata, data.coded)
            writer.write_table(scored)
            rows += block.num_rows
        if writer is not None:
            writer.close()
    except BaseException:
        if writer is not None:
            writer.close()
            target.unlink(missing_ok=True)
        raise
    if writer is None:
        raise DataFileInvalid(f"{str(p)!r} holds no rows")
    return rows


def _next_block(p: Path, blocks: Iterator[pa.Table]) -> pa.Table | None:
    import pyarrow as pa

    try:
        return next(blocks, None)
    except (OSError, pa.ArrowInvalid) as exc:
        raise _unreadable(p, exc) from exc


def _scored(scorer: CompiledScorer, block: pa.Table, index: set[str]) -> pa.Table:
    """``block`` with its score and pd, without a pandas index or former score and pd."""
    from creditfactory.scorecard._arrow import float_array

    points = scorer.score(block)
    kept = [c for c in block.column_names if c not in ("score", "pd") and c not in index]
    return block.select(kept).replace_schema_metadata(None).append_column(
        "score", float_array(points)).append_column("pd", float_array(scorer.scaling.pd(points)))


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
