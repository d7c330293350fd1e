"""A partner bank's repayment file read into arrays, each row's format checked at once.

The file is CSV with the header ``reference,loan,date,amount``. Arrow's CSV reader splits it
(a million rows in well under a second) and the checks run over whole columns: a reference of
1 to 64 printable characters, a date ``YYYY-MM-DD`` that exists, an amount positive in whole
fen. The rare cell the fast patterns do not cover (a non-ASCII reference, an amount such as
``1E+2``, a date such as ``20260215``) is judged by the same rules as one posted through the
API (``Decimal``, :meth:`date.fromisoformat`, :meth:`str.isprintable`), so a row is refused
or accepted alike whichever way it came. A row with another number of fields than four is
refused with its line; a row whose four fields are all blank is skipped.

Lines are counted as records from the header's line 1, as :mod:`csv` counts them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from creditfactory.domain.money import round_money

__all__ = ["HEADER", "MAX_REFERENCE", "NO_DAY", "RepaymentFile", "read_repayment_file"]

HEADER = ("reference", "loan", "date", "amount")
MAX_REFERENCE = 64
NO_DAY = -(10**9)
"""``day`` of a row whose date is bad."""
_EPOCH = date(1970, 1, 1).toordinal()
_AMOUNT = r"^(?P<units>[0-9]{1,15})(?:\.(?P<cents>[0-9]{1,2}))?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ASCII_PRINTABLE = r"^[\x20-\x7e]+$"


@dataclass(frozen=True)
class RepaymentFile:
    """The file's rows: ``line`` numbers, ``reference`` and ``contract`` (stripped), ``day``
    (days since 1970-01-01, :data:`NO_DAY` when the date is bad), ``fen`` (-1 when the amount is bad),
    ``reference_ok``; and the rows refused for their shape (line, first field, reason)."""

    line: np.ndarray
    reference: list[str]
    contract: list[str]
    day: np.ndarray
    fen: np.ndarray
    reference_ok: np.ndarray
    malformed: list[tuple[int, str, str]]

    def __len__(self) -> int:
        return len(self.line)


def _check_header(path: Path) -> None:
    with path.open(newline="", encoding="utf-8-sig") as f:
        header = tuple(h.strip().lower() for h in next(csv.reader(f), ()))
    if header != HEADER:
        raise ValueError(f"{path}: the header must be {','.join(HEADER)}, got "
                         f"{','.join(header) or 'nothing'}")


def _amount_fen(text: pa.Array) -> np.ndarray:
    """Whole fen of each amount, -1 where it is not a positive whole-fen amount."""
    fast = pc.match_substring_regex(text, _AMOUNT).to_numpy(zero_copy_only=False)
    fen = np.full(len(text), -1, np.int64)
    idx = np.flatnonzero(fast)
    if len(idx):
        parts = pc.extract_regex(text.take(pa.array(idx)), _AMOUNT)
        units = pc.cast(parts.field("units"), pa.int64()).to_numpy()
        cents = pc.utf8_rpad(parts.field("cents"), 2, "0")
        fen[idx] = units * 100 + pc.cast(cents, pa.int64()).to_numpy()
    for i in np.flatnonzero(~fast).tolist():
        try:
            amount = Decimal(text[i].as_py())
            if amount.is_finite() and amount > 0 and round_money(amount) == amount:
                fen[i] = int(amount * 100)
        except InvalidOperation:
            pass
    fen[fen == 0] = -1
    return fen


def _days(text: pa.Array) -> np.ndarray:
    """Days since 1970-01-01 of each date, :data:`NO_DAY` where it is not a date."""
    fast = pc.match_substring_regex(text, _ISO_DATE).to_numpy(zero_copy_only=False)
    day = np.full(len(text), NO_DAY, np.int64)
    idx = np.flatnonzero(fast)
    if len(idx):
        ts = pc.strptime(text.take(pa.array(idx)), format="%Y-%m-%d", unit="s",
                         error_is_null=True)
        days = pc.fill_null(pc.cast(pc.cast(ts, pa.date32()), pa.int32()), NO_DAY).to_numpy()
        back = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
        real = pc.equal(text.take(pa.array(idx)), pa.array(back)).to_numpy(zero_copy_only=False)
        day[idx] = np.where(real, days, NO_DAY)  # 2026-02-30 is no day
    for i in np.flatnonzero(~fast).tolist():
        try:
            day[i] = date.fromisoformat(text[i].as_py()).toordinal() - _EPOCH
        except ValueError:
            pass
    return day


def _references_ok(text: pa.Array) -> np.ndarray:
    lengths = pc.utf8_length(text).to_numpy()
    ok = pc.match_substring_regex(text, _ASCII_PRINTABLE).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~ok & ~pc.string_is_ascii(text).to_numpy(zero_copy_only=False)).tolist():
        ok[i] = text[i].as_py().isprintable()
    return ok & (lengths >= 1) & (lengths <= MAX_REFERENCE)


def read_repayment_file(path: Path) -> RepaymentFile:
    """Read and check the file (see the module); ``ValueError`` for a wrong header."""
    _check_header(path)
    malformed: list[tuple[int, str, str]] = []

    def refuse(row: pacsv.InvalidRow) -> str:
        first = (row.text or "").split(",", 1)[0]
        malformed.append((int(row.number or 0), first,
                          f"expected 4 fields, got {row.actual_columns}"))
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, skip_rows=1, column_names=HEADER,
                                       encoding="utf8"),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=refuse),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(HEADER, pa.string()),
                                             strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    cols = {h: pc.utf8_trim_whitespace(table.column(h).combine_chunks()) for h in HEADER}
    bad_lines = np.array(sorted(n for n, _, _ in malformed), np.int64)
    every = np.arange(2, 2 + len(table) + len(bad_lines), dtype=np.int64)
    line = np.setdiff1d(every, bad_lines, assume_unique=True)
    blank = np.ones(len(table), bool)
    for h in HEADER:
        blank &= pc.equal(cols[h], "").to_numpy(zero_copy_only=False)
    keep = pa.array(np.flatnonzero(~blank))
    cols = {h: c.take(keep) for h, c in cols.items()}
    malformed.sort()
    return RepaymentFile(line[~blank], cols["reference"].to_pylist(),
                         cols["loan"].to_pylist(), _days(cols["date"]),
                         _amount_fen(cols["amount"]), _references_ok(cols["reference"]),
                         malformed)
