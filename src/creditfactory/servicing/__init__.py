"""Servicing: what happens to a loan after payout, starting with its repayment schedule.

- :mod:`.schedules` the monthly schedule of each repayment method (equal instalment, equal
  principal, interest first), to the fen.

Pure domain code: it never imports the store, the services or an entry point.
"""

from creditfactory.servicing.schedules import (
    METHODS,
    ROUNDINGS,
    Instalment,
    Schedule,
    repayment_schedule,
)

__all__ = ["METHODS", "ROUNDINGS", "Instalment", "Schedule", "repayment_schedule"]
