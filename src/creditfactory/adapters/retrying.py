"""A JSON request with a bounded number of attempts, exponential backoff and a total budget.

A submission waits for its counterparts in the request path, so the whole exchange, every
retry included, ends within ``budget`` seconds: an attempt gets at most what is left, and no
retry starts when its backoff would overrun. Time-outs, connection errors and 5xx/429 answers
are retried; a 404 is an answer (no record); any other status is not retried.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from creditfactory.adapters.keepalive import (
    AsyncKeepAlivePool,
    KeepAlivePool,
    TransportError,
    TransportTimeout,
)
from creditfactory.domain.external_data import CounterpartUnavailable

__all__ = ["RetryPolicy", "call_json", "call_json_async"]

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


Step = tuple[float, float]  # (pause before the attempt, its time-out)
Outcome = tuple[int, bytes] | TransportError


def _attempts(policy: RetryPolicy, what: str) -> Generator[Step, Outcome, dict[str, Any] | None]:
    """The retry policy without I/O: yields each attempt's (pause, time-out), is sent what the
    attempt came to (an answer or the transport's failure), returns the JSON answer (``None``
    on 404) or raises :class:`CounterpartUnavailable`."""
    start = time.monotonic()
    last = "no attempt made"
    attempt = 0
    for attempt in range(policy.attempts):
        pause = policy.backoff * 2 ** (attempt - 1) if attempt else 0.0
        if attempt and time.monotonic() - start + pause >= policy.budget:
            break
        left = policy.budget - (time.monotonic() - start) - pause
        if left <= 0:
            break
        outcome = yield pause, min(policy.timeout, left)
        if isinstance(outcome, TransportTimeout):
            last = "timed out"
            continue
        if isinstance(outcome, TransportError):
            last = f"could not be reached ({outcome})"
            continue
        status, payload = outcome
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


def call_json(pool: KeepAlivePool, policy: RetryPolicy, what: str, method: str, path: str,
              *, params: dict[str, str] | None = None,
              body: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The JSON answer to ``method path``; ``None`` on 404; :class:`CounterpartUnavailable`
    naming ``what`` and the last failure when no attempt succeeded within the policy."""
    steps = _attempts(policy, what)
    try:
        pause, timeout = next(steps)
        while True:
            if pause:
                time.sleep(pause)
            outcome: Outcome
            try:
                outcome = pool.request(method, path, params=params, body=body, timeout=timeout)
            except TransportError as exc:
                outcome = exc
            pause, timeout = steps.send(outcome)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def call_json_async(pool: AsyncKeepAlivePool, policy: RetryPolicy, what: str,
                          method: str, path: str, *, params: dict[str, str] | None = None,
                          body: dict[str, str] | None = None) -> dict[str, Any] | None:
    """:func:`call_json` for a coroutine: the same attempts, awaited on the event loop."""
    steps = _attempts(policy, what)
    try:
        pause, timeout = next(steps)
        while True:
            if pause:
                await asyncio.sleep(pause)
            outcome: Outcome
            try:
                outcome = await pool.request(method, path, params=params, body=body,
                                             timeout=timeout)
            except TransportError as exc:
                outcome = exc
            pause, timeout = steps.send(outcome)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
