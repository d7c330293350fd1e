"""The economy the loans live through: a national cycle and industry downturns.

Each industry responds to the national cycle with its own sensitivity. Downturns
(:class:`.config.Downturn`, an industry and a 1-based month of the world) ramp up over
``DOWNTURN_RAMP`` months, hold, and ramp down, so rising early delinquency foreshadows the
industry's defaults. Without a placement the world has one: ``vocab.DOWNTURN_INDUSTRY`` at
``DEFAULT_DOWNTURN_SHARE`` of the application horizon; an empty placement has none. The
placement draws no random numbers, so moving a downturn leaves the national cycle as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from creditfactory.world.config import Downturn
from creditfactory.world.errors import InvalidWorldParameters
from creditfactory.world.vocab import DOWNTURN_INDUSTRY, INDUSTRIES

__all__ = ["DEFAULT_DOWNTURN_SHARE", "Macro", "build_macro", "default_downturns",
           "downturns_of", "parse_downturn"]

DEFAULT_DOWNTURN_SHARE = 0.55
"""Where the default downturn starts, as a share of the application horizon."""
DOWNTURN_DEPTH = 1.4
"""Log hazard added at the bottom of a downturn (x4 the hazard)."""
DOWNTURN_RAMP, DOWNTURN_HOLD = 6, 12
"""Months from the start to the bottom, and from the start to the beginning of the recovery."""
_CODES = [ind[0] for ind in INDUSTRIES]


@dataclass(frozen=True)
class Macro:
    """Log hazard multipliers by industry (rows, ``vocab.INDUSTRIES`` order) and calendar month."""

    national: np.ndarray  # (n_months,) national cycle index, 0 = neutral
    log_multiplier: np.ndarray  # (n_industries, n_months)
    downturn_start: int  # calendar month index where the first downturn begins (-1: none)
    downturn_industry: str  # its industry ("" : none)
    downturns: tuple[Downturn, ...] = field(default=())

    def multiplier(self, industry_idx: np.ndarray, month_idx: np.ndarray) -> np.ndarray:
        """Hazard multipliers for loans in ``industry_idx`` at calendar ``month_idx``."""
        m = np.minimum(month_idx, self.log_multiplier.shape[1] - 1)
        return np.exp(self.log_multiplier[industry_idx, m])


def default_downturns(months: int) -> tuple[Downturn, ...]:
    """Today's world: ``DOWNTURN_INDUSTRY`` from about 55 % of the horizon (1-based month)."""
    return (Downturn(DOWNTURN_INDUSTRY, max(2, int(round(months * DEFAULT_DOWNTURN_SHARE))) + 1),)


def parse_downturn(text: str) -> Downturn:
    """``INDUSTRY@MONTH`` (e.g. ``H62@20``) as a :class:`Downturn`, checked."""
    industry, sep, month = text.partition("@")
    if not sep or not month.strip().isdigit():
        raise InvalidWorldParameters(f"downturn must be INDUSTRY@MONTH (e.g. C18@21), got {text!r}")
    return check_downturn(Downturn(industry.strip(), int(month)))


def check_downturn(d: Downturn, months: int | None = None) -> Downturn:
    """Refuse an unknown industry or a month outside the world, naming them."""
    if d.industry not in _CODES:
        raise InvalidWorldParameters(
            f"downturn industry must be one of {', '.join(_CODES)}, got {d.industry!r}")
    if d.month < 1 or (months is not None and d.month > months):
        raise InvalidWorldParameters(
            f"downturn month must be between 1 and {months or 'the world months'}, got {d.month}")
    return d


def downturns_of(meta: Mapping[str, Any]) -> tuple[Downturn, ...] | None:
    """The placement a world was written with (``meta.json``); ``None`` for an older world
    (the default placement)."""
    if "downturns" not in meta:
        return None
    return tuple(Downturn(str(d["industry"]), int(d["month"])) for d in meta["downturns"])


def build_macro(months: int, total_months: int, rng: np.random.Generator,
                downturns: Sequence[Downturn] | None = None) -> Macro:
    """Draw the national cycle and place the downturns (default: :func:`default_downturns`)."""
    t = np.arange(total_months)
    phase = rng.uniform(0, 54)
    noise = np.zeros(total_months)
    eps = rng.normal(0.0, 0.05, total_months)
    for i in range(1, total_months):
        noise[i] = 0.8 * noise[i - 1] + eps[i]
    national = 0.30 * np.sin(2 * np.pi * (t + phase) / 54.0) + noise
    sens = np.array([ind[4] for ind in INDUSTRIES])
    log_mult = sens[:, None] * national[None, :]
    placed = tuple(default_downturns(months) if downturns is None else downturns)
    for d in placed:
        check_downturn(d, months)
        start = d.month - 1
        ramp = (np.clip((t - start) / DOWNTURN_RAMP, 0, 1)
                - np.clip((t - start - DOWNTURN_HOLD) / DOWNTURN_RAMP, 0, 1))
        log_mult[_CODES.index(d.industry)] += DOWNTURN_DEPTH * ramp
    first = placed[0] if placed else None
    return Macro(national, log_mult, first.month - 1 if first else -1,
                 first.industry if first else "", placed)
