"""The monthly monitoring of a portfolio run's directory: read its tables, score the book with
the behaviour scorecard fitted on its first months, run the monitoring job, write its files.

The B-card (``models.bcard``) is fitted on the loan-months whose six-month window had closed
by the end of the book's ``bcard_train_months``-th month (point in time: what was known then)
and scores every active loan-month; its development sample is the PSI/CSI reference. The
A-card is judged on its PD at each decision (``loans.a_pd``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring import MonitoringResult, ScoreSample, load_rules, run_monthly
from creditfactory.monitoring.frame import month_categories
from creditfactory.monitoring.outputs import write_outputs
from creditfactory.monitoring.rules import load_outlook

__all__ = ["BookTables", "MonitorRun", "monitor_portfolio", "read_portfolio", "score_with_bcard"]


@dataclass
class BookTables:
    """The tables the monitoring reads (money as float CNY)."""

    loans: pd.DataFrame
    monthly: pd.DataFrame
    transactions: pd.DataFrame | None = None
    signals: pd.DataFrame | None = None
    industry_index: pd.DataFrame | None = None


@dataclass
class MonitorRun:
    """What a run produced and how long each step took."""

    result: MonitoringResult
    bscore: pd.DataFrame | None
    files: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet table with decimals as float64 and text as categories (fast at 36 M rows)."""
    table = pq.read_table(path, columns=columns)
    cols = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_decimal(col.type):
            col = pc.cast(col, pa.float64())
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = pc.dictionary_encode(col)
        cols.append(col)
        del name
    return pa.table(cols, names=table.column_names).to_pandas()


def read_portfolio(directory: Path, transactions: bool = True) -> BookTables:
    """The tables of a portfolio run's directory (signals and the industry index if the world
    published them)."""
    d = Path(directory)
    for name in ("loans.parquet", "monthly.parquet"):
        if not (d / name).exists():
            raise InvalidArgument(f"{d} has no {name} (a directory from `portfolio run`)")
    loans = pq.read_table(d / "loans.parquet").to_pandas()
    loans["principal"] = np.asarray(loans["principal"], dtype=np.float64)

    def optional(name: str) -> pd.DataFrame | None:
        return _read(d / name) if (d / name).exists() else None

    return BookTables(loans=loans, monthly=_read(d / "monthly.parquet"),
                      transactions=optional("transactions.parquet") if transactions else None,
                      signals=optional("signals.parquet"),
                      industry_index=optional("industry_index.parquet"))


def score_with_bcard(tables: BookTables, train_months: int = 18
                     ) -> tuple[pd.DataFrame, ScoreSample, str]:
    """The B-card fitted on the book's first ``train_months`` months, its scores of every
    active loan-month (``bscore``), its development sample and version."""
    from creditfactory.models.bcard import FEATURES, build_features, fit_bcard, score_book

    first = pd.to_datetime(tables.monthly["month"]).min().to_period("M")
    until = (first + train_months - 1).to_timestamp()
    card = fit_bcard(tables.loans, tables.monthly, tables.transactions, tables.signals,
                     tables.industry_index, train_until=until)
    X = build_features(tables.loans, tables.monthly, tables.transactions, tables.signals,
                       tables.industry_index)
    bscore = score_book(card, X)
    frame = pd.concat([pd.DataFrame({"month": month_categories(bscore["month"]),
                                     "score": bscore["score"].to_numpy()}),
                       X[list(FEATURES)].reset_index(drop=True)], axis=1)
    dev = frame[pd.to_datetime(bscore["month"]).to_numpy() <= until.to_datetime64()]
    sample = ScoreSample(reference=dev, current=frame, score="score",
                         characteristics=tuple(FEATURES))
    return bscore, sample, str(getattr(card, "version_", "bcard"))


def monitor_portfolio(directory: Path, out: Path, *, rules: Path | None = None,
                      bcard_train_months: int = 18, excel: bool = True,
                      engine: str = "pandas", world: Path | None = None,
                      promotion: Path | None = None) -> MonitorRun:
    """Run the monitoring on a portfolio run's directory and write its files into ``out``:
    with the scorecards' performance against matured outcomes, and with ``world`` (the world
    the run was played on: its declined applications) a challenger A-card refitted on the
    book, judged by the promotion rule (``promotion``, default the shipped one)."""
    from creditfactory.monitoring.learning import load_promotion_rule
    from creditfactory.services.monitoring_learning import attach_performance, portfolio_challenger

    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    tables = read_portfolio(directory)
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    bscore, samples = None, {}
    try:
        bscore, samples["b_card"], version = score_with_bcard(tables, bcard_train_months)
        notes.append(f"B-card {version} fitted on the book's first {bcard_train_months} months")
    except (ImportError, InvalidArgument) as exc:  # too young a book, or no B-card installed
        notes.append(f"no B-card scores: {exc}")
    if tables.signals is None:
        notes.append("the world published no post-loan signals: the B-card sees payments only")
    timings["bcard"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = run_monthly(tables.loans, tables.monthly, bscore=bscore, samples=samples,
                         industry_index=tables.industry_index, rules=load_rules(rules),
                         outlook_settings=load_outlook(rules), engine=engine)
    timings["monitoring"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    attach_performance(result, tables, bscore, bcard_train_months if bscore is not None else None)
    timings["performance"] = time.perf_counter() - t0
    if world is not None:
        t0 = time.perf_counter()
        try:
            result.promotion = portfolio_challenger(tables, Path(world),
                                                    load_promotion_rule(promotion))
            verdict = "promote" if result.promotion["promoted"] else "keep the champion"
            notes.append(f"challenger A-card {result.promotion['challenger_version']}: AUC "
                         f"{result.promotion['challenger_auc']:.4f} against the champion's "
                         f"{result.promotion['champion_auc']:.4f} on "
                         f"{result.promotion['window_from']}..{result.promotion['window_to']}, "
                         f"PSI {result.promotion['psi']:.4f}: {verdict}")
        except InvalidArgument as exc:
            notes.append(f"no challenger A-card: {exc}")
        timings["challenger"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result.stability["notes"] = notes
    files = write_outputs(result, Path(out), bscore, excel=excel)
    timings["write"] = time.perf_counter() - t0
    return MonitorRun(result=result, bscore=bscore, files=files, timings=timings, notes=notes)
