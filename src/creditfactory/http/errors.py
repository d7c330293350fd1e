"""Service errors to HTTP statuses, in one place: the API answers with them in JSON, the pages
with an error page of the same status."""

from __future__ import annotations

from creditfactory.services import errors as e

__all__ = ["STATUS", "status_of"]

STATUS: tuple[tuple[type[Exception], int], ...] = (
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.Forbidden, 403),
    (e.AuthenticationFailed, 401),
    (e.TooManyAttempts, 429),
    (e.DecisionUnavailable, 503),
)


def status_of(exc: Exception) -> int:
    """The status for a service error (or an invalid argument): 422 unless ``STATUS`` says."""
    for kind, code in STATUS:
        if isinstance(exc, kind):
            return code
    return 422
