"""Treatment strategies: declarative files compiled to one lookup table.

A strategy file (``default.yaml``, ``bucket_only.yaml`` beside this module, or any path) maps
bucket x C-card band x inferred reason to a treatment, how often it is tried, when it
escalates and to what, and the hand-over at write-off. :func:`load_collections_strategy`
checks it (an unknown treatment, bucket, band or reason fails with the file and the rule) and
compiles it into arrays, so :meth:`CompiledCollections.assign` treats any number of accounts
with a few array look-ups; :func:`priority_of` says who keeps a scarce treatment (by the file's
``priority``: days past due, expected loss, or the expected gain of treating the account). :func:`challenger_mask` splits accounts between a champion and a
challenger by a stable hash of the loan id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from creditfactory.collections.errors import CollectionsStrategyInvalid

__all__ = ["BANDS", "BUCKETS", "REASONS", "TREATMENTS", "CompiledCollections", "band_of",
           "challenger_mask", "load_collections_strategy", "parse_collections_strategy", "priority_of"]

TREATMENTS = ("none", "sms", "call", "visit", "restructure", "legal_letter", "lawsuit", "agency")
HANDOVERS = ("lawsuit", "agency")
"""Treatments that hand the account over: it leaves the collectors' queues."""
REASONS = ("oversight", "shortfall", "business_failure", "strategic", "fraud")
UNKNOWN = len(REASONS)
"""The reason index of an account whose inferred reason is not clear enough."""
BUCKETS = ("M1", "M2", "M3", "M4", "M5", "M6")
BANDS = ("A", "B", "C")
PRIORITIES = ("expected_loss", "dpd", "expected_gain")
REASSESS = ("entry", "step")
PLAN_MONTHS = 18
"""The months of a plan's instalments counted in an account's worth (the horizon a workout
team is judged on)."""
_RULE_KEYS = {"bucket", "band", "reason", "treatment", "frequency", "escalate"}


@dataclass(frozen=True)
class CompiledCollections:
    """A strategy as arrays indexed ``[bucket, band, reason]`` (reason ``UNKNOWN`` last)."""

    name: str
    version: str
    digest: str
    band_cuts: np.ndarray
    reason_threshold: float
    priority: str
    treatment: np.ndarray
    frequency: np.ndarray
    escalate_after: np.ndarray
    escalate_to: np.ndarray
    handover: np.ndarray
    fallback: np.ndarray
    reassess: str = "entry"

    def assign(self, bucket: np.ndarray, band: np.ndarray, reason: np.ndarray,
               steps_in_bucket: np.ndarray, broken_in_bucket: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Treatment (index into :data:`TREATMENTS`) and attempts of each account this step.

        ``bucket`` 0 for M1 .. 5 for M6 (later buckets as M6), ``band`` 0..2, ``reason`` 0..5;
        an account escalates once it has spent ``after_steps`` steps in its bucket without
        paying, or at once after a broken promise in the bucket."""
        b = np.clip(bucket, 0, len(BUCKETS) - 1)
        t = self.treatment[b, band, reason]
        after = self.escalate_after[b, band, reason]
        up = (after > 0) & ((steps_in_bucket >= after) | (broken_in_bucket > 0))
        return np.where(up, self.escalate_to[b, band, reason], t), self.frequency[b, band, reason]


def priority_of(strategy: CompiledCollections, *, cure: np.ndarray, balance: np.ndarray, dpd: np.ndarray,
                instalment: np.ndarray | None = None, remaining_months: np.ndarray | None = None,
                reached: np.ndarray | None = None, attempts: np.ndarray | None = None) -> np.ndarray:
    """Who keeps a scarce treatment first, by the strategy's ``priority``: ``dpd`` the longest
    overdue; ``expected_loss`` the largest ``(1 - cure) x balance``; ``expected_gain`` what
    treating the account can still bring -- the chance it does not cure by itself, times what a
    plan it can afford is worth (its instalments over up to :data:`PLAN_MONTHS` months), times
    the chance a collector reaches it (contacts made over attempts, one in two before any).
    Without instalments ``expected_gain`` falls back to ``expected_loss``."""
    if strategy.priority == "dpd":
        return np.asarray(dpd, float)
    if strategy.priority == "expected_gain" and instalment is not None and remaining_months is not None:
        reach = (np.asarray(reached if reached is not None else 0, float) + 1.0) / (
            np.asarray(attempts if attempts is not None else 0, float) + 2.0)
        worth = np.asarray(instalment, float) * np.clip(remaining_months, 1.0, PLAN_MONTHS)
        return np.asarray((1.0 - cure) * worth * reach)
    return np.asarray((1.0 - cure) * balance)


def band_of(cure_probability: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Band index (0 = A, the likeliest to cure) of each C-card cure probability."""
    band = np.full(len(cure_probability), len(cuts) - 1, np.int64)
    for i in range(len(cuts) - 2, -1, -1):
        band = np.where(cure_probability >= cuts[i], i, band)
    return band


def challenger_mask(loan_id: np.ndarray, share: float, salt: str = "collections-cc-1") -> np.ndarray:
    """True for the loans the challenger treats: a stable hash of the id, so an account keeps
    its side from night to night and across runs."""
    s = int.from_bytes(hashlib.sha256(salt.encode()).digest()[:8], "little")
    with np.errstate(over="ignore"):
        x = loan_id.astype(np.int64).view(np.uint64) ^ np.uint64(s)
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return np.asarray((x >> np.uint64(11)).astype(np.float64) * 2.0**-53 < share)


def _index(value: Any, names: tuple[str, ...], what: str, where: str) -> int:
    if value not in names:
        raise CollectionsStrategyInvalid(f"{where}: unknown {what} {value!r} (one of {', '.join(names)})")
    return names.index(value)


def _indices(rule: dict[str, Any], key: str, names: tuple[str, ...], where: str) -> list[int]:
    values = rule.get(key)
    if values is None:
        return list(range(len(names)))
    if not isinstance(values, list) or not values:
        raise CollectionsStrategyInvalid(f"{where}: {key} must be a non-empty list")
    return [_index(v, names, key, where) for v in values]


def parse_collections_strategy(text: str, source: str = "<strategy>") -> CompiledCollections:
    """Check and compile a strategy file's ``text``; errors name ``source`` and the rule."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CollectionsStrategyInvalid(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc["rules"]:
        raise CollectionsStrategyInvalid(f"{source}: a strategy needs a name and a list of rules")
    bands = doc.get("bands") or {}
    if tuple(bands) != BANDS:
        raise CollectionsStrategyInvalid(f"{source}: bands must be {', '.join(BANDS)}, in order")
    cuts = np.array([float(bands[b]) for b in BANDS])
    if np.any(np.diff(cuts) > 0):
        raise CollectionsStrategyInvalid(f"{source}: band cut-offs must not increase from A to C")
    priority = doc.get("priority", "dpd")
    _index(priority, PRIORITIES, "priority", source)
    reassess = doc.get("reassess", "entry")
    _index(reassess, REASSESS, "reassess", source)
    shape = (len(BUCKETS), len(BANDS), len(REASONS) + 1)
    treatment = np.full(shape, -1, np.int64)
    frequency = np.ones(shape, np.int64)
    after = np.zeros(shape, np.int64)
    to = np.zeros(shape, np.int64)
    reasons_any = (*REASONS, "unknown")
    for i, rule in enumerate(doc["rules"]):
        where = f"{source}: rules[{i}]"
        if not isinstance(rule, dict) or not set(rule) <= _RULE_KEYS or "treatment" not in rule:
            raise CollectionsStrategyInvalid(f"{where}: a rule has a treatment and only {sorted(_RULE_KEYS)}")
        t = _index(rule["treatment"], TREATMENTS, "treatment", where)
        freq = rule.get("frequency", 1)
        if not isinstance(freq, int) or not 1 <= freq <= 5:
            raise CollectionsStrategyInvalid(f"{where}: frequency must be 1..5 attempts a step")
        esc = rule.get("escalate") or {}
        e_after = int(esc.get("after_steps", 0))
        e_to = _index(esc["to"], TREATMENTS, "treatment", where) if esc else 0
        cells = np.ix_(_indices(rule, "bucket", BUCKETS, where), _indices(rule, "band", BANDS, where),
                       _indices(rule, "reason", reasons_any, where))
        free = treatment[cells] < 0  # the first matching rule wins
        for arr, value in ((treatment, t), (frequency, freq), (after, e_after), (to, e_to)):
            arr[cells] = np.where(free, value, arr[cells])
    if (treatment < 0).any():
        raise CollectionsStrategyInvalid(f"{source}: some bucket x band x reason has no rule (end with a catch-all)")
    hand = doc.get("handover") or {}
    default_hand = _index(hand.get("default", "agency"), TREATMENTS, "hand-over", source)
    handover = np.array([_index(hand.get(r, TREATMENTS[default_hand]), TREATMENTS, "hand-over", source)
                         for r in reasons_any])
    fallback = np.zeros(len(TREATMENTS), np.int64)
    for name, target in (doc.get("fallback") or {}).items():
        fallback[_index(name, TREATMENTS, "treatment", source)] = _index(target, TREATMENTS, "fallback", source)
    return CompiledCollections(
        name=str(doc.get("name", source)), version=str(doc.get("version", "0")),
        digest=hashlib.sha256(text.encode()).hexdigest()[:16], band_cuts=cuts,
        reason_threshold=float(doc.get("reason_threshold", 0.5)), priority=priority,
        treatment=treatment, frequency=frequency, escalate_after=after, escalate_to=to,
        handover=handover, fallback=fallback, reassess=reassess)


def load_collections_strategy(name_or_file: str | Path) -> CompiledCollections:
    """A shipped strategy by name (``default``, ``bucket_only``) or a YAML file."""
    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return parse_collections_strategy(path.read_text("utf-8"), str(path))
    resource = files("creditfactory.collections").joinpath(f"{name_or_file}.yaml")
    if not resource.is_file():
        raise CollectionsStrategyInvalid(f"no collections strategy {name_or_file!r} (shipped: default, bucket_only)")
    return parse_collections_strategy(resource.read_text("utf-8"), f"{name_or_file}.yaml")
