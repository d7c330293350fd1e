"""A LightGBM binary model as generated Python, for one record in microseconds.

LightGBM's own single-row predict costs hundreds of microseconds per call from Python; the
challenger sits on the per-application path, so its trees are turned into nested ``if``s once.
Numeric splits only (categoricals are fed as integer codes), with LightGBM's missing-value
rules (``NaN``: the default side; ``None``: NaN counts as 0; ``Zero``: 0 and NaN go the default
side).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any


def _node(node: dict[str, Any], depth: int, out: list[str]) -> None:
    pad = "    " * depth
    if "leaf_value" in node:
        out.append(f"{pad}s += {float(node['leaf_value'])!r}")
        return
    if node["decision_type"] != "<=":
        raise ValueError(f"unsupported split {node['decision_type']!r}")
    f, thr = int(node["split_feature"]), float(node["threshold"])
    left = bool(node["default_left"])
    kind = node.get("missing_type", "None")
    if kind == "NaN":
        cond = f"(x{f} <= {thr!r}) if x{f} == x{f} else {left!r}"
    elif kind == "Zero":
        cond = f"{left!r} if (x{f} != x{f} or x{f} == 0.0) else (x{f} <= {thr!r})"
    else:
        cond = f"(x{f} <= {thr!r}) if x{f} == x{f} else {0.0 <= thr!r}"
    out.append(f"{pad}if {cond}:")
    _node(node["left_child"], depth + 1, out)
    out.append(f"{pad}else:")
    _node(node["right_child"], depth + 1, out)


def compile_booster(booster: Any) -> Callable[[Sequence[float]], float]:
    """``predict(row) -> probability`` for a binary LightGBM booster."""
    dump = booster.dump_model()
    if dump.get("objective", "").split(" ")[0] != "binary":
        raise ValueError("only binary boosters are supported")
    n = int(dump["max_feature_idx"]) + 1
    lines = ["def predict(x):", f"    {', '.join(f'x{i}' for i in range(n))}, = x", "    s = 0.0"]
    for tree in dump["tree_info"]:
        _node(tree["tree_structure"], 1, lines)
    lines.append("    return 1.0 / (1.0 + _exp(-s))")
    namespace: dict[str, Any] = {"_exp": math.exp}
    exec(compile("\n".join(lines), "<lightgbm challenger>", "exec"), namespace)  # noqa: S102
    return namespace["predict"]  # type: ignore[no-any-return]
