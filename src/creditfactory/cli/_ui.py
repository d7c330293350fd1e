"""Rich pieces every command shares: the console, progress bars and tables.

Progress bars and tables are imported when a command draws one, so a command that prints a
line (``scorecard score``) does not load them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table

console = Console()


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Any]:
    """A progress bar; yields ``update(done, total)``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
    ) as prog:
        task = prog.add_task(description, total=total)

        def update(done: int, total_: int) -> None:
            prog.update(task, completed=done, total=total_)

        yield update


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A simple Rich table."""
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*(str(x) for x in r))
    return t
