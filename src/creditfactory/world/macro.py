"""The economy the loans live through: a national cycle and one industry's downturn.

Each industry responds to the national cycle with its own sensitivity; one industry
(``vocab.DOWNTURN_INDUSTRY``) goes through a downturn inside the application horizon that
ramps up over months, so rising early delinquency foreshadows its defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.world.vocab import DOWNTURN_INDUSTRY, INDUSTRIES


@dataclass(frozen=True)
class Macro:
    """Log hazard multipliers by industry (rows, ``vocab.INDUSTRIES`` order) and calendar month."""

    national: np.ndarray  # (n_months,) national cycle index, 0 = neutral
    log_multiplier: np.ndarray  # (n_industries, n_months)
    downturn_start: int  # calendar month index where the downturn begins
    downturn_industry: str

    def multiplier(self, industry_idx: np.ndarray, month_idx: np.ndarray) -> np.ndarray:
        """Hazard multipliers for loans in ``industry_idx`` at calendar ``month_idx``."""
        m = np.minimum(month_idx, self.log_multiplier.shape[1] - 1)
        return np.exp(self.log_multiplier[industry_idx, m])


def build_macro(months: int, total_months: int, rng: np.random.Generator) -> Macro:
    """Draw the national cycle and place the downturn at about 55 % of the horizon."""
    t = np.arange(total_months)
    phase = rng.uniform(0, 54)
    noise = np.zeros(total_months)
    eps = rng.normal(0.0, 0.05, total_months)
    for i in range(1, total_months):
        noise[i] = 0.8 * noise[i - 1] + eps[i]
    national = 0.30 * np.sin(2 * np.pi * (t + phase) / 54.0) + noise
    sens = np.array([ind[4] for ind in INDUSTRIES])
    log_mult = sens[:, None] * national[None, :]
    start = max(2, int(round(months * 0.55)))
    ramp = np.clip((t - start) / 6.0, 0, 1) - np.clip((t - start - 12) / 6.0, 0, 1)
    d_idx = [ind[0] for ind in INDUSTRIES].index(DOWNTURN_INDUSTRY)
    log_mult[d_idx] += 1.4 * ramp
    return Macro(national, log_mult, start, DOWNTURN_INDUSTRY)
