"""The credit bureau and the business registry of a simulated world, served over HTTP.

The platform fetches the bureau fields and the registration itself; in the simulation this
server plays both counterparts from the world's applications: a resident's report as of a
date is the bureau fields of their latest application at or before it, a business'
registration the business fields of the latest application naming its code. It can be slow,
time out or fail (drawn from a seeded generator, so a run is repeatable), and its faults can be
changed while it runs (``PUT /control``), so a test or a benchmark plays an outage.

Endpoints: ``POST /v1/reports`` (``{resident_id, consent, as_of}``; 404 for a resident with
no application by then, 400 without a consent), ``GET /v1/registrations/{uscc}?as_of=``,
``GET /health``, ``GET /stats``, ``PUT /control`` (``{latency_ms, fail_rate, timeout_rate}``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import socket
import threading
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.domain.external_data import BUREAU_FIELDS

__all__ = ["BureauFaults", "BureauServer", "WorldRecords", "running_bureau"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_MONEY = ("bureau_debt", "insurance_annual_premium")
_BUSINESS = ("uscc", "business_name", "industry", "years_in_business")
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _naive_utc(at: datetime) -> datetime:
    return at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)


class WorldRecords:
    """The world's applications indexed by resident ID and by business code, in time order."""

    def __init__(self, applications: pd.DataFrame) -> None:
        apps = applications.sort_values("applied_at", kind="stable").reset_index(drop=True)
        self._times = apps["applied_at"].to_numpy("datetime64[us]").astype(np.int64)
        self._rows: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()}
            for r in apps[["applied_at", *BUREAU_FIELDS, *_BUSINESS]].to_dict("records")]
        self._by_resident = self._index(apps["resident_id"].to_numpy(object))
        self._by_uscc = self._index(apps["uscc"].to_numpy(object))
        # each row's answers but for the date asked, built once: a call only looks them up
        self._reports: dict[int, tuple[str, dict[str, Any]]] = {}
        self._registrations: dict[int, dict[str, Any]] = {}

    def _index(self, keys: np.ndarray) -> dict[str, tuple[list[int], list[int]]]:
        out: dict[str, tuple[list[int], list[int]]] = {}
        for i, key in enumerate(keys):
            times, rows = out.setdefault(str(key), ([], []))
            times.append(int(self._times[i]))
            rows.append(i)
        return out

    def _latest(self, index: dict[str, tuple[list[int], list[int]]], key: str,
                as_of: datetime) -> int | None:
        found = index.get(key)
        if found is None:
            return None
        n = bisect_right(found[0], (_naive_utc(as_of) - _EPOCH) // _MICROSECOND)
        return None if n == 0 else found[1][n - 1]

    def report(self, resident_id: str, as_of: datetime) -> dict[str, Any] | None:
        """The resident's bureau fields as of ``as_of`` (JSON-safe), or None."""
        i = self._latest(self._by_resident, resident_id, as_of)
        if i is None:
            return None
        known = self._reports.get(i)
        if known is None:
            row = self._rows[i]
            fields = {k: _plain(row[k]) for k in BUREAU_FIELDS}
            for k in _MONEY:
                fields[k] = f"{float(row[k]):.2f}"
            key = f"{resident_id}|{row['applied_at']}".encode()
            known = self._reports[i] = ("R" + hashlib.sha256(key).hexdigest()[:16], fields)
        return {"report_id": known[0], "as_of": as_of.isoformat(), "fields": known[1]}

    def registration(self, uscc: str, as_of: datetime) -> dict[str, Any] | None:
        """The business registered under ``uscc`` as of ``as_of``, or None."""
        i = self._latest(self._by_uscc, uscc, as_of)
        if i is None:
            return None
        known = self._registrations.get(i)
        if known is None:
            row = self._rows[i]
            applied = pd.Timestamp(row["applied_at"]).to_pydatetime()
            established = applied.date() - timedelta(days=365 * int(row["years_in_business"]) + 180)
            known = self._registrations[i] = {
                "registered_name": row["business_name"], "industry": row["industry"],
                "established_on": established.isoformat(), "status": "active"}
        return {"uscc": uscc, **known}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


@dataclass
class BureauFaults:
    """How the counterpart misbehaves: added latency, the share of calls failing with 503 and
    the share hanging for ``hang_seconds`` (a time-out for any client waiting less)."""

    latency_ms: float = 0.0
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_seconds: float = 2.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.update({})

    def update(self, values: dict[str, Any]) -> None:
        """Change the faults (``PUT /control``); ValueError for a value out of range."""
        for key in ("latency_ms", "fail_rate", "timeout_rate", "hang_seconds"):
            if key in values:
                setattr(self, key, float(values[key]))
        if not (0 <= self.fail_rate <= 1 and 0 <= self.timeout_rate <= 1 - self.fail_rate):
            raise ValueError("fail_rate and timeout_rate are shares that sum to at most 1")
        if self.latency_ms < 0 or self.hang_seconds < 0:
            raise ValueError("latency_ms and hang_seconds cannot be negative")

    def draw(self) -> str:
        """What this call does: 'ok', 'fail' or 'hang' (the next draw of the seeded generator)."""
        u = self._rng.random()
        return "fail" if u < self.fail_rate else "hang" if u < self.fail_rate + self.timeout_rate else "ok"

    def public(self) -> dict[str, float]:
        return {"latency_ms": self.latency_ms, "fail_rate": self.fail_rate,
                "timeout_rate": self.timeout_rate, "hang_seconds": self.hang_seconds}


class BureauServer:
    """The ASGI application answering for the bureau and the registry of ``records``."""

    def __init__(self, records: WorldRecords, faults: BureauFaults | None = None) -> None:
        self.records = records
        self.faults = faults or BureauFaults()
        self.calls: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = await self._answer(scope["method"], scope["path"],
                                            scope.get("query_string", b"").decode(), body)
        data = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    async def _answer(self, method: str, path: str, query: str,
                      body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/health":
            return 200, {"ok": True}
        if path == "/stats":
            return 200, dict(self.calls)
        if path == "/control" and method == "PUT":
            try:
                self.faults.update(json.loads(body or b"{}"))
            except (ValueError, TypeError) as exc:
                return 400, {"detail": str(exc)}
            return 200, self.faults.public()
        if not path.startswith("/v1/"):
            return 404, {"detail": "not found"}
        outcome = self.faults.draw()
        self.calls[outcome] += 1
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if outcome == "fail":
            return 503, {"detail": "the service is unavailable"}
        if outcome == "hang":
            await asyncio.sleep(self.faults.hang_seconds)
            return 504, {"detail": "timed out"}
        try:
            return self._lookup(method, path, query, body)
        except (ValueError, TypeError, KeyError) as exc:
            return 400, {"detail": f"bad request: {exc}"}

    def _lookup(self, method: str, path: str, query: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/v1/reports" and method == "POST":
            asked = json.loads(body)
            if not asked.get("consent"):
                return 400, {"detail": "a report is pulled only with the applicant's consent"}
            report = self.records.report(str(asked["resident_id"]),
                                         datetime.fromisoformat(asked["as_of"]))
            return (404, {"detail": "no file"}) if report is None else (200, report)
        if path.startswith("/v1/registrations/") and method == "GET":
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            as_of = datetime.fromisoformat(_unquote(params["as_of"]))
            found = self.records.registration(path.rsplit("/", 1)[1], as_of)
            return (404, {"detail": "not registered"}) if found is None else (200, found)
        return 404, {"detail": "not found"}


def _unquote(value: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(value)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class running_bureau:  # noqa: N801  (used as a context manager, like open())
    """Serve ``server`` on ``host`` (a free port unless ``port``) in a thread for the
    ``with`` block; ``.url`` is its base URL."""

    def __init__(self, server: BureauServer, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.server = server
        self.port = port or _free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._uv = uvicorn.Server(uvicorn.Config(server, host=host, port=self.port,
                                                 log_level="warning", access_log=False,
                                                 lifespan="off"))
        self._thread = threading.Thread(target=self._uv.run, name="world-bureau", daemon=True)

    def __enter__(self) -> running_bureau:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._uv.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the simulated bureau did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._uv.should_exit = True
        self._thread.join(timeout=10)
