"""Conditions compiled two ways: generated Python for one record, NumPy masks for a frame.

The per-record code is generated once from validated names and literal values (``repr``), so
evaluating a rule costs a comparison, not a walk over a rule tree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.strategy.spec import Condition

_PY_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
_NP_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _fields(groups: Sequence[Sequence[Condition]]) -> list[str]:
    return sorted({c.field for group in groups for c in group})


def _expr(cond: Condition, consts: dict[str, Any]) -> str:
    var = f"v_{cond.field}"
    if cond.op in ("in", "not_in"):
        name = f"c{len(consts)}"
        consts[name] = frozenset(cond.value)  # type: ignore[arg-type]
        test = f"({var} {'in' if cond.op == 'in' else 'not in'} {name})"
    else:
        test = f"({var} {_PY_OPS[cond.op]} {cond.value!r})"
    return f"({cond.if_missing!r} if m_{cond.field} else {test})"


def _group_expr(group: Sequence[Condition], consts: dict[str, Any]) -> str:
    return " and ".join(_expr(c, consts) for c in group) if group else "True"


def _prologue(fields: list[str]) -> list[str]:
    lines = []
    for f in fields:
        lines.append(f"    v_{f} = r.get({f!r})")
        lines.append(f"    m_{f} = v_{f} is None or v_{f} != v_{f}")
    return lines


def _build(name: str, body: list[str], consts: dict[str, Any]) -> Callable[[Mapping[str, Any]], Any]:
    source = "\n".join([f"def {name}(r):", *body])
    namespace: dict[str, Any] = dict(consts)
    exec(compile(source, f"<strategy {name}>", "exec"), namespace)  # noqa: S102
    fn = namespace[name]
    fn.__source__ = source
    return fn  # type: ignore[no-any-return]


def compile_all_hits(groups: Sequence[Sequence[Condition]]) -> Callable[[Mapping[str, Any]], tuple[int, ...]]:
    """Per record: the indices of every group whose conditions all hold."""
    consts: dict[str, Any] = {}
    body = _prologue(_fields(groups)) + ["    h = []"]
    for i, group in enumerate(groups):
        body.append(f"    if {_group_expr(group, consts)}: h.append({i})")
    body.append("    return tuple(h)")
    return _build("all_hits", body, consts)


def compile_first_hit(groups: Sequence[Sequence[Condition]]) -> Callable[[Mapping[str, Any]], int]:
    """Per record: the index of the first group that holds, or -1."""
    consts: dict[str, Any] = {}
    body = _prologue(_fields(groups))
    for i, group in enumerate(groups):
        body.append(f"    if {_group_expr(group, consts)}: return {i}")
    body.append("    return -1")
    return _build("first_hit", body, consts)


class FrameColumns:
    """Columns of a frame as NumPy arrays with their missing masks, fetched once."""

    def __init__(self, frame: pd.DataFrame):
        self._frame = frame
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.n = len(frame)

    def get(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        if field not in self._cache:
            if field in self._frame.columns:
                series = self._frame[field]
                missing = series.isna().to_numpy(bool)
                if series.dtype.kind in "biuf":
                    values = series.to_numpy()
                else:
                    values = series.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
            else:
                values = np.full(self.n, None, dtype=object)
                missing = np.ones(self.n, dtype=bool)
            self._cache[field] = (values, missing)
        return self._cache[field]


def mask_of(group: Sequence[Condition], cols: FrameColumns) -> np.ndarray:
    """Vectorised truth of one AND-group over every row."""
    out = np.ones(cols.n, dtype=bool)
    for cond in group:
        values, missing = cols.get(cond.field)
        present = ~missing
        test = np.zeros(cols.n, dtype=bool)
        if cond.op in ("in", "not_in"):
            hit = pd.Series(values[present]).isin(list(cond.value)).to_numpy(bool)  # type: ignore[arg-type]
            test[present] = hit if cond.op == "in" else ~hit
        else:
            with np.errstate(invalid="ignore"):
                test[present] = np.asarray(_NP_OPS[cond.op](values[present], cond.value), dtype=bool)
        out &= np.where(missing, cond.if_missing, test)
    return out


def first_hit_index(groups: Sequence[Sequence[Condition]], cols: FrameColumns) -> np.ndarray:
    """Vectorised index of the first group that holds per row, or -1."""
    idx = np.full(cols.n, -1, dtype=np.int64)
    for i in range(len(groups) - 1, -1, -1):
        idx[mask_of(groups[i], cols)] = i
    return idx
