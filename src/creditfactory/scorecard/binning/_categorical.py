"""Fit the binning of one categorical feature: levels ordered by event rate, rare ones pooled.

Rows are factorised once (pandas hash table); everything after works on per-level counts.
Levels below ``rare_share`` of the rows are pooled into one group placed by its own event
rate; the ordered groups are pre-merged to at most ``n_prebins`` and then merged optimally
(ascending event rate, i.e. descending WoE) like numeric pre-bins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.scorecard._bins import FeatureBinning, level_key
from creditfactory.scorecard.binning._numeric import BinningSpec
from creditfactory.scorecard.binning._optimal import optimal_merge

__all__ = ["fit_categorical"]


def fit_categorical(
    name: str, values: pd.Series | np.ndarray, y: np.ndarray, spec: BinningSpec
) -> FeatureBinning:
    """Fit one categorical feature; ``y`` is 0/1 int, missing values are None/NaN/NA."""
    codes, uniques = pd.factorize(values if isinstance(values, pd.Series)
                                  else np.asarray(values, dtype=object), use_na_sentinel=True)
    keys, key_levels = pd.factorize(np.array([level_key(u) for u in uniques], dtype=object))
    codes = np.where(np.asarray(codes) >= 0, np.append(keys, -1)[np.asarray(codes)], -1)
    levels = [str(v) for v in key_levels]
    seen = codes >= 0
    cnt = np.bincount(codes[seen], minlength=len(levels)).astype(np.int64)
    ev = np.bincount(codes[seen], weights=y[seen], minlength=len(levels)).astype(np.int64)
    specials = tuple(level_key(v) for v in spec.special_values)
    special_pos = {v: k for k, v in enumerate(specials)}
    sp_cnt = np.zeros(len(specials), dtype=np.int64)
    sp_ev = np.zeros(len(specials), dtype=np.int64)
    regular: list[int] = []
    for i, level in enumerate(levels):
        if level in special_pos:
            sp_cnt[special_pos[level]] += cnt[i]
            sp_ev[special_pos[level]] += ev[i]
        else:
            regular.append(i)
    total, total_event = int(codes.size), int(y.sum())
    groups, unseen = _groups(levels, regular, cnt, ev, total, total_event, spec)
    pos = {levels[i]: i for i in regular}
    members = [np.asarray([pos[v] for v in g if v in pos], dtype=np.intp) for g in groups]
    g_cnt = np.array([cnt[m].sum() for m in members], dtype=np.int64)
    g_ev = np.array([ev[m].sum() for m in members], dtype=np.int64)
    return FeatureBinning.from_counts(
        name, "categorical",
        categories=tuple(tuple(g) for g in groups),
        special_values=specials,
        count=np.concatenate((g_cnt, sp_cnt, [int((~seen).sum())])),
        n_event=np.concatenate((g_ev, sp_ev, [int(y[~seen].sum())])),
        unseen_bin=unseen,
        monotonic_trend="ascending" if len(groups) > 1 and spec.user_splits is None else None,
    )


def _groups(
    levels: list[str], regular: list[int], cnt: np.ndarray, ev: np.ndarray,
    total: int, total_event: int, spec: BinningSpec,
) -> tuple[list[list[str]], int | None]:
    """Level groups in bin order, and the bin for unseen levels (None: the largest bin)."""
    if spec.user_splits is not None:
        return _user_groups(levels, regular, spec.user_splits)
    if not regular:
        return [], None
    reg = np.asarray(regular, dtype=np.intp)
    if not 0 < total_event < total:
        return [[levels[i] for i in reg[np.argsort(-cnt[reg], kind="stable")]]], None
    rare = cnt[reg] < spec.rare_share * total
    units: list[list[int]] = [[int(i)] for i in reg[~rare]]
    if rare.any():
        units.append([int(i) for i in reg[rare]])
    u_cnt = np.array([cnt[u].sum() for u in units], dtype=np.float64)
    u_ev = np.array([ev[u].sum() for u in units], dtype=np.float64)
    order = np.lexsort((-u_cnt, u_ev / u_cnt))
    units = [units[i] for i in order]
    cuts = _premerge(u_cnt[order], spec.n_prebins)
    res = optimal_merge(np.add.reduceat(u_cnt[order], cuts), np.add.reduceat(u_ev[order], cuts),
                        total=float(total), total_event=float(total_event),
                        trend="ascending", max_bins=spec.max_bins,
                        min_count=spec.min_bin_share * total)
    bounds = [*(int(cuts[b]) for b in res.bounds[:-1]), len(units)]
    groups = [[levels[i] for u in units[a:b] for i in u]
              for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    unseen = None
    if rare.any():
        rare_level = levels[int(reg[rare][0])]
        unseen = next(k for k, g in enumerate(groups) if rare_level in g)
    return groups, unseen


def _premerge(u_cnt: np.ndarray, n_prebins: int) -> np.ndarray:
    """Start index of each pre-bin when more ordered units than ``n_prebins`` (equal counts)."""
    if u_cnt.size <= n_prebins:
        return np.arange(u_cnt.size)
    edges = np.cumsum(u_cnt) - u_cnt
    target = np.arange(n_prebins) * (u_cnt.sum() / n_prebins)
    return np.unique(np.searchsorted(edges, target, side="left").clip(0, u_cnt.size - 1))


def _user_groups(
    levels: list[str], regular: list[int], user: tuple
) -> tuple[list[list[str]], int | None]:
    """User-fixed groups (kept even for levels unseen in fit); seen levels that no group
    names form one extra last group, which also takes unseen levels."""
    groups = [[level_key(v) for v in g] for g in user]
    named = {v for g in groups for v in g}
    rest = [levels[i] for i in regular if levels[i] not in named]
    if rest:
        return [*groups, rest], len(groups)
    return groups, None
