"""Errors the anti-fraud engine raises on purpose.

FraudError (CreditFactoryError)
 +-- ApplicationOutOfOrder an application arrived earlier than one already in the graph
 +-- UnknownApplication    a neighbourhood was asked for an application the graph never saw
 +-- WorldIncomplete       a world directory lacks a table the scan needs
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class FraudError(CreditFactoryError):
    """Base class for anti-fraud errors."""


class ApplicationOutOfOrder(FraudError):
    """Applications must be added in non-decreasing ``applied_at`` order."""


class UnknownApplication(FraudError, KeyError):
    """The graph holds no application with this id."""


class WorldIncomplete(FraudError):
    """The world directory lacks a table or column the scan needs."""
