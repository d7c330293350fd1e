"""The business registry over HTTP: ``GET /v1/registrations/{uscc}?as_of=``.

It answers ``{"uscc", "registered_name", "industry", "established_on", "status"}``, 404 for
a code that is not on the register.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditfactory.adapters.keepalive import AsyncKeepAlivePool, KeepAlivePool
from creditfactory.adapters.retrying import RetryPolicy, call_json, call_json_async
from creditfactory.domain.external_data import BusinessRegistration, CounterpartUnavailable

__all__ = ["HttpExternalData"]

_WHAT = "the business registry"


class HttpExternalData:
    """:class:`~creditfactory.services.ports.ExternalData` at ``base_url``."""

    def __init__(self, base_url: str, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._pool = KeepAlivePool(base_url)
        self._async_pool = AsyncKeepAlivePool(base_url)
        self.source = f"registry@{base_url.rstrip('/')}"

    def registration(self, uscc: str, as_of: datetime) -> BusinessRegistration | None:
        """The business registered under ``uscc`` as of ``as_of``; None when none is."""
        body = call_json(self._pool, self.policy, _WHAT, "GET", f"/v1/registrations/{uscc}",
                         params={"as_of": as_of.isoformat()})
        return self._registration(body)

    async def registration_async(self, uscc: str,
                                 as_of: datetime) -> BusinessRegistration | None:
        """:meth:`registration` awaited on the event loop."""
        body = await call_json_async(self._async_pool, self.policy, _WHAT, "GET",
                                     f"/v1/registrations/{uscc}",
                                     params={"as_of": as_of.isoformat()})
        return self._registration(body)

    def _registration(self, body: dict[str, Any] | None) -> BusinessRegistration | None:
        if body is None:
            return None
        try:
            return BusinessRegistration.from_answer(body, self.source)
        except ValueError as exc:
            raise CounterpartUnavailable(f"the business registry's answer is malformed: {exc}") from exc

    def close(self) -> None:
        self._pool.close()
        self._async_pool.close()
