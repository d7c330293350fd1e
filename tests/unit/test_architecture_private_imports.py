"""No module imports a private (``_``) module of a package it is not part of.

A module named with a leading underscore belongs to its package: only that package (and its
sub-packages) may import it; everything else goes through the package's public names. The
test reads every module under ``src/`` with ``ast`` (no import runs), including imports inside
functions and ``TYPE_CHECKING`` blocks.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
DUNDER = {"__init__", "__main__"}


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    """Dotted name of a source file and whether it is a package's ``__init__``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def private_owner(name: str) -> str | None:
    """The package a dotted name's first private segment belongs to, or None if all public.

    >>> private_owner("creditfactory.scorecard._bins")
    'creditfactory.scorecard'
    >>> private_owner("creditfactory.scorecard.binning") is None
    True
    """
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and part not in DUNDER:
            return ".".join(parts[:i])
    return None


def _imported(tree: ast.AST, module: str, is_package: bool, root: Path
              ) -> list[tuple[int, str, str | None]]:
    """Each import's line, the dotted name it reaches and the package owning that name's
    first private part (None when all public); relative imports are resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, private_owner(a.name)) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((node.lineno, base, private_owner(base)))
            # ``from pkg import _mod`` reaches a private module (or name) of pkg; a private
            # name taken from a module belongs to that module's package
            is_pkg = (root / base.replace(".", "/") / "__init__.py").exists()
            owner = base if is_pkg else base.rpartition(".")[0]
            found += [(node.lineno, f"{base}.{a.name}", owner) for a in node.names
                      if a.name.startswith("_") and a.name not in DUNDER]
    return sorted(found, key=lambda f: (f[0], f[1]))


def violations(root: Path = SRC) -> list[str]:
    """``file:line imports name`` for every import of another package's private module."""
    out = []
    for path in sorted(root.rglob("*.py")):
        module, is_package = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name, owner in _imported(tree, module, is_package, root):
            if owner is None or not owner.startswith("creditfactory"):
                continue
            if module != owner and not module.startswith(owner + "."):
                out.append(f"{path.relative_to(root)}:{line} imports {name}")
    return out


def test_no_module_imports_a_private_module_of_another_package():
    found = violations()
    assert found == [], "private modules imported from outside their package:\n" + "\n".join(found)


def test_the_check_flags_an_outside_import_and_allows_one_inside(tmp_path):
    pkg = tmp_path / "creditfactory"
    (pkg / "scorecard").mkdir(parents=True)
    (pkg / "models").mkdir()
    for folder in (pkg, pkg / "scorecard", pkg / "models"):
        (folder / "__init__.py").write_text("")
    (pkg / "scorecard" / "_bins.py").write_text("X = 1\n")
    (pkg / "scorecard" / "fit.py").write_text("from creditfactory.scorecard._bins import X\n")
    (pkg / "scorecard" / "card.py").write_text("from creditfactory.scorecard.fit import _helper\n")
    (pkg / "models" / "card.py").write_text(
        "def f():\n    from creditfactory.scorecard._bins import X\n    return X\n"
        "from creditfactory.scorecard import _bins\n"
        "from ..scorecard._bins import X as Y\n"
        "from creditfactory.scorecard.card import _helper\n"
    )
    assert violations(tmp_path) == [
        "creditfactory/models/card.py:2 imports creditfactory.scorecard._bins",
        "creditfactory/models/card.py:4 imports creditfactory.scorecard._bins",
        "creditfactory/models/card.py:5 imports creditfactory.scorecard._bins",
        "creditfactory/models/card.py:6 imports creditfactory.scorecard.card._helper",
    ]
