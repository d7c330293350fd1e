"""The lending-data contract: the tables a lender's data must meet, and their one reading.

A lender's own data or the simulator's output are both folders of ``channels``,
``applications`` and ``performance`` tables (Parquet or CSV, columns in :mod:`.schema`);
``truth`` is present only in a simulated world and is read only by evaluation code.
:mod:`.outcomes` holds the one definition of bad, NPL and net loss that every figure uses.
"""

from creditfactory.data.errors import LendingDataError, LendingDataNotFound
from creditfactory.data.io import LendingData, load, read_table
from creditfactory.data.outcomes import BAD_DPD, BAD_WINDOW_MOB, align_outcomes, loan_outcomes

__all__ = [
    "BAD_DPD",
    "BAD_WINDOW_MOB",
    "LendingData",
    "LendingDataError",
    "LendingDataNotFound",
    "align_outcomes",
    "load",
    "loan_outcomes",
    "read_table",
]
