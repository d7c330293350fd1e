"""Servicing: what happens to a loan after payout.

- :mod:`.schedules` the monthly schedule of each repayment method (equal instalment, equal
  principal, interest first), to the fen; half-even is Apache Fineract's progressive schedule;
- :mod:`.export` a schedule as a CSV or Parquet table;
- :mod:`.product` a product's servicing settings (penalty rate, prepayment fee, write-off);
- :mod:`.allocation` payments posted against the schedule: the loan's statement, replayed
  from its transactions (order-independent; reversals are transactions);
- :mod:`.close` a loan's DPD, M-bucket and five-category class at a business date;
- :mod:`.book` and :mod:`.book_terms` the loan book as arrays and its vectorised close of
  business; :mod:`.book_replay` many loans replayed from payout with their repayments;
- :mod:`.bank_file` a partner bank's repayment file read and checked column-wise.

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
