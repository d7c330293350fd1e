"""A fitted card as one SQL expression: a sum of ``CASE`` look-ups, one per feature.

The expression uses only ``CASE``, comparisons, ``IN`` and ``IS NULL``, so it runs unchanged in
SQLite, PostgreSQL and most warehouses. Each feature's terms test missing first, then its
special values, then its bins in order, mirroring the compiled scorer; the sum is written in
the same order as the scorer adds points, so the result is the same float.
"""

from __future__ import annotations

from typing import Any

from creditfactory.scorecard._compiled import CompiledFeature

__all__ = ["sql_score_expression", "sql_select"]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _num(value: float) -> str:
    return repr(float(value))


def _feature_case(f: CompiledFeature) -> str:
    col = _ident(f.name)
    pts = f.points
    lines = [f"WHEN {col} IS NULL THEN {_num(pts[f.missing_bin])}"]
    if f.numeric:
        for special, b in f.specials:
            if not isinstance(special, str):
                lines.append(f"WHEN {col} = {_num(float(special))} THEN {_num(pts[b])}")
        for k, split in enumerate(f.splits):
            lines.append(f"WHEN {col} < {_num(split)} THEN {_num(pts[k])}")
        lines.append(f"ELSE {_num(pts[len(f.splits)])}")
    else:
        by_bin: dict[int, list[str]] = {}
        for level, b in f.levels.items():
            by_bin.setdefault(b, []).append(level)
        for b in sorted(by_bin):
            values = ", ".join(_text(v) for v in sorted(by_bin[b]))
            lines.append(f"WHEN {col} IN ({values}) THEN {_num(pts[b])}")
        lines.append(f"ELSE {_num(pts[f.unseen_bin])}")
    return "CASE " + " ".join(lines) + " END"


def sql_score_expression(card: Any) -> str:
    """SQL expression giving a row's points (higher is safer) from the card's features.

    ``card`` is a fitted :class:`Scorecard` (or anything with a ``scorer_``).

    Examples
    --------
    >>> import sqlite3, numpy as np, pandas as pd
    >>> from creditfactory.scorecard._scorecard import Scorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=400)})
    >>> y = (rng.random(400) < 1 / (1 + np.exp(1 + X["x"]))).astype(int)
    >>> card = Scorecard(rounding=True).fit(X, y)
    >>> con = sqlite3.connect(":memory:")
    >>> _ = X.to_sql("apps", con)
    >>> got = [r[0] for r in con.execute(sql_select(card, "apps"))]
    >>> got == card.points(X).tolist()
    True
    """
    scorer = card.scorer_
    terms = [_feature_case(f) for f in scorer.features]
    return " + ".join([_num(scorer.constant), *[f"({t})" for t in terms]])


def sql_select(card: Any, table: str, score_column: str = "score") -> str:
    """``SELECT <points> AS score FROM table`` for the card."""
    return f"SELECT {sql_score_expression(card)} AS {_ident(score_column)} FROM {_ident(table)}"
