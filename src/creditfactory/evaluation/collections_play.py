"""Play a collections strategy against the world's delinquent borrowers, five days a step.

Every delinquency episode of a portfolio run starts on its first missed day and is followed
for the world's horizon (540 days). Each calendar step, for the accounts in arrears: their
days past due move on; on entering a bucket the lender scores them (C-card band, inferred
reason: only what it observed); promises due are followed up; the strategy assigns each a
treatment, the teams' capacities cut the overflow down to the fallback treatment; the world
answers (:mod:`creditfactory.world.collections_response`) and the payments, promises and
restructures are booked. Cured and restructured accounts pay their instalments until they
miss again or the loan ends; at 180 DPD the account is written off and handed over. All of
it vectorised over the accounts of a step; the loop runs over calendar steps only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditfactory.collections.episodes import STATIC_FEATURES
from creditfactory.collections.promises import PromiseBook
from creditfactory.collections.queues import allocate
from creditfactory.collections.reasons import ReasonModel, evidence, infer_reasons, most_likely
from creditfactory.collections.strategy import TREATMENTS, CompiledCollections, band_of, priority_of
from creditfactory.world.collections_response import ResponseModel, respond, uniforms

__all__ = ["Accounts", "Played", "play"]

DELQ, CURED, RESTR, HANDED, WO, CLOSED = range(6)
INTEREST_SHARE = 0.2
"""The part of a scheduled instalment that is interest (the rest repays principal)."""
_LAWSUIT, _AGENCY = TREATMENTS.index("lawsuit"), TREATMENTS.index("agency")
_ORDER = np.array([TREATMENTS.index(t) for t in
                   ("lawsuit", "visit", "restructure", "legal_letter", "call", "sms")])
Scorer = Callable[[pd.DataFrame], np.ndarray]


@dataclass
class Accounts:
    """The episodes to play: the lender's view (``static``: :data:`STATIC_FEATURES`, plus
    ``loan_id``, ``start_step``, ``instalment``, ``balance``, ``remaining_months``) and the
    world's hidden ``reason``, ``contact`` and ``burden`` (all debt service over true revenue);
    ``key`` names each episode's draws."""

    static: pd.DataFrame
    key: np.ndarray
    start_step: np.ndarray
    reason: np.ndarray
    contact: np.ndarray
    burden: np.ndarray
    book_size: float


@dataclass
class Played:
    """Per episode outcomes (``cash``: every payment of the account in the horizon;
    ``serviced``: the instalments paid after a plain cure, when the account had left
    collections), the bucket-entry snapshots (C-card rows, ``steps_to_cure`` from the entry to
    the next cure, -1 for none, the 30-day label, inferred reasons), the balance still
    performing at the horizon and, if asked, the actions."""

    cash: np.ndarray
    serviced: np.ndarray
    cash_after_write_off: np.ndarray
    cost: np.ndarray
    written_off: np.ndarray
    write_off_amount: np.ndarray
    entered: np.ndarray
    cash_by_bucket: np.ndarray
    cost_by_bucket: np.ndarray
    snapshots: pd.DataFrame
    performing_balance: np.ndarray
    actions: pd.DataFrame | None = field(default=None)


_HISTORY = ("attempts", "reached", "promises", "kept", "broken", "partials", "cures")
_ENTRY_COLUMNS = [*STATIC_FEATURES, "bucket", *_HISTORY, "reach_rate", "steps_since_cure"]


def _entry_block(static: np.ndarray, d: np.ndarray, bucket: np.ndarray, st: dict[str, np.ndarray],
                 since_cure: np.ndarray) -> np.ndarray:
    """The C-card's inputs of accounts ``d`` (columns ``_ENTRY_COLUMNS``): what was known of
    the loan when the episode began (``static``, :data:`STATIC_FEATURES` columns) and the
    episode so far."""
    cols = [static[d], bucket + 1.0, *(st[name][d] for name in _HISTORY),
            st["reached"][d] / np.maximum(st["attempts"][d], 1), since_cure[d]]
    return np.column_stack(cols).astype(np.float64)


def _evidence(block: np.ndarray) -> np.ndarray:
    return evidence(dict(zip(_ENTRY_COLUMNS, block.T, strict=True)))


def play(world: ResponseModel, acc: Accounts, strategy: CompiledCollections, *, seed: int,
         reasons: ReasonModel, scorer: Scorer | None = None, actions: bool = False,
         known_reasons: bool = False) -> Played:
    """Play ``strategy`` on ``acc`` in ``world``; ``scorer`` gives the C-card's cure chance of
    bucket-entry rows (none: 0.5 for everyone). ``known_reasons``: the strategy is told each
    account's hidden reason instead of inferring it -- the ceiling a perfect inference would
    reach, for evaluation only (the snapshots still carry the inferred probabilities)."""
    n = len(acc.key)
    H, WOS = world.horizon_steps, world.write_off_steps
    inst0 = acc.static["instalment"].to_numpy(float)
    inst = inst0.copy()
    balance = acc.static["balance"].to_numpy(float).copy()
    remaining = acc.static["remaining_months"].to_numpy(float).copy() * 6
    status = np.zeros(n, np.int8)
    behind = np.zeros(n, np.int64)
    in_bucket = np.zeros(n, np.int64)
    broken_b = np.zeros(n, np.int64)
    band = np.full(n, 1, np.int64)
    rsn = np.full(n, 5, np.int64)
    p_cure = np.full(n, 0.5)
    keep = np.zeros(n, bool)
    hand_kind = np.zeros(n, np.int64)
    hand_step = np.zeros(n, np.int64)
    exposure = np.zeros(n)
    cash, cash_wo, cost, wo_amt, serviced = (np.zeros(n) for _ in range(5))
    wo = np.zeros(n, bool)
    entered = np.zeros((n, 6), bool)
    cash_b, cost_b = np.zeros(9), np.zeros(9)
    st = {k: np.zeros(n, np.int64) for k in ("attempts", "reached", "partials", "cures")}
    last_cure = np.full(n, -1, np.int64)
    since_cure = np.full(n, np.nan)
    static = acc.static[list(STATIC_FEATURES)].to_numpy(np.float64)
    book = PromiseBook(n)
    st["promises"], st["kept"], st["broken"] = book.made, book.kept, book.broken
    snap_idx: list[np.ndarray] = []
    snap_x: list[pd.DataFrame] = []
    snap_step: list[np.ndarray] = []
    snap_probs: list[np.ndarray] = []
    open_snap = np.full(n, -1, np.int64)
    open_step = np.zeros(n, np.int64)
    labels: list[tuple[np.ndarray, np.ndarray]] = []
    n_snap = 0
    log: list[dict[str, np.ndarray]] = []
    cap = np.where(world.capacity > 0, world.capacity * world.step_days * acc.book_size / 1000.0, np.inf)
    order = np.argsort(acc.start_step, kind="stable")
    starts = acc.start_step[order]
    g_first, g_last = int(starts.min()), int(starts.max()) + H

    def principal_share(idx: np.ndarray) -> np.ndarray:
        # the interest of a month is that of the original instalment (a fifth of it); a plan's
        # lower instalment repays less principal, not less interest
        return 1.0 - INTEREST_SHARE * inst0[idx] / inst[idx]

    def cured_now(idx: np.ndarray, g: int) -> None:
        status[idx] = CURED
        behind[idx] = 0
        st["cures"][idx] += 1
        last_cure[idx] = g
        s = open_snap[idx]
        has = s >= 0
        labels.append((s[has], g - open_step[idx][has]))
        open_snap[idx] = -1

    for g in range(g_first, g_last):
        lo, hi = np.searchsorted(starts, [g - H + 1, g + 1])
        act = order[lo:hi]
        act = act[status[act] != CLOSED]
        if act.size == 0:
            continue
        # performing accounts pay their instalment (a sixth a step) or miss again
        perf = act[(status[act] == CURED) | (status[act] == RESTR)]
        if perf.size:
            rate = np.where(status[perf] == RESTR, world.redefault_restructured[acc.reason[perf]],
                            world.redefault_cured[acc.reason[perf]])
            miss = uniforms(acc.key[perf], g - acc.start_step[perf], "redefault", seed) < rate
            pay = perf[~miss]
            amount = np.minimum(inst[pay] / 6.0, np.maximum(balance[pay], 0.0))
            cash[pay] += amount
            balance[pay] -= amount * principal_share(pay)
            remaining[pay] -= 1
            status[pay[remaining[pay] <= 0]] = CLOSED
            plan = status[pay] == RESTR  # a restructure's payments are the workout's
            cash_b[8] += amount[plan].sum()
            cash_b[7] += amount[~plan].sum()
            serviced[pay[~plan]] += amount[~plan]
            status[perf[miss]] = DELQ
        # handed over or written off: recoveries
        out = act[(status[act] == HANDED) | (status[act] == WO)]
        if out.size:
            kind = hand_kind[out]
            ready = (status[out] == WO) | (g - hand_step[out] >= world.handover_delay[kind])
            p = np.where(status[out] == WO, world.recovery[acc.reason[out]],
                         world.handover_recovery[kind, acc.reason[out]])
            share = np.where(status[out] == WO, world.settlement_share, world.handover_share[kind])
            hit = ready & (uniforms(acc.key[out], g - acc.start_step[out], "recovery", seed) < p)
            got = out[hit]
            amount = share[hit] * exposure[got]
            cash[got] += amount
            cash_wo[got] += np.where(wo[got], amount, 0.0)
            fee = world.commission[hand_kind[got]] * amount
            cost[got] += fee
            cash_b[6] += amount.sum()
            cost_b[6] += fee.sum()
            status[got] = CLOSED
            pre = out[(status[out] == HANDED) & ~wo[out]]
            behind[pre] += 1  # a handed-over account still rolls until it is written off
            into = pre[((behind[pre] - 1) % 6 == 0) & (behind[pre] <= WOS)]
            entered[into, (behind[into] - 1) // 6] = True
            hit_wo = pre[behind[pre] > WOS]
            wo[hit_wo] = True
            wo_amt[hit_wo] = exposure[hit_wo]
        d = act[status[act] == DELQ]
        if d.size == 0:
            continue
        behind[d] += 1
        in_bucket[d] += 1
        # write-off at 180 DPD: hand-over by the strategy, by the inferred reason
        w = d[behind[d] > WOS]
        if w.size:
            wo[w] = True
            exposure[w] = balance[w] + inst[w] * np.ceil(behind[w] / 6.0)
            wo_amt[w] = exposure[w]
            kind = strategy.handover[rsn[w]]
            status[w] = np.where(kind > 0, HANDED, WO)
            hand_kind[w], hand_step[w] = kind, g
            fee = np.where(kind == _LAWSUIT, world.cost[_LAWSUIT], 0.0)
            cost[w] += fee
            cost_b[6] += fee.sum()
            d = d[behind[d] <= WOS]
        bucket = (behind[d] - 1) // 6
        entry = (behind[d] - 1) % 6 == 0
        if entry.any():
            e = d[entry]
            entered[e, bucket[entry]] = True
            in_bucket[e] = 0
            broken_b[e] = 0
            since_cure[e] = np.where(last_cure[e] >= 0, g - last_cure[e], np.nan)
            xb = _entry_block(static, e, bucket[entry], st, since_cure)
            x = pd.DataFrame(xb, columns=_ENTRY_COLUMNS)
            p_cure[e] = scorer(x) if scorer is not None else 0.5
            band[e] = band_of(p_cure[e], strategy.band_cuts)
            probs = infer_reasons(reasons, _evidence(xb))
            rsn[e] = acc.reason[e] if known_reasons else most_likely(probs, strategy.reason_threshold)
            snap_idx.append(e)
            snap_x.append(x)
            snap_step.append(np.full(e.size, g))
            snap_probs.append(probs)
            open_snap[e] = np.arange(n_snap, n_snap + e.size)
            open_step[e] = g
            n_snap += e.size
        # promises falling due
        due = (book.due[d] >= 0) & (book.due[d] <= g)
        by_promise = due & keep[d]
        state = book.settle(d, g, by_promise)
        broken_b[d] += state == 2
        waiting = book.is_open(d)
        if strategy.reassess == "step" and not known_reasons:  # the reason again, from this step's evidence
            rest = ~entry
            if rest.any():
                r_ = d[rest]
                xr = _entry_block(static, r_, bucket[rest], st, since_cure)
                rsn[r_] = most_likely(infer_reasons(reasons, _evidence(xr)), strategy.reason_threshold)
        t, tries = strategy.assign(bucket, band[d], rsn[d], in_bucket[d], broken_b[d])
        t = np.where(waiting | by_promise, 0, t)
        prio = priority_of(strategy, cure=p_cure[d], balance=balance[d], dpd=behind[d] * world.step_days,
                           instalment=inst[d], remaining_months=remaining[d] / 6.0,
                           reached=st["reached"][d], attempts=st["attempts"][d])
        t = allocate(t, tries, prio, cap, strategy.fallback, _ORDER)
        tries = np.where(t > 0, tries, 0)
        hand = (t == _LAWSUIT) | (t == _AGENCY)
        o = respond(world, key=acc.key[d], step=g - acc.start_step[d], seed=seed, reason=acc.reason[d],
                    contact=acc.contact[d], treatment=np.where(hand, 0, t), attempts=tries,
                    burden=acc.burden[d])
        spend = np.where(hand, np.where(t == _LAWSUIT, world.cost[_LAWSUIT], 0.0), world.cost[t] * tries)
        cost[d] += spend
        np.add.at(cost_b, bucket, spend)
        st["attempts"][d] += tries
        st["reached"][d] += o.reached
        arrears = inst[d] * np.ceil(behind[d] / 6.0)
        full = ~hand & (o.pay_full | by_promise)
        part = ~hand & ~full & o.partial
        got = np.where(full, arrears, np.where(part, inst[d], 0.0))
        cash[d] += got
        np.add.at(cash_b, bucket, got)
        # what was paid were instalments of the schedule: they repay principal and use up months
        balance[d] -= got * principal_share(d)
        remaining[d] -= 6.0 * got / inst[d]
        st["partials"][d] += part
        behind[d] = np.where(part, np.maximum(behind[d] - 6, 0), behind[d])
        cured_now(d[full | (part & (behind[d] == 0))], g)
        acc_r = ~hand & ~full & o.accept
        r = d[acc_r]
        fee = world.accept_cost[t[acc_r]]
        cost[r] += fee
        np.add.at(cost_b, bucket[acc_r], fee)
        if r.size:
            cured_now(r, g)
            status[r] = RESTR
            inst[r] = inst[r] * world.restructure_instalment
            remaining[r] = remaining[r] / world.restructure_instalment
        prom = ~hand & ~full & o.promise & (behind[d] > 0)  # a partial payment that cured needs no promise
        book.make(d[prom], g, world.promise_steps)
        keep[d[prom]] = o.keep[prom]
        h = d[hand]
        status[h], hand_kind[h], hand_step[h] = HANDED, t[hand], g
        exposure[h] = balance[h] + inst[h] * np.ceil(behind[h] / 6.0)
        if actions:
            log.append({"episode_id": acc.key[d], "step": np.full(d.size, g), "dpd": behind[d] * world.step_days,
                        "treatment": t, "attempts": tries, "reached": o.reached, "paid": got,
                        "promise": prom, "restructured": acc_r, "handover": hand})
    snaps = pd.concat(snap_x, ignore_index=True) if snap_x else pd.DataFrame()
    steps_to_cure = np.full(len(snaps), -1, np.int64)
    for idx, val in labels:
        steps_to_cure[idx] = val
    if len(snaps):
        snaps.insert(0, "episode", np.concatenate(snap_idx))
        snaps.insert(1, "step", np.concatenate(snap_step))
        snaps["cured_30d"] = ((steps_to_cure >= 0) & (steps_to_cure < 6)).astype(int)
        snaps["steps_to_cure"] = steps_to_cure
        probs = np.concatenate(snap_probs)
        for j, name in enumerate(("oversight", "shortfall", "business_failure", "strategic", "fraud")):
            snaps[f"p_{name}"] = probs[:, j]
    acts = None
    if actions and log:
        acts = pd.DataFrame({k: np.concatenate([part[k] for part in log]) for k in log[0]})
        acts["treatment"] = np.asarray(TREATMENTS, dtype=object)[acts["treatment"].to_numpy()]
    live = (status == CURED) | (status == RESTR)
    return Played(cash, serviced, cash_wo, cost, wo, wo_amt, entered, cash_b, cost_b, snaps,
                  np.where(live, np.maximum(balance, 0.0), 0.0), acts)
