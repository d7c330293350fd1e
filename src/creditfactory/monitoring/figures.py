"""The book's monthly figures by month and by each dimension (and the whole book): the
five-category and bucket mix with the NPL ratio, vintages by months on book, roll and flow
rates between the DPD buckets, and early delinquency.

Definitions (``../shared/DESIGN.md``): on-book balance is the principal outstanding of current
and delinquent loans at the month's end (written-off and closed loans are off the book); NPL
ratio is the on-book balance classed substandard, doubtful or loss over the on-book balance;
30+ and 90+ are ``dpd > 30`` and ``dpd > 90``. A vintage is the loans paid out in one month;
its rate at a MOB is the balance then 30+ (or 90+) DPD, written off or not, over the
principal paid out. A roll rate is the share of the on-book balance in bucket Mn at one
month-end that sits in M(n+1) at the next (the loan followed, balance at the first month); a
flow rate is the book-level ratio ``balance(M(n+1), t) / balance(Mn, t - 1)``.

Each figure is computed in two halves: its *cubes* (counts and fen sums over month x
dimension value x state: one ``np.bincount`` per dimension here, a group-by on Spark in
:mod:`creditfactory.monitoring.spark`) and the table built from them, shared by both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.monitoring.frame import BUCKETS, CLASSES, MonitoringBook

__all__ = ["CUBES", "early_delinquency", "mix", "roll_rates", "value_axis", "vintages"]

NB, NC = len(BUCKETS), len(CLASSES)
_NPL = slice(2, 5)  # substandard, doubtful, loss
EARLY_MOB = 6


def value_axis(book: MonitoringBook) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Per-loan codes of every dimension offset onto one shared value axis, its length, and
    the label and dimension name of each position."""
    offset, blocks = 0, []
    for codes, labels in book.dims.values():
        blocks.append(codes + offset)
        offset += len(labels)
    labels = np.concatenate([lab for _, lab in book.dims.values()])
    dim_of = np.concatenate([[name] * len(lab) for name, (_, lab) in book.dims.items()])
    return np.stack(blocks), offset, labels, dim_of.astype(object)


def _cube(key: np.ndarray, shape: tuple[int, ...], weights: np.ndarray | None = None) -> np.ndarray:
    size = int(np.prod(shape))
    return np.bincount(key, weights, minlength=size)[:size].reshape(shape).astype(np.float64)


def _summed(book: MonitoringBook, rows: np.ndarray, first: np.ndarray, inner: np.ndarray,
            n_first: int, n_inner: int, weights: list[np.ndarray | None]) -> list[np.ndarray]:
    """Per (first, value, inner): the sums of each of ``weights`` (None counts) over ``rows``,
    every dimension's values on the shared axis."""
    codes, nv, _, _ = value_axis(book)
    shape = (n_first, nv, n_inner)
    kind = np.dtype(np.int32 if np.prod(shape) < 2**31 else np.int64)  # half the traffic
    out = [np.zeros(shape) for _ in weights]
    loan = book.loan[rows]
    outer = first.astype(kind) * np.asarray(nv * n_inner, kind) + inner.astype(kind)
    for dim_codes in codes:
        key = (outer + (dim_codes.astype(kind) * np.asarray(n_inner, kind))[loan]).astype(np.intp)
        for acc, w in zip(out, weights, strict=True):
            acc += _cube(key, shape, w)
    return out


def pairs(book: MonitoringBook) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (t, t + 1) of each loan's consecutive month-ends, the first on book."""
    key = book.loan.astype(np.int64) * book.n_months + book.month
    if key.size > 1 and bool((key[1:] > key[:-1]).all()):  # already by loan and month
        order = np.arange(key.size)
    else:
        order = np.argsort(key, kind="stable")
    loan, month = book.loan[order], book.month[order]
    nxt = (loan[1:] == loan[:-1]) & (month[1:] == month[:-1] + 1) & book.on_book[order][:-1]
    return order[:-1][nxt], order[1:][nxt]


def mix_cubes(book: MonitoringBook) -> list[np.ndarray]:
    """Count and fen, (month, value, bucket * NC + class) over the on-book rows."""
    rows = np.flatnonzero(book.on_book)
    state = book.bucket[rows].astype(np.int64) * NC + book.class5[rows]
    return _summed(book, rows, book.month[rows], state, book.n_months, NB * NC,
                   [None, book.balance[rows]])


def vintage_cubes(book: MonitoringBook) -> list[np.ndarray]:
    """Rows, fen 30+ and fen 90+ by (vintage, value, MOB); loans and fen paid out by
    (vintage, value, 0)."""
    rows = np.arange(book.loan.size)
    n_mob = int(book.mob.max(initial=0)) + 1
    seen, b30, b90 = _summed(book, rows, book.vintage[book.loan], book.mob, book.n_months, n_mob,
                             [None, np.where(book.dpd > 30, book.balance, 0.0),
                              np.where(book.dpd > 90, book.balance, 0.0)])
    codes, nv, _, _ = value_axis(book)
    paid_loans, paid = np.zeros((book.n_months, nv, 1)), np.zeros((book.n_months, nv, 1))
    for dim_codes in codes:
        key = book.vintage.astype(np.int64) * nv + dim_codes
        paid_loans += _cube(key, paid_loans.shape)
        paid += _cube(key, paid.shape, book.principal)
    return [seen, b30, b90, paid_loans, paid]


def roll_cubes(book: MonitoringBook) -> list[np.ndarray]:
    """Loans and fen moved, (month of arrival, value, source * NB + target)."""
    src, dst = pairs(book)
    move = book.bucket[src].astype(np.int64) * NB + book.bucket[dst]
    return _summed(book, src, book.month[dst], move, book.n_months, NB * NB,
                   [None, book.balance[src]])


def early_cubes(book: MonitoringBook) -> list[np.ndarray]:
    """Count and fen of the young on-book rows, (month, value, 30+ or not)."""
    rows = np.flatnonzero(book.on_book & (book.mob <= EARLY_MOB))
    late = (book.dpd[rows] > 30).astype(np.int64)
    return _summed(book, rows, book.month[rows], late, book.n_months, 2,
                   [None, book.balance[rows]])


CUBES: dict[str, Callable[[MonitoringBook], list[np.ndarray]]] = {
    "mix": mix_cubes, "vintages": vintage_cubes, "rolls": roll_cubes, "early": early_cubes}
"""The pandas engine's cubes; :mod:`creditfactory.monitoring.spark` gives the same shapes."""
Cubes = dict[str, list[np.ndarray]]


def mix(book: MonitoringBook, cubes: Cubes | None = None) -> pd.DataFrame:
    """Per month and dimension value: loans and on-book balance, the balance by five-category
    class and by bucket, the NPL, 30+ and 90+ ratios (groups with no loan on book dropped)."""
    count, money = (cubes or {}).get("mix") or mix_cubes(book)
    count = count.reshape(count.shape[:2] + (NB, NC))
    money = money.reshape(count.shape) / 100
    by_class, by_bucket = money.sum(axis=2), money.sum(axis=3)
    loans = count.sum(axis=(2, 3))
    t, v = np.nonzero(loans)
    total = by_class.sum(axis=2)[t, v]
    _, _, labels, dim_of = value_axis(book)
    out = pd.DataFrame({
        "month": book.months()[t], "dimension": dim_of[v], "value": labels[v],
        "loans": loans[t, v].astype(np.int64), "balance": total,
        **{f"balance_{c}": by_class[t, v, i] for i, c in enumerate(CLASSES)},
        **{f"balance_{b}": by_bucket[t, v, i] for i, b in enumerate(BUCKETS)},
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out["npl_ratio"] = by_class[t, v, _NPL].sum(axis=1) / total
        out["dpd30_ratio"] = by_bucket[t, v, 2:].sum(axis=1) / total
        out["dpd90_ratio"] = by_bucket[t, v, 4:].sum(axis=1) / total
    return out


def vintages(book: MonitoringBook, cubes: Cubes | None = None) -> pd.DataFrame:
    """Per dimension value, payout month and MOB: loans and principal paid out, the balance
    30+ and 90+ DPD and its share of the principal paid out."""
    seen, b30, b90, paid_loans, paid = (cubes or {}).get("vintages") or vintage_cubes(book)
    t, v, m = np.nonzero(seen)
    _, _, labels, dim_of = value_axis(book)
    p = paid[t, v, 0]
    out = pd.DataFrame({"dimension": dim_of[v], "value": labels[v], "vintage": book.months()[t],
                        "mob": m.astype(np.int16), "loans": paid_loans[t, v, 0].astype(np.int64),
                        "principal": p / 100, "balance_30plus": b30[t, v, m] / 100,
                        "balance_90plus": b90[t, v, m] / 100, "rate_30plus": b30[t, v, m] / p,
                        "rate_90plus": b90[t, v, m] / p})
    return out.sort_values(["dimension", "value", "vintage", "mob"], kind="stable",
                           ignore_index=True)


def roll_rates(book: MonitoringBook, mix_table: pd.DataFrame | None = None,
               cubes: Cubes | None = None) -> pd.DataFrame:
    """Per month (the month the move is seen) and dimension value: ``kind = transition`` rows
    (the balance moved from each bucket to each other, moves only), ``roll`` rows (Mn to
    M(n+1), wherever the source held balance) and ``flow`` rows (book-level Mn to M(n+1))."""
    loans, moved = (cubes or {}).get("rolls") or roll_cubes(book)
    loans = loans.reshape(loans.shape[:2] + (NB, NB))
    moved = moved.reshape(loans.shape) / 100
    base = moved.sum(axis=3)
    _, _, labels, dim_of = value_axis(book)
    months, names = book.months(), np.array(BUCKETS)

    def frame(kind: str, t: Any, v: Any, s: Any, d: Any) -> pd.DataFrame:
        return pd.DataFrame({"month": months[t], "dimension": dim_of[v], "value": labels[v],
                             "kind": kind, "source": names[s], "target": names[d],
                             "loans": loans[t, v, s, d].astype(np.int64),
                             "balance": base[t, v, s], "moved": moved[t, v, s, d],
                             "rate": moved[t, v, s, d] / base[t, v, s]})

    t, v, s, d = np.nonzero(moved)
    frames = [frame("transition", t, v, s, d)]
    t, v, s = np.nonzero(base[:, :, :-1] > 0)
    frames.append(frame("roll", t, v, s, s + 1))
    frames.append(_flows(mix_table if mix_table is not None else mix(book, cubes)))
    return pd.concat(frames, ignore_index=True)


def _flows(mix_table: pd.DataFrame) -> pd.DataFrame:
    """Book-level flow rates Mn(t - 1) to M(n+1)(t) from the mix's balances by bucket."""
    m = mix_table.sort_values(["dimension", "value", "month"], kind="stable")
    prev_ok = ((m["dimension"] == m["dimension"].shift()) & (m["value"] == m["value"].shift())
               & (pd.PeriodIndex(m["month"], freq="M") - 1 ==
                  pd.PeriodIndex(m["month"].shift().fillna(m["month"]), freq="M")))
    frames = []
    for i in range(NB - 2):
        before = m[f"balance_{BUCKETS[i]}"].shift().where(prev_ok)
        after = m[f"balance_{BUCKETS[i + 1]}"]
        ok = before > 0
        frames.append(pd.DataFrame({
            "month": m["month"][ok], "dimension": m["dimension"][ok], "value": m["value"][ok],
            "kind": "flow", "source": BUCKETS[i], "target": BUCKETS[i + 1],
            "loans": m["loans"][ok], "balance": before[ok], "moved": after[ok],
            "rate": after[ok] / before[ok]}))
    return pd.concat(frames, ignore_index=True)


def early_delinquency(book: MonitoringBook, cubes: Cubes | None = None) -> pd.DataFrame:
    """Per month and dimension value, the young book (on book, MOB 6 or less): its loans, its
    balance and the share of that balance 30+ DPD -- a channel that packages applicants shows
    here first."""
    count, money = (cubes or {}).get("early") or early_cubes(book)
    loans = count.sum(axis=2)
    t, v = np.nonzero(loans)
    _, _, labels, dim_of = value_axis(book)
    total = money.sum(axis=2)[t, v]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = money[t, v, 1] / total
    return pd.DataFrame({"month": book.months()[t], "dimension": dim_of[v], "value": labels[v],
                         "loans": loans[t, v].astype(np.int64), "balance": total / 100,
                         "early_dpd30_ratio": ratio})
