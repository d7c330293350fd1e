"""Errors of the simulated world."""

from creditfactory.errors import CreditFactoryError, InvalidArgument


class WorldError(CreditFactoryError):
    """A world could not be generated, written or read."""


class InvalidWorldParameters(WorldError, InvalidArgument):
    """A simulation parameter is out of range; the message names it."""
