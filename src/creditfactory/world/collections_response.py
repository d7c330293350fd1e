"""How the world's delinquent borrowers answer the lender's collectors.

Each delinquent borrower has a hidden reason -- oversight, a temporary cash shortfall, a
failed business, a strategic refusal or fraud (absconded) -- and a contactability, both drawn
from the world's hidden state (:func:`hidden_reasons`). Each step (five days) the lender
applies a treatment; :func:`respond` says whether it reached the borrower and what the
borrower did: pay the arrears, pay one instalment, promise (and whether the promise will be
kept), accept a restructure. Hand-overs (lawsuit, outside agency) recover part of a balance.
The parameters, with the practice or reasoning behind each range, are declared in
``collections_response.yaml``; :func:`perturbed` gives the same world with every effect
scaled by a fixed set of draws, so a strategy is judged across worlds, not in one.

Every draw is a pure function of (the world's seed, the account's key, the step, the
purpose), so two strategies played on the same accounts meet the same luck, and the same
seed gives the same answers. The lender's side sees only what :class:`Outcome` carries that
a collector could observe (reached, payments, promises); the reason never leaves the world.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from creditfactory.world._hashing import uniform
from creditfactory.world.errors import WorldError

__all__ = ["REASONS", "TREATMENTS", "Outcome", "ResponseModel", "hidden_reasons", "load_response",
           "perturbed", "respond", "shortfall_ease", "uniforms"]

REASONS = ("oversight", "shortfall", "business_failure", "strategic", "fraud")
TREATMENTS = ("none", "sms", "call", "visit", "restructure", "legal_letter", "lawsuit", "agency")
_PURPOSES = {"reach": 1, "pay": 2, "partial": 3, "promise": 4, "keep": 5, "accept": 6,
             "redefault": 7, "recovery": 8, "self": 9}


@dataclass(frozen=True)
class ResponseModel:
    """The declared parameters as arrays: per reason ``(R,)``, per treatment ``(T,)`` or
    per treatment and reason ``(T, R)``; probabilities per step."""

    step_days: int
    write_off_steps: int
    horizon_steps: int
    promise_steps: int
    unwilling_share: float
    shortfall: tuple[float, float, float]
    concentration: float
    contact_mean: np.ndarray
    present: np.ndarray
    self_cure: np.ndarray
    partial: np.ndarray
    keep_promise: np.ndarray
    burden_reference: float
    burden_elasticity: float
    burden_bounds: tuple[float, float]
    redefault_cured: np.ndarray
    redefault_restructured: np.ndarray
    restructure_instalment: float
    recovery: np.ndarray
    settlement_share: float
    cost: np.ndarray
    accept_cost: np.ndarray
    commission: np.ndarray
    capacity: np.ndarray
    reach: np.ndarray
    by_phone: np.ndarray
    pay: np.ndarray
    promise: np.ndarray
    keep: np.ndarray
    accept: np.ndarray
    handover_recovery: np.ndarray
    handover_share: np.ndarray
    handover_delay: np.ndarray
    draws: int
    spread: float
    perturbation_seed: int


def _per_reason(block: dict[str, Any], where: str) -> np.ndarray:
    missing = [r for r in REASONS if r not in block]
    if missing:
        raise WorldError(f"collections response: {where} lacks {', '.join(missing)}")
    return np.array([float(block[r]) for r in REASONS])


def _channels(treatments: dict[str, Any]) -> np.ndarray:
    channel = [str(treatments[t].get("channel", "phone")) for t in TREATMENTS]
    wrong = sorted({c for c in channel if c not in ("phone", "premises")})
    if wrong:
        raise WorldError(f"collections response: unknown channel {', '.join(wrong)} (phone or premises)")
    return np.array([c == "phone" for c in channel])


def load_response(path: str | Path | None = None) -> ResponseModel:
    """The response model of ``path`` (default: the shipped ``collections_response.yaml``)."""
    text = (Path(path).read_text("utf-8") if path is not None
            else files("creditfactory.world").joinpath("collections_response.yaml").read_text("utf-8"))
    doc = yaml.safe_load(text)
    if tuple(doc.get("reasons", ())) != REASONS or tuple(doc.get("treatments", ())) != TREATMENTS:
        raise WorldError(f"collections response: reasons must be {REASONS} and treatments {TREATMENTS}")
    beh, tr = doc["behaviour"], doc["treatments"]
    zero = dict.fromkeys(REASONS, 0.0)

    def table(key: str) -> np.ndarray:
        return np.stack([_per_reason(tr[t].get(key, zero), f"treatments.{t}.{key}") for t in TREATMENTS])

    def vector(key: str, default: float) -> np.ndarray:
        return np.array([float(tr[t].get(key, default)) for t in TREATMENTS])

    step = int(doc["step_days"])
    sh = doc["reason"]["shortfall"]
    sb = beh["shortfall_burden"]
    return ResponseModel(
        step_days=step, write_off_steps=int(doc["write_off_steps"]),
        horizon_steps=int(doc["horizon_steps"]),
        promise_steps=max(1, int(beh["promise_days"]) // step),
        unwilling_share=float(doc["reason"]["unwilling_share"]),
        shortfall=(float(sh["intercept"]), float(sh["log_burden"]), float(sh["cycle"])),
        concentration=float(doc["contactability"]["concentration"]),
        contact_mean=_per_reason(doc["contactability"]["mean"], "contactability.mean"),
        present=_per_reason(doc["contactability"]["present"], "contactability.present"),
        self_cure=_per_reason(beh["self_cure"], "behaviour.self_cure"),
        partial=_per_reason(beh["partial"], "behaviour.partial"),
        keep_promise=_per_reason(beh["keep_promise"], "behaviour.keep_promise"),
        burden_reference=float(sb["reference"]), burden_elasticity=float(sb["elasticity"]),
        burden_bounds=(float(sb["low"]), float(sb["high"])),
        redefault_cured=_per_reason(beh["redefault_cured"], "behaviour.redefault_cured"),
        redefault_restructured=_per_reason(beh["redefault_restructured"], "behaviour.redefault_restructured"),
        restructure_instalment=float(beh["restructure_instalment"]),
        recovery=_per_reason(beh["recovery"], "behaviour.recovery"),
        settlement_share=float(beh["settlement_share"]),
        cost=vector("cost", 0.0), accept_cost=vector("accept_cost", 0.0),
        commission=vector("commission", 0.0),
        capacity=vector("capacity", 0.0), reach=vector("reach", 0.0), by_phone=_channels(tr),
        pay=table("pay"), promise=table("promise"), keep=vector("keep", 1.0),
        accept=table("accept"), handover_recovery=table("recovery"),
        handover_share=vector("share", 0.0), handover_delay=vector("delay_steps", 0.0),
        draws=int(doc["perturbation"]["draws"]), spread=float(doc["perturbation"]["spread"]),
        perturbation_seed=int(doc["perturbation"]["seed"]),
    )


_EFFECTS = ("pay", "promise", "keep", "accept", "handover_recovery", "reach", "burden_elasticity")
_UNBOUNDED = ("keep", "burden_elasticity")  # a multiplier and an exponent, not chances


def perturbed(model: ResponseModel) -> list[ResponseModel]:
    """The model with every treatment effect (pay, promise, keep, accept, hand-over recovery,
    reach) and the shortfall's burden elasticity scaled by ``1 + u``, ``u`` uniform within the
    declared spread, one independent draw per parameter: ``model.draws`` worlds, always the
    same ones."""
    rng = np.random.default_rng([model.perturbation_seed, 18])
    out = []
    for _ in range(model.draws):
        changes: dict[str, Any] = {}
        for name in _EFFECTS:
            value = getattr(model, name)
            scaled = value * (1.0 + rng.uniform(-model.spread, model.spread, np.shape(value)))
            if name in _UNBOUNDED:
                changes[name] = float(scaled) if np.ndim(value) == 0 else scaled
            else:
                changes[name] = np.clip(scaled, 0.0, 0.99)
        out.append(replace(model, **changes))
    return out


def hidden_reasons(model: ResponseModel, *, key: np.ndarray, seed: int, fraud: np.ndarray,
                   unwilling: np.ndarray, rolled: np.ndarray, burden: np.ndarray,
                   cycle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each delinquent episode's reason (index into :data:`REASONS`) and contactability.

    ``fraud`` and ``unwilling`` are the world's truth of the borrower (``unwilling`` already
    drawn for those the as-if world never saw default), ``rolled`` whether the episode
    reached 90+ DPD in the portfolio run (the default clock rang), ``burden`` all monthly
    debt service over true revenue and ``cycle`` the industry's hazard multiplier that month.
    """
    a, b, c = model.shortfall
    logit = a + b * np.log(np.maximum(burden, 1e-3)) + c * (cycle - 1.0)
    short = uniform(key, seed * 7919 + 101) < 1.0 / (1.0 + np.exp(-logit))
    reason = np.where(short, 1, 0)
    reason = np.where(rolled, np.where(unwilling, 3, 2), reason)
    reason = np.where(fraud, 4, reason).astype(np.int8)
    mean = model.contact_mean[reason]
    k = model.concentration
    rng = np.random.default_rng([seed, 18, 2])  # Beta draws in key order: deterministic by seed
    order = np.argsort(key, kind="stable")
    contact = np.empty(len(key))
    contact[order] = rng.beta(np.maximum(mean[order] * k, 1e-3), np.maximum((1 - mean[order]) * k, 1e-3))
    return reason, contact


def shortfall_ease(model: ResponseModel, reason: np.ndarray, burden: np.ndarray | None) -> np.ndarray:
    """The factor on a borrower's chances to pay and to keep a promise: for a shortfall
    ``(reference / burden) ** elasticity`` within the declared bounds, 1 for every other
    reason (and for everyone when ``burden`` is ``None``)."""
    if burden is None:
        return np.ones(np.shape(reason))
    lo, hi = model.burden_bounds
    depth = np.clip((model.burden_reference / np.maximum(burden, 1e-3)) ** model.burden_elasticity, lo, hi)
    return np.where(np.asarray(reason) == REASONS.index("shortfall"), depth, 1.0)


def uniforms(key: np.ndarray, step: int | np.ndarray, purpose: str, seed: int) -> np.ndarray:
    """The world's draw for ``purpose`` of accounts ``key`` at ``step``: the same for every
    strategy played on the same world."""
    k = key.astype(np.int64) * 4096 + np.asarray(step, np.int64)
    return uniform(k, seed * 1_000_003 + _PURPOSES[purpose])


@dataclass(frozen=True)
class Outcome:
    """What one step of collections brought: ``reached`` (a person was reached; the lender
    sees it for calls, visits and letters), ``pay_full`` (the arrears paid), ``partial`` (one
    instalment paid), ``promise`` (a promise to pay was made) and ``keep`` (it will be kept:
    world-side, revealed only when the promise falls due), ``accept`` (restructure taken)."""

    reached: np.ndarray
    pay_full: np.ndarray
    partial: np.ndarray
    promise: np.ndarray
    keep: np.ndarray
    accept: np.ndarray


def respond(model: ResponseModel, *, key: np.ndarray, step: np.ndarray, seed: int,
            reason: np.ndarray, contact: np.ndarray, treatment: np.ndarray,
            attempts: np.ndarray, burden: np.ndarray | None = None) -> Outcome:
    """The borrowers' answer to one step's ``treatment`` (index into :data:`TREATMENTS`)
    tried ``attempts`` times (at least one for a treatment other than ``none``); ``contact``
    (the borrower's contactability) matters to the phone's treatments, the reason's
    ``present`` to a visit or a letter; ``burden`` (debt service over true revenue; ``None``:
    everyone at the reference) how hard a shortfall is to make up (:func:`shortfall_ease`)."""
    ease = shortfall_ease(model, reason, burden)
    # a call needs the borrower to pick up; a visit or a letter needs the borrower to be there
    p_attempt = model.reach[treatment] * np.where(model.by_phone[treatment], contact, model.present[reason])
    p_reach = 1.0 - (1.0 - p_attempt) ** np.maximum(attempts, 0)
    reached = (treatment > 0) & (uniforms(key, step, "reach", seed) < p_reach)
    alone = np.minimum(model.self_cure[reason] * ease, 0.99)
    pay_p = np.where(reached, 1.0 - (1.0 - alone) * (1.0 - np.minimum(model.pay[treatment, reason] * ease, 0.99)),
                     alone)
    pay_full = uniforms(key, step, "pay", seed) < pay_p
    partial = ~pay_full & (uniforms(key, step, "partial", seed) < np.minimum(model.partial[reason] * ease, 0.99))
    promise = reached & ~pay_full & (uniforms(key, step, "promise", seed) < model.promise[treatment, reason])
    keep = promise & (uniforms(key, step, "keep", seed)
                      < np.minimum(model.keep_promise[reason] * model.keep[treatment] * ease, 0.99))
    accept = (reached & ~pay_full & ~promise
              & (uniforms(key, step, "accept", seed) < model.accept[treatment, reason]))
    return Outcome(reached, pay_full, partial, promise, keep, accept)
