"""Errors the service layer raises; entry points map each family to one HTTP status / exit code.

ServiceError
 +-- NotFound                 404: ApplicationNotFound, CaseNotFound, TaskNotFound,
 |                                 ChannelNotFound, SubmissionNotFound, BlacklistEntryNotFound
 +-- Conflict                 409: TaskAlreadyCompleted, TaskNotClaimable, AlreadyAnswered,
 |                                 UserExists, IdempotencyKeyReused, AlreadyBlacklisted
 +-- Forbidden                403: RoleNotAllowed, SeparationOfDuties
 +-- InvalidInput             422: carries ``errors``, one (field, message) per bad field
 +-- AuthenticationFailed     401
 +-- TooManyAttempts          429
 +-- DecisionUnavailable      503: no strategy could be loaded; ScoringFailed (a model failed)
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class ServiceError(CreditFactoryError):
    """Base for service-layer errors."""


class NotFound(ServiceError, LookupError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class ApplicationNotFound(NotFound):
    pass


class CaseNotFound(NotFound):
    pass


class TaskNotFound(NotFound):
    pass


class ChannelNotFound(NotFound):
    pass


class SubmissionNotFound(NotFound):
    pass


class Conflict(ServiceError):
    """The request clashes with the current state."""


class TaskAlreadyCompleted(Conflict):
    pass


class TaskNotClaimable(Conflict):
    pass


class AlreadyAnswered(Conflict):
    pass


class UserExists(Conflict):
    pass


class IdempotencyKeyReused(Conflict):
    """The key was already used for a different request body."""


class Forbidden(ServiceError, PermissionError):
    """The caller's role may not do this."""


class RoleNotAllowed(Forbidden):
    pass


class SeparationOfDuties(Forbidden):
    """Four eyes: the caller did an earlier step of the case that the process bars from this one."""


class InvalidInput(ServiceError, ValueError):
    """The input is well-formed but wrong; ``errors`` names each bad field."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))


class AuthenticationFailed(ServiceError):
    pass


class TooManyAttempts(ServiceError):
    pass


class DecisionUnavailable(ServiceError):
    """No decision strategy is available to decide applications."""


class ScoringFailed(DecisionUnavailable):
    """A model failed on the application (not a missing input): no decision is made from it."""


class BlacklistEntryNotFound(NotFound):
    pass


class AlreadyBlacklisted(Conflict):
    """The identifier already has a live entry on the blacklist."""
