"""A JSON request with a bounded number of attempts, exponential backoff and a total budget.

A submission waits for its counterparts in the request path, so the whole exchange, every
retry included, ends within ``budget`` seconds: an attempt gets at most what is left, and no
retry starts when its backoff would overrun. Time-outs, connection errors and 5xx/429 answers
are retried; a 404 is an answer (no record); any other status is not retried.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from creditfactory.adapters.keepalive import KeepAlivePool, TransportError, TransportTimeout
from creditfactory.domain.external_data import CounterpartUnavailable

__all__ = ["RetryPolicy", "call_json"]

_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries at most, each timing out after ``timeout`` seconds, the n-th retry
    after ``backoff * 2**(n-1)`` seconds, all within ``budget`` seconds."""

    attempts: int = 3
    timeout: float = 0.12
    backoff: float = 0.01
    budget: float = 0.3

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.timeout <= 0 or self.backoff < 0 or self.budget <= 0:
            raise ValueError("a retry policy needs attempts >= 1 and positive times")


def call_json(pool: KeepAlivePool, policy: RetryPolicy, what: str, method: str, path: str,
              *, params: dict[str, str] | None = None,
              body: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The JSON answer to ``method path``; ``None`` on 404; :class:`CounterpartUnavailable`
    naming ``what`` and the last failure when no attempt succeeded within the policy."""
    start = time.monotonic()
    last = "no attempt made"
    attempt = 0
    for attempt in range(policy.attempts):
        if attempt:
            pause = policy.backoff * 2 ** (attempt - 1)
            if time.monotonic() - start + pause >= policy.budget:
                break
            time.sleep(pause)
        left = policy.budget - (time.monotonic() - start)
        if left <= 0:
            break
        try:
            status, payload = pool.request(method, path, params=params, body=body,
                                           timeout=min(policy.timeout, left))
        except TransportTimeout:
            last = "timed out"
            continue
        except TransportError as exc:
            last = f"could not be reached ({exc})"
            continue
        if status == 404:
            return None
        if status in _RETRIED_STATUS:
            last = f"answered HTTP {status}"
            continue
        if status != 200:
            raise CounterpartUnavailable(f"{what} refused the request: HTTP {status}")
        try:
            answer = json.loads(payload)
        except ValueError as exc:
            raise CounterpartUnavailable(f"{what} answered with something not JSON") from exc
        if not isinstance(answer, dict):
            raise CounterpartUnavailable(f"{what} answered with something not a JSON object")
        return answer
    spent = time.monotonic() - start
    raise CounterpartUnavailable(f"{what} {last} ({attempt + 1} attempts, {spent * 1000:.0f} ms)")
