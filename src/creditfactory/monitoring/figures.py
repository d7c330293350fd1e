"""The book's monthly figures by month and by each dimension (and the whole book): the
five-category and bucket mix with the NPL ratio, vintages by months on book, and roll and flow
rates between the DPD buckets.

Definitions (``../shared/DESIGN.md``): on-book balance is the principal outstanding of current
and delinquent loans at the month's end (written-off and closed loans are off the book); NPL
ratio is the on-book balance classed substandard, doubtful or loss over the on-book balance;
30+ and 90+ are ``dpd > 30`` and ``dpd > 90``. A vintage is the loans paid out in one month;
its rate at a MOB is the balance then 30+ (or 90+) DPD, written off or not, over the
principal paid out. A roll rate is the share of the on-book balance in bucket Mn at one
month-end that sits in M(n+1) at the next (the loan followed, balance at the first month); a
flow rate is the book-level ratio ``balance(M(n+1), t) / balance(Mn, t - 1)``. Each figure
is one ``np.bincount`` over the rows per dimension: no per-row Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.monitoring.frame import BUCKETS, CLASSES, MonitoringBook

__all__ = ["early_delinquency", "mix", "roll_rates", "vintages"]

_NB, _NC = len(BUCKETS), len(CLASSES)
_NPL = slice(2, 5)  # substandard, doubtful, loss


def _cube(key: np.ndarray, size: int, weights: np.ndarray | None, shape: tuple[int, ...]
          ) -> np.ndarray:
    return np.bincount(key, weights, minlength=size)[:size].reshape(shape)


def _value_codes(book: MonitoringBook) -> tuple[np.ndarray, int]:
    """Per-loan codes of every dimension, offset so all dimensions share one axis."""
    offset, blocks = 0, []
    for codes, labels in book.dims.values():
        blocks.append(codes + offset)
        offset += len(labels)
    return np.stack(blocks), offset


def mix(book: MonitoringBook) -> pd.DataFrame:
    """Per month and dimension value: loans and on-book balance, the balance by five-category
    class and by bucket, the NPL, 30+ and 90+ ratios (groups with no loan on book dropped)."""
    rows = np.flatnonzero(book.on_book)
    loan, month = book.loan[rows], book.month[rows]
    state = book.bucket[rows].astype(np.int32) * _NC + book.class5[rows]
    bal = book.balance[rows]
    codes, nv = _value_codes(book)
    size = book.n_months * nv * _NB * _NC
    count = np.zeros((book.n_months, nv, _NB, _NC))
    money = np.zeros_like(count)
    for dim_codes in codes:
        key = (month * nv + dim_codes[loan]) * (_NB * _NC) + state
        count += _cube(key, size, None, count.shape)
        money += _cube(key, size, bal, money.shape)
    by_class, by_bucket = money.sum(axis=2), money.sum(axis=3)
    loans = count.sum(axis=(2, 3))
    t, v = np.nonzero(loans)
    total = by_class.sum(axis=2)[t, v]
    labels, dim_of = _value_labels(book)
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


def vintages(book: MonitoringBook, max_mob: int | None = None) -> pd.DataFrame:
    """Per dimension value, payout month and MOB: loans and principal paid out, the balance
    30+ and 90+ DPD and its share of the principal paid out."""
    mob = np.minimum(book.mob, max_mob) if max_mob is not None else book.mob
    n_mob = int(mob.max(initial=0)) + 1
    vint = book.vintage[book.loan]
    codes, nv = _value_codes(book)
    bad30 = np.where(book.dpd > 30, book.balance, 0.0)
    bad90 = np.where(book.dpd > 90, book.balance, 0.0)
    shape = (book.n_months, n_mob, nv)
    size = int(np.prod(shape))
    seen, b30, b90 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    paid_loans, paid = np.zeros((book.n_months, nv)), np.zeros((book.n_months, nv))
    for dim_codes in codes:
        key = (vint * n_mob + mob) * nv + dim_codes[book.loan]
        seen += _cube(key, size, None, shape)
        b30 += _cube(key, size, bad30, shape)
        b90 += _cube(key, size, bad90, shape)
        lkey = book.vintage * nv + dim_codes
        paid_loans += _cube(lkey, book.n_months * nv, None, paid_loans.shape)
        paid += _cube(lkey, book.n_months * nv, book.principal, paid.shape)
    t, m, v = np.nonzero(seen)
    labels, dim_of = _value_labels(book)
    out = pd.DataFrame({"dimension": dim_of[v], "value": labels[v], "vintage": book.months()[t],
                        "mob": m.astype(np.int16), "loans": paid_loans[t, v].astype(np.int64),
                        "principal": paid[t, v], "balance_30plus": b30[t, m, v],
                        "balance_90plus": b90[t, m, v], "rate_30plus": b30[t, m, v] / paid[t, v],
                        "rate_90plus": b90[t, m, v] / paid[t, v]})
    return out.sort_values(["dimension", "value", "vintage", "mob"], kind="stable",
                           ignore_index=True)


def _value_labels(book: MonitoringBook) -> tuple[np.ndarray, np.ndarray]:
    """The labels and dimension names along the shared value axis of :func:`_value_codes`."""
    labels = np.concatenate([lab for _, lab in book.dims.values()])
    dim_of = np.concatenate([[name] * len(lab) for name, (_, lab) in book.dims.items()])
    return labels, dim_of.astype(object)


def _pairs(book: MonitoringBook) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (t, t + 1) of each loan's consecutive month-ends, source on book."""
    key = book.loan.astype(np.int64) * book.n_months + book.month
    if key.size > 1 and bool((key[1:] > key[:-1]).all()):  # already by loan and month
        order = np.arange(key.size)
    else:
        order = np.argsort(key, kind="stable")
    loan, month = book.loan[order], book.month[order]
    nxt = (loan[1:] == loan[:-1]) & (month[1:] == month[:-1] + 1) & book.on_book[order][:-1]
    return order[:-1][nxt], order[1:][nxt]


def roll_rates(book: MonitoringBook, mix_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per month (the month the move is seen) and dimension value: ``kind = transition`` rows
    (the balance moved from each bucket to each other, moves only), ``roll`` rows (Mn to
    M(n+1), wherever the source held balance) and ``flow`` rows (book-level Mn to M(n+1))."""
    src, dst = _pairs(book)
    loan, month = book.loan[src], book.month[dst]
    move = book.bucket[src].astype(np.int32) * _NB + book.bucket[dst]
    bal = book.balance[src]
    codes, nv = _value_codes(book)
    shape = (book.n_months, nv, _NB, _NB)
    size = int(np.prod(shape))
    moved, loans = np.zeros(shape), np.zeros(shape)
    for dim_codes in codes:
        key = (month * nv + dim_codes[loan]) * (_NB * _NB) + move
        moved += _cube(key, size, bal, shape)
        loans += _cube(key, size, None, shape)
    base = moved.sum(axis=3)
    t, v, s, d = np.nonzero(moved)
    labels, dim_of = _value_labels(book)
    months = book.months()
    trans = pd.DataFrame({"month": months[t], "dimension": dim_of[v], "value": labels[v],
                          "kind": "transition", "source": np.array(BUCKETS)[s],
                          "target": np.array(BUCKETS)[d], "loans": loans[t, v, s, d].astype(np.int64),
                          "balance": base[t, v, s], "moved": moved[t, v, s, d],
                          "rate": moved[t, v, s, d] / base[t, v, s]})
    n = np.arange(_NB - 1)
    t, v, s = np.nonzero(base[:, :, :-1] > 0)
    fwd = moved[:, :, n, n + 1]
    roll = pd.DataFrame({"month": months[t], "dimension": dim_of[v], "value": labels[v],
                         "kind": "roll", "source": np.array(BUCKETS)[s],
                         "target": np.array(BUCKETS)[s + 1], "loans": loans[t, v, s, s + 1].astype(np.int64),
                         "balance": base[t, v, s], "moved": fwd[t, v, s],
                         "rate": fwd[t, v, s] / base[t, v, s]})
    frames = [trans, roll]
    if mix_table is None:
        mix_table = mix(book)
    frames.append(_flows(mix_table))
    return pd.concat(frames, ignore_index=True)


def _flows(mix_table: pd.DataFrame) -> pd.DataFrame:
    """Book-level flow rates Mn(t - 1) to M(n+1)(t) from the mix's balances by bucket."""
    m = mix_table.sort_values(["dimension", "value", "month"], kind="stable")
    prev_ok = ((m["dimension"] == m["dimension"].shift()) & (m["value"] == m["value"].shift())
               & (pd.PeriodIndex(m["month"], freq="M") - 1 ==
                  pd.PeriodIndex(m["month"].shift().fillna(m["month"]), freq="M")))
    frames = []
    for i in range(_NB - 2):
        before = m[f"balance_{BUCKETS[i]}"].shift().where(prev_ok)
        after = m[f"balance_{BUCKETS[i + 1]}"]
        ok = before > 0
        frames.append(pd.DataFrame({
            "month": m["month"][ok], "dimension": m["dimension"][ok], "value": m["value"][ok],
            "kind": "flow", "source": BUCKETS[i], "target": BUCKETS[i + 1],
            "loans": m["loans"][ok], "balance": before[ok], "moved": after[ok],
            "rate": after[ok] / before[ok]}))
    return pd.concat(frames, ignore_index=True)


def early_delinquency(book: MonitoringBook, max_mob: int = 6) -> pd.DataFrame:
    """Per month and dimension value, the young book (on book, MOB ``max_mob`` or less): its
    loans, its balance and the share of that balance 30+ DPD -- a channel that packages
    applicants shows here first."""
    rows = np.flatnonzero(book.on_book & (book.mob <= max_mob))
    loan, month, bal = book.loan[rows], book.month[rows], book.balance[rows]
    late = (book.dpd[rows] > 30).astype(np.int64)
    codes, nv = _value_codes(book)
    shape = (book.n_months, nv, 2)
    size = int(np.prod(shape))
    count, money = np.zeros(shape), np.zeros(shape)
    for dim_codes in codes:
        key = (month * nv + dim_codes[loan]) * 2 + late
        count += _cube(key, size, None, shape)
        money += _cube(key, size, bal, shape)
    loans = count.sum(axis=2)
    t, v = np.nonzero(loans)
    labels, dim_of = _value_labels(book)
    total = money.sum(axis=2)[t, v]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = money[t, v, 1] / total
    return pd.DataFrame({"month": book.months()[t], "dimension": dim_of[v], "value": labels[v],
                         "loans": loans[t, v].astype(np.int64), "balance": total,
                         "early_dpd30_ratio": ratio})
