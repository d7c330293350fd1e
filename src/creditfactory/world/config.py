"""Parameters of the simulated world, with the figures they are calibrated to."""

from __future__ import annotations

from dataclasses import dataclass

START_YEAR = 2019
START_MONTH = 1


@dataclass(frozen=True)
class WorldConfig:
    """What a world looks like; defaults follow the seed business (see DESIGN.md)."""

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

    @property
    def share_intermediary(self) -> float:
        return 1.0 - self.share_agent_app - self.share_partner
