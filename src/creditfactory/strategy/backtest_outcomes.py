"""Loan outcomes for back-tests: the world package's one definition (kept importable here)."""

from creditfactory.world.outcomes import BAD_DPD, BAD_WINDOW_MOB, align_outcomes, loan_outcomes

__all__ = ["BAD_DPD", "BAD_WINDOW_MOB", "align_outcomes", "loan_outcomes"]
