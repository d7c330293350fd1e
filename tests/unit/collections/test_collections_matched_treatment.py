"""The world's answer to collectors as a property of money: for each reason of default, the
treatment practice matches to it recovers more than a poorly matched one -- what the account
pays over the horizon, plus the balance still performing at its end, less the treatment's cost
-- in expectation over the world's luck, played through the back-test's own loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.collections.episodes import STATIC_FEATURES
from creditfactory.collections.reasons import load_reason_model
from creditfactory.collections.strategy import parse_collections_strategy
from creditfactory.evaluation.collections_play import Accounts, play
from creditfactory.world.collections_response import REASONS, load_response

WORLD = load_response()
REASON_MODEL = load_reason_model()
# practice: a cheap reminder for the forgetful (who pay anyway: a visit only costs), an
# affordable plan for the unable, pressure for the unwilling, no visits to the absconded
MATCHED = {"oversight": ("sms", "visit"), "shortfall": ("restructure", "legal_letter"),
           "business_failure": ("restructure", "call"), "strategic": ("legal_letter", "sms"),
           "fraud": ("legal_letter", "visit")}


def _accounts(reason: str, n: int, seed: int) -> Accounts:
    rng = np.random.default_rng(seed)
    static = pd.DataFrame({name: np.zeros(n) for name in STATIC_FEATURES})
    static["instalment"] = rng.uniform(3_000, 12_000, n)
    static["balance"] = static["instalment"] * rng.uniform(8, 20, n)
    static["remaining_months"] = rng.integers(6, 24, n).astype(float)
    static["loan_id"] = np.arange(1, n + 1)
    return Accounts(static=static, key=np.arange(1, n + 1, dtype=np.int64) + seed * 1_000_003,
                    start_step=np.zeros(n, np.int64), reason=np.full(n, REASONS.index(reason), np.int8),
                    contact=rng.beta(2.6, 1.4, n), burden=rng.uniform(0.05, 0.40, n),
                    book_size=1e9)  # no team is short of capacity


def _value(treatment: str, acc: Accounts, seed: int) -> float:
    strategy = parse_collections_strategy(
        f"name: only_{treatment}\nbands: {{A: 0.6, B: 0.25, C: 0.0}}\n"
        f"rules:\n  - {{treatment: {treatment}, frequency: 1}}\nhandover: {{default: agency}}\n")
    p = play(WORLD, acc, strategy, seed=seed, reasons=REASON_MODEL)
    return float((p.cash + p.performing_balance - p.cost).mean())


@settings(max_examples=2, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000))
def test_better_matched_treatments_recover_more_in_expectation(seed: int) -> None:
    for reason, (good, poor) in MATCHED.items():
        acc = _accounts(reason, 800, seed)
        assert _value(good, acc, seed) > _value(poor, acc, seed), reason


def test_the_ceiling_play_treats_each_account_by_its_hidden_reason() -> None:
    parts = [_accounts(r, 60, 3) for r in ("oversight", "strategic")]
    acc = Accounts(static=pd.concat([p.static for p in parts], ignore_index=True),
                   key=np.arange(1, 121, dtype=np.int64), start_step=np.zeros(120, np.int64),
                   reason=np.concatenate([p.reason for p in parts]),
                   contact=np.concatenate([p.contact for p in parts]),
                   burden=np.concatenate([p.burden for p in parts]), book_size=1e9)
    strategy = parse_collections_strategy(
        "name: by_reason\nbands: {A: 0.6, B: 0.25, C: 0.0}\nreason_threshold: 0.0\nrules:\n"
        "  - {reason: [strategic], treatment: legal_letter}\n  - {treatment: sms}\n"
        "handover: {default: agency}\n")
    p = play(WORLD, acc, strategy, seed=3, reasons=REASON_MODEL, actions=True, known_reasons=True)
    a = p.actions[p.actions["treatment"] != "none"]
    strategic = acc.reason[np.searchsorted(acc.key, a["episode_id"].to_numpy())] == REASONS.index("strategic")
    assert (a.loc[strategic, "treatment"] == "legal_letter").all()
    assert (a.loc[~strategic, "treatment"] == "sms").all() and strategic.any() and (~strategic).any()
