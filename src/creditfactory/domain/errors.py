"""Errors of the domain entities: a move their state does not allow.

DomainError
 +-- UnknownStep          a step id that is not in the process
 +-- IllegalCaseMove      the case cannot go there from where it is (closed, waiting, backwards)
 +-- IllegalTaskMove      the task cannot be claimed or completed in its state or by this person
 +-- AnsweredTwice        a bank submission was answered before (each is answered once)
 +-- IllegalLoanMove      the loan cannot be paid out as asked

Services check their preconditions first and translate these into their own errors where a
caller could provoke them; raised from inside a service, one means a bug in the flow.
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError

__all__ = [
    "DomainError",
    "UnknownStep",
    "IllegalCaseMove",
    "IllegalTaskMove",
    "AnsweredTwice",
    "IllegalLoanMove",
]


class DomainError(CreditFactoryError):
    """Base for the entities' errors."""


class UnknownStep(DomainError, LookupError):
    """The step id names no step of the process."""


class IllegalCaseMove(DomainError):
    """The case's state does not allow this move; the message names the case and its step."""


class IllegalTaskMove(DomainError):
    """The task's state does not allow this claim or completion."""


class AnsweredTwice(DomainError):
    """A bank submission is answered once."""


class IllegalLoanMove(DomainError):
    """The loan cannot be paid out from this case, application and decision."""
