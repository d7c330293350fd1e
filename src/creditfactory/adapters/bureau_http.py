"""The credit bureau over HTTP: ``POST /v1/reports`` with ``{resident_id, consent, as_of}``
(the resident ID in the body, never in a URL a proxy would log).

The bureau answers ``{"report_id", "as_of", "fields": {...}}`` with the bureau fields of
``domain.external_data.BUREAU_FIELDS``, 404 when it has no file on the resident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditfactory.adapters.keepalive import AsyncKeepAlivePool, KeepAlivePool
from creditfactory.adapters.retrying import RetryPolicy, call_json, call_json_async
from creditfactory.domain.external_data import BureauReport, CounterpartUnavailable

__all__ = ["HttpCreditBureau"]

_WHAT = "the credit bureau"
_PATH = "/v1/reports"


class HttpCreditBureau:
    """:class:`~creditfactory.services.ports.CreditBureau` at ``base_url``."""

    def __init__(self, base_url: str, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._pool = KeepAlivePool(base_url)
        self._async_pool = AsyncKeepAlivePool(base_url)
        self.source = f"bureau@{base_url.rstrip('/')}"

    def pull(self, resident_id: str, consent_ref: str, as_of: datetime) -> BureauReport | None:
        """The resident's report as of ``as_of``; None when the bureau has no file."""
        body = call_json(self._pool, self.policy, _WHAT, "POST", _PATH,
                         body=_asked(resident_id, consent_ref, as_of))
        return self._report(body, as_of)

    async def pull_async(self, resident_id: str, consent_ref: str,
                         as_of: datetime) -> BureauReport | None:
        """:meth:`pull` awaited on the event loop."""
        body = await call_json_async(self._async_pool, self.policy, _WHAT, "POST", _PATH,
                                     body=_asked(resident_id, consent_ref, as_of))
        return self._report(body, as_of)

    def _report(self, body: dict[str, Any] | None, as_of: datetime) -> BureauReport | None:
        if body is None:
            return None
        try:
            return BureauReport.from_answer(body, as_of, self.source)
        except ValueError as exc:
            raise CounterpartUnavailable(f"the credit bureau's report is malformed: {exc}") from exc

    def close(self) -> None:
        self._pool.close()
        self._async_pool.close()


def _asked(resident_id: str, consent_ref: str, as_of: datetime) -> dict[str, str]:
    return {"resident_id": resident_id, "consent": consent_ref, "as_of": as_of.isoformat()}
