"""Parameters of the simulated world, with the figures they are calibrated to."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

START_YEAR = 2019
START_MONTH = 1


@dataclass(frozen=True)
class Downturn:
    """An industry's downturn starting in ``month`` (1-based from the world's first month)."""

    industry: str
    month: int


@dataclass(frozen=True)
class Signal:
    """One post-loan signal: how a borrower's hidden distress shows in what the lender sees.

    Distress is 0 for a borrower whose default clock will not ring and rises as
    ``exp(-(months to the default event) / lead)`` to 1 at the event (and stays there).
    ``base`` is the signal's level without distress (a monthly rate, a probability, or the
    share of revenue for inflows), ``strength`` its move at full distress (log-rate for
    counts, log-odds for flags, log-inflow for the account), ``noise`` the standard deviation
    of the month's own log-normal noise (counts, inflows) -- a flag's noise is its coin."""

    base: float
    strength: float
    lead: float
    noise: float = 0.0


@dataclass(frozen=True)
class SignalConfig:
    """What the lender sees each month of every active loan, and the industry indicator.

    The ranges, and why (each parameter sits inside its range, none at the generous end):

    - ``inquiries`` (bureau: new hard inquiries this month): base 0.25 a month; strength
      1.2 (x3.3 at full distress; published multi-lending studies (多头借贷) find inquiry
      counts 2-5x higher in the months before default); lead 6 months (range 3-9: a
      business short of cash shops for credit well before it misses a payment).
    - ``new_loans`` (bureau: loans opened elsewhere this month): base 0.03; strength 1.2;
      lead 5 (range 3-8: the inquiries that succeed, a little later).
    - ``overdue_elsewhere`` (bureau: any account overdue at another lender): base 0.01;
      strength 3.0 log-odds (1 % -> 17 % at full distress; range 2-4); lead 3 (range 1-5:
      borrowers let the smaller lenders slip before the largest loan).
    - ``inflows`` (the business account at the partner bank, monthly credits): base share
      0.6 of true revenue; strength 0.35 (inflows down 30 % at full distress; range
      0.2-0.6); lead 4 (range 2-6); noise 0.30 a month (seasonality and lumpy receipts make a
      single month's credits a poor measure).
    - ``tax_late`` / ``utility_late`` (payment flags from the tax bureau and the utilities):
      base 3 % / 4 %; strength 2.2 / 1.8 log-odds; lead 3 / 2 (range 1-4: small bills are
      the last cut before the bank's instalment).
    - ``industry_index`` (public, per industry and month, around 100): strength 20 index
      points per unit of the industry's log hazard multiplier, noise 2.0 points, lead 2
      months (range 0-4: orders and prices move before borrowers' revenue).

    ``scale`` multiplies every strength (0.5: every signal at half strength, the check that a
    model's edge does not come from a world written for it).
    """

    inquiries: Signal = field(default_factory=lambda: Signal(0.25, 1.2, 6.0, 0.3))
    new_loans: Signal = field(default_factory=lambda: Signal(0.03, 1.2, 5.0, 0.3))
    overdue_elsewhere: Signal = field(default_factory=lambda: Signal(0.01, 3.0, 3.0))
    inflows: Signal = field(default_factory=lambda: Signal(0.6, 0.35, 4.0, 0.30))
    tax_late: Signal = field(default_factory=lambda: Signal(0.03, 2.2, 3.0))
    utility_late: Signal = field(default_factory=lambda: Signal(0.04, 1.8, 2.0))
    industry_index: Signal = field(default_factory=lambda: Signal(100.0, 20.0, 2.0, 2.0))
    scale: float = 1.0

    def at_strength(self, scale: float) -> SignalConfig:
        """The same signals with every strength multiplied by ``scale`` (0.5: half)."""
        return replace(self, scale=scale)


@dataclass(frozen=True)
class WorldConfig:
    """What a world looks like; defaults follow the seed business (see DESIGN.md).

    ``downturns``: ``None`` places today's default (``C18`` at about 55 % of the horizon,
    :func:`.macro.default_downturns`), ``()`` none. ``signal_scale`` is written to the
    world's metadata and scales the post-loan signals' strengths (:class:`SignalConfig`)."""

    n_applications: int
    months: int
    seed: int
    chunk_size: int = 50_000
    share_agent_app: float = 0.62
    share_partner: float = 0.18
    ring_share: float = 0.015
    impersonation_share: float = 0.003
    repeat_share: float = 0.06
    packaging_intermediary_share: float = 0.15
    packaging_partner_share: float = 0.05
    packaging_agent_share: float = 0.01
    packaged_within_packager: float = 0.65
    base_log_odds: float = -2.55
    reference_rate: float = 0.20  # annual, for the as-if-booked schedule
    writeoff_tail_months: int = 24
    downturns: tuple[Downturn, ...] | None = None
    signal_scale: float = 1.0

    @property
    def share_intermediary(self) -> float:
        return 1.0 - self.share_agent_app - self.share_partner
