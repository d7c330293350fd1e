"""Another git revision of this repository checked out beside the tree, for side-by-side runs."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def source_of(rev: str | None) -> Iterator[Path | None]:
    """The ``src`` folder of a detached worktree of ``rev`` (removed afterwards); None for None.

    Put it first on ``PYTHONPATH`` and a process imports that revision's package instead of
    this tree's (the installed dependencies stay the same).
    """
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "other"
        beside = ROOT.parent / "shared"
        if beside.is_dir():  # the public data sets the benchmarks read from beside the checkout
            (Path(tmp) / "shared").symlink_to(beside)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-f", "--detach", str(tree), rev],
                       check=True, capture_output=True)
        try:
            yield tree / "src"
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)


def python_path(src: Path | None) -> dict[str, str]:
    """The environment entry that makes a process import the package at ``src`` (none for None)."""
    return {"PYTHONPATH": str(src)} if src is not None else {}
