"""Errors the strategy package raises on purpose.

CreditFactoryError
 +-- StrategyError
      +-- StrategyInvalid      the strategy file is malformed; the message names line and reason
      +-- StrategyNotFound     no shipped strategy and no file by that name
      +-- ReplayMismatch       a recorded decision did not come out the same on replay
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class StrategyError(CreditFactoryError):
    """Base of every strategy error."""


class StrategyInvalid(StrategyError, ValueError):
    """The strategy file cannot be used; ``line`` is 1-based when known."""

    def __init__(self, message: str, *, source: str = "<strategy>", line: int | None = None):
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class StrategyNotFound(StrategyError, LookupError):
    """Neither a shipped strategy nor a readable file has that name."""


class ReplayMismatch(StrategyError):
    """Replaying a decision record gave a different decision; the message lists the fields."""
