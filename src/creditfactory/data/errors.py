"""Errors of the lending-data contract."""

from creditfactory.errors import CreditFactoryError, InvalidArgument


class LendingDataError(CreditFactoryError):
    """Lending data could not be read or written (a table, a column or a folder is wrong)."""


class LendingDataNotFound(LendingDataError, FileNotFoundError):
    """A directory does not hold lending data (a required table file is missing)."""


class InvalidOutput(LendingDataError, InvalidArgument):
    """An output folder cannot be written; the message names it and why."""
