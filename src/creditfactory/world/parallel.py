"""Draw chunks in worker processes while the parent writes them, in order.

Every chunk depends only on the seed, the skeleton and its own index, so workers rebuild the
skeleton themselves (deterministically) and the output is byte-identical to a serial run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from creditfactory.world.config import WorldConfig
from creditfactory.world.macro import Macro
from creditfactory.world.plan import Plan
from creditfactory.world.simulate import (
    ChunkTables,
    build_chunk_tables,
    iter_chunks,
    n_chunks,
    prepare,
)

_STATE: dict[str, object] = {}


def _init(cfg: WorldConfig) -> None:
    _STATE["plan"], _STATE["macro"] = prepare(cfg)


def _work(k: int) -> ChunkTables:
    return build_chunk_tables(_STATE["plan"], _STATE["macro"], k)  # type: ignore[arg-type]


def default_workers(cfg: WorldConfig) -> int:
    """One process per core for worlds of four chunks or more, else none."""
    if n_chunks(cfg) < 4:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def parallel_chunks(cfg: WorldConfig, plan: Plan, macro: Macro, workers: int | None = None
                    ) -> Iterator[ChunkTables]:
    """The chunks of ``cfg`` in order, drawn by ``workers`` processes (1 = in this process)."""
    workers = default_workers(cfg) if workers is None else workers
    if workers <= 1:
        yield from iter_chunks(plan, macro)
        return
    total = n_chunks(cfg)
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(cfg,)) as ex:
        pending: deque[Future[ChunkTables]] = deque()
        nxt = 0
        while nxt < total and len(pending) < 2 * workers:
            pending.append(ex.submit(_work, nxt))
            nxt += 1
        while pending:
            tables = pending.popleft().result()
            if nxt < total:
                pending.append(ex.submit(_work, nxt))
                nxt += 1
            yield tables
