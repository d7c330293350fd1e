"""``creditfactory scorecard``: fit a card from a table and score a table with a card.

``scorecard_app`` is the sub-app; other modules add commands to it (``report``) by importing
it and decorating, then being imported in ``creditfactory.cli._register``. The toolkit is
imported inside each command, so ``scorecard score`` loads the scorer, NumPy and Arrow only;
in its plain form (MODEL DATA --out OUT) ``main`` runs it without Typer's parsing
(:func:`run_plain_score`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console
from creditfactory.errors import InvalidArgument

scorecard_app = typer.Typer(
    name="scorecard",
    help="Scorecards: fit (logistic or divergence), score, report.",
    no_args_is_help=True,
)
app.add_typer(scorecard_app, name="scorecard")


def tune_memory(keep_freed: bool = False, jemalloc: bool = False, streamed: bool = False) -> None:
    """Memory settings for one command on large tables; a setting in the environment wins.

    Called before NumPy and pyarrow are imported. Measured on Linux with
    bench/scorecard_vs_optbinning.py's tables: Arrow's default mimalloc pool spent 0.6-1.2 s
    of system time reading a 200 MB Parquet file to score it, the system allocator 0.2-0.3 s
    (jemalloc as little there, but 1.0-1.2 s in a 200,000-row fit against 0.4-0.8 s).
    NumPy asks for transparent huge pages on large arrays; on a busy machine the kernel's
    compaction for them made the fit's system time 0.4-0.85 s, without them 0.45-0.5 s.
    With ``keep_freed`` (the fit), glibc's malloc serves large arrays from its heap and keeps
    freed memory for the next one, instead of a fresh mapping, page faults included, for
    every temporary array of the rows: measured on the 200,000 x 33 fit, 0.2 s less CPU
    (2.8-3.0 s against 3.0-3.2 s) at the same peak memory. With ``jemalloc`` (the scoring,
    which allocates Arrow buffers and hardly any NumPy temporaries) Arrow takes jemalloc's
    pool where pyarrow has it: 1,000,000 rows scored with 0.07-0.1 s less CPU than with the
    system allocator, output unchanged. With ``streamed`` (a Parquet file scored in blocks of
    rows) Arrow takes mimalloc's pool, told to keep freed pages: each block's buffers reuse
    the previous block's memory, where jemalloc and glibc mapped fresh pages (and faulted on
    them) for every block; reading 1,000,000 x 33 rows took 0.03 s of system time against
    0.13-0.15 s.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    if keep_freed or jemalloc or streamed:
        # the fit runs BLAS on one thread (Scorecard.fit) and scoring none: no OpenBLAS
        # workers, whose start-up spin cost the scoring process 0.03-0.09 s of CPU
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if keep_freed:
        _keep_freed_memory()
    if streamed:
        os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")  # read when pyarrow loads mimalloc
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    import pyarrow as pa

    if streamed:
        try:
            pa.set_memory_pool(pa.mimalloc_memory_pool())
            return
        except NotImplementedError:  # a pyarrow built without mimalloc
            pass
    if jemalloc or streamed:
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
            return
        except NotImplementedError:  # a pyarrow built without jemalloc
            pass
    pa.set_memory_pool(pa.system_memory_pool())


def _keep_freed_memory() -> None:
    """glibc only (``mallopt``), and only where MALLOC_MMAP_THRESHOLD_ and
    MALLOC_TRIM_THRESHOLD_ are not set."""
    if (sys.platform != "linux" or "MALLOC_MMAP_THRESHOLD_" in os.environ
            or "MALLOC_TRIM_THRESHOLD_" in os.environ):
        return
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
    except (ValueError, OSError):
        return
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: blocks up to 1 GiB from the heap
    mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD: keep up to 2 GiB of freed heap


@scorecard_app.command("fit")
def fit(
    train: Annotated[Path, typer.Argument(help="Training table, CSV or Parquet.")],
    target: Annotated[str, typer.Option(help="Target column.")],
    out: Annotated[Path, typer.Option(help="Model file to write (JSON).")],
    bad: Annotated[str, typer.Option(help="Target value meaning bad (e.g. 1, bad, Yes).")] = "1",
    objective: Annotated[str, typer.Option(help="logistic or divergence.")] = "logistic",
    exclude: Annotated[list[str] | None, typer.Option(
        help="Column to leave out of the candidates (repeatable), e.g. an id.")] = None,
    pdo: Annotated[float, typer.Option(help="Points to double the odds.")] = 20.0,
    base_score: Annotated[float, typer.Option(help="Score at the base odds.")] = 600.0,
    base_odds: Annotated[float, typer.Option(help="Goods per bad at the base score.")] = 50.0,
    rounding: Annotated[bool, typer.Option(help="Integer points per bin.")] = False,
    n_bags: Annotated[int, typer.Option(help="Bootstrap cards to average (0: none).")] = 0,
    chance_dof: Annotated[str, typer.Option(
        help="Selection's chance adjustment counts, per feature, the parameters the objective "
             "fits (coefficients: one for logistic) or bins - 1 (bins).")] = "coefficients",
) -> None:
    """Fit a scorecard on TRAIN; every column but the target (and --exclude) is a candidate."""
    tune_memory(keep_freed=True)
    from creditfactory.scorecard import Scorecard, metrics, read_table, save_card, split_target

    if objective not in ("logistic", "divergence"):
        raise InvalidArgument(f"--objective must be logistic or divergence, got {objective!r}")
    frame = read_table(train)
    missing = [c for c in exclude or [] if c not in frame.columns]
    if missing:
        raise InvalidArgument(f"--exclude names columns not in the data: {', '.join(missing)}")
    x, y = split_target(frame.drop(columns=list(exclude or [])), target, bad)
    card = Scorecard(objective=objective, pdo=pdo, base_score=base_score, base_odds=base_odds,
                     rounding=rounding, n_bags=n_bags, chance_dof=chance_dof,
                     random_state=0).fit(x, y)
    risk = card.predict_proba(x)[:, 1]
    auc, ks = metrics.auc_ks(y, risk)
    save_card(card, out, metadata={
        "target": target, "bad_value": bad, "train_file": str(train), "train_rows": len(x),
        "bad_rate": float(y.mean()), "train_auc": auc, "train_ks": ks,
        "candidates": [str(c) for c in x.columns],
    })
    console.print(f"{objective} card with {len(card.features_)} features "
                  f"({', '.join(card.features_)}); train AUC {auc:.4f}, KS {ks:.4f} -> {out}")


@scorecard_app.command("score")
def score(
    model: Annotated[Path, typer.Argument(help="Model file written by `scorecard fit`.")],
    data: Annotated[Path, typer.Argument(help="Table to score, CSV or Parquet.")],
    out: Annotated[Path, typer.Option(help="Output table (.csv or .parquet).")],
) -> None:
    """Write DATA with two more columns: score (points, higher is safer) and pd."""
    tune_memory(jemalloc=True, streamed=data.suffix.lower() in (".parquet", ".pq"))
    from creditfactory.scorecard import load_scorer, score_table

    # what is loaded by now (modules, mostly) lives as long as the process: kept out of the
    # collector, the interpreter's last collection at exit skips it (0.03-0.05 s less CPU)
    gc.freeze()
    rows = score_table(load_scorer(model), data, out)
    console.print(f"scored {rows:,} rows -> {out}")


def run_plain_score(args: Sequence[str]) -> bool:
    """Run ``scorecard score`` when ``args`` (what follows ``scorecard``) are ``score``, MODEL,
    DATA and ``--out OUT`` (or ``--out=OUT``) in any order, as Typer would run it; else
    return False and leave them to Typer (help, a mistake, anything else).

    Typer's parsing of the three paths imports pydantic and builds the command tree: measured
    at 0.1-0.2 s of the 0.9-1.0 s of CPU that scoring 1,000,000 rows takes end to end.
    """
    if not args or args[0] != "score":
        return False
    paths = _plain_score_paths(args[1:])
    if paths is None:
        return False
    score(*paths)
    return True


def _plain_score_paths(args: Sequence[str]) -> tuple[Path, Path, Path] | None:
    """MODEL, DATA and OUT from two arguments and one ``--out``, else None. A value Typer
    would refuse or treat specially (empty, starting with '-', a path that exists but cannot
    be read) is left to Typer, so that its message is the one shown."""
    positional: list[str] = []
    out: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--out":
            out.append(next(tokens, ""))
        elif token.startswith("--out="):
            out.append(token.removeprefix("--out="))
        elif token.startswith("-"):
            return None
        else:
            positional.append(token)
    values = [*positional, *out]
    if (len(positional) != 2 or len(out) != 1
            or any(not v or v.startswith("-") for v in values)
            or any(os.path.exists(v) and not os.access(v, os.R_OK) for v in values)):
        return None
    return Path(positional[0]), Path(positional[1]), Path(out[0])


@scorecard_app.command("export")
def export(
    model: Annotated[Path, typer.Argument(help="Model file written by `scorecard fit`.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option("--format", help="sql or pmml.")] = "sql",
    table: Annotated[str, typer.Option(help="SQL: the table the SELECT reads.")] = "applications",
) -> None:
    """Export a card as a SQL SELECT (sum of CASE look-ups) or as a PMML 4.4 Scorecard."""
    from creditfactory.scorecard import load_card
    from creditfactory.scorecard.export import pmml_document, sql_select

    if format not in ("sql", "pmml"):
        raise InvalidArgument(f"--format must be sql or pmml, got {format!r}")
    card = load_card(model)
    text = sql_select(card, table) + ";\n" if format == "sql" else pmml_document(card) + "\n"
    out.write_text(text, encoding="utf-8")
    console.print(f"{format} export of {len(card.features_)} features -> {out}")
