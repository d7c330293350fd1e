"""Reading and writing lending data: all-or-nothing output directories, typed loading."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from creditfactory.data.errors import InvalidOutput, LendingDataError, LendingDataNotFound
from creditfactory.data.schema import OPTIONAL_TABLES, TABLES

Format = Literal["parquet", "csv"]
FORMATS = ("parquet", "csv")


@dataclass
class LendingData:
    """The lending tables as pandas DataFrames, and what made them.

    ``truth`` is ``None`` for a lender's own data; only a simulated world has it, and only
    evaluation code reads it.
    """

    channels: pd.DataFrame
    applications: pd.DataFrame
    performance: pd.DataFrame
    truth: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def check_output_dir(out: Path) -> None:
    """Fail early, before any work, when ``out`` cannot be written."""
    probe = out if out.exists() else out.parent
    while not probe.exists():
        probe = probe.parent
    if out.exists() and not out.is_dir():
        raise InvalidOutput(f"out: {out} exists and is not a directory")
    if not os.access(probe, os.W_OK):
        raise InvalidOutput(f"out: {probe} is not writable")


@contextmanager
def staged_directory(out: Path) -> Iterator[Path]:
    """A scratch directory whose files move into ``out`` only if the block succeeds."""
    check_output_dir(out)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    except OSError as exc:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise InvalidOutput(f"out: cannot write to {out}: {exc.strerror}") from exc
    try:
        yield stage
        for f in stage.iterdir():
            os.replace(f, out / f.name)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)


class TableWriter:
    """Appends chunks of one table to a Parquet or CSV file."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: Format) -> None:
        self.fmt = fmt
        if fmt == "parquet":
            self._w: Any = pq.ParquetWriter(path, schema, compression="zstd",
                                            compression_level=1)
        else:
            self._w = pacsv.CSVWriter(path, schema)

    def write(self, table: pa.Table) -> None:
        self._w.write_table(table)

    def close(self) -> None:
        self._w.close()


def _table_file(data_dir: Path | str, name: str) -> Path | None:
    return next((p for ext in FORMATS if (p := Path(data_dir) / f"{name}.{ext}").exists()), None)


def table_path(data_dir: Path, name: str) -> Path:
    """The file of table ``name`` in ``data_dir``, Parquet preferred over CSV."""
    found = _table_file(data_dir, name)
    if found is None:
        raise LendingDataNotFound(f"{data_dir}: no {name}.parquet or {name}.csv")
    return found


def read_table(data_dir: Path | str, name: str, money: Literal["decimal", "float"] = "decimal",
               columns: list[str] | None = None) -> pd.DataFrame:
    """One table as pandas; money as ``Decimal`` objects or, for analytics, float64."""
    if name not in TABLES:
        raise LendingDataError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    path = table_path(Path(data_dir), name)
    schema = TABLES[name]
    if path.suffix == ".parquet":
        tbl = pq.read_table(path, columns=columns)
    else:
        opts = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema},
                                    include_columns=columns, strings_can_be_null=False)
        tbl = pacsv.read_csv(path, convert_options=opts)
    return (money_as_float(tbl) if money == "float" else tbl).to_pandas()


def money_as_float(tbl: pa.Table) -> pa.Table:
    """``tbl`` with its decimal money columns as float64, for analytics only."""
    for i, f in enumerate(tbl.schema):
        if pa.types.is_decimal(f.type):
            tbl = tbl.set_column(i, f.name, pc.cast(tbl.column(i), pa.float64()))
    return tbl


def has_table(data_dir: Path | str, name: str) -> bool:
    """Whether ``data_dir`` holds table ``name`` (as Parquet or CSV)."""
    return _table_file(data_dir, name) is not None


def load(data_dir: Path | str, money: Literal["decimal", "float"] = "float",
         columns: Mapping[str, list[str]] | None = None) -> LendingData:
    """All lending tables in ``data_dir`` (analytics default: money as float64); ``truth``
    only when the folder has it. ``columns`` names, per table, the only columns a job reads
    (a million applications' performance is 29 million rows: each column left out is a few
    hundred MB)."""
    d = Path(data_dir)
    meta_path = d / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    only = columns or {}
    frames = {n: read_table(d, n, money, only.get(n)) for n in TABLES
              if n not in OPTIONAL_TABLES or has_table(d, n)}
    return LendingData(frames["channels"], frames["applications"], frames["performance"],
                       frames.get("truth"), meta)
