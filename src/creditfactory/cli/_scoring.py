"""``scorecard score`` without Typer: the memory settings and the scoring run that the Typer
command and ``creditfactory.cli.main``'s plain path (MODEL DATA --out OUT) share.

Nothing here imports Typer or Rich, so the plain path loads the scorer, NumPy and Arrow only.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_plain_score", "score_file", "tune_memory"]


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


def score_file(model: Path, data: Path, out: Path) -> None:
    """Score DATA with the card in MODEL into OUT (:func:`~creditfactory.scorecard.score_table`)
    and say so on standard output."""
    tune_memory(jemalloc=True, streamed=data.suffix.lower() in (".parquet", ".pq"))
    from creditfactory.scorecard import load_scorer, score_table

    # what is loaded by now (modules, mostly) lives as long as the process: kept out of the
    # collector, the interpreter's last collection at exit skips it (0.03-0.05 s less CPU)
    gc.freeze()
    rows = score_table(load_scorer(model), data, out)
    sys.stdout.write(f"scored {rows:,} rows -> {out}\n")


def run_plain_score(args: Sequence[str]) -> bool:
    """Run ``scorecard score`` when ``args`` (what follows ``scorecard``) are ``score``, MODEL,
    DATA and ``--out OUT`` (or ``--out=OUT``) in any order, as Typer would run it; else
    return False and leave them to Typer (help, a mistake, anything else).

    Typer (its import, the command tree, its parsing of the three paths, which imports
    pydantic) took 0.15-0.2 s of the 0.9-1.0 s of CPU that scoring 1,000,000 rows took end
    to end.
    """
    if not args or args[0] != "score":
        return False
    paths = _plain_score_paths(args[1:])
    if paths is None:
        return False
    score_file(*paths)
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
