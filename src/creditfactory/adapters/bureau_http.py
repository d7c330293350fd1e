"""The credit bureau over HTTP: ``POST /v1/reports`` with ``{resident_id, consent, as_of}``
(the resident ID in the body, never in a URL a proxy would log).

The bureau answers ``{"report_id", "as_of", "fields": {...}}`` with the bureau fields of
``domain.external_data.BUREAU_FIELDS``, 404 when it has no file on the resident.
"""

from __future__ import annotations

from datetime import datetime

from creditfactory.adapters.keepalive import KeepAlivePool
from creditfactory.adapters.retrying import RetryPolicy, call_json
from creditfactory.domain.external_data import BureauReport, CounterpartUnavailable

__all__ = ["HttpCreditBureau"]


class HttpCreditBureau:
    """:class:`~creditfactory.services.ports.CreditBureau` at ``base_url``."""

    def __init__(self, base_url: str, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._pool = KeepAlivePool(base_url)
        self.source = f"bureau@{base_url.rstrip('/')}"

    def pull(self, resident_id: str, consent_ref: str, as_of: datetime) -> BureauReport | None:
        """The resident's report as of ``as_of``; None when the bureau has no file."""
        body = call_json(self._pool, self.policy, "the credit bureau", "POST", "/v1/reports",
                         body={"resident_id": resident_id, "consent": consent_ref,
                               "as_of": as_of.isoformat()})
        if body is None:
            return None
        try:
            return BureauReport.from_answer(body, as_of, self.source)
        except ValueError as exc:
            raise CounterpartUnavailable(f"the credit bureau's report is malformed: {exc}") from exc

    def close(self) -> None:
        self._pool.close()
