"""Errors of the credit-factory process, named for what went wrong.

FactoryError
 +-- ProcessInvalid       the process file breaks a rule (unknown mode, duplicate step, ...)
 +-- BankPolicyInvalid    the partner-bank file breaks a rule
 +-- NoEligibleBank       no partner bank's policy accepts the case
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class FactoryError(CreditFactoryError):
    """Base for process errors."""


class ProcessInvalid(FactoryError, ValueError):
    """The process definition is malformed; the message names the step and field."""


class BankPolicyInvalid(FactoryError, ValueError):
    """The partner-bank definition is malformed."""


class NoEligibleBank(FactoryError):
    """Every partner bank's policy rules the case out."""
