"""The load generator's side: a bare keep-alive HTTP/1.1 client, the open-loop load at a fixed
rate (latency from each request's scheduled time), the warm-up and the latency summary."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter, deque
from typing import Any

import numpy as np

OPEN_CONNECTIONS = 16  # kept-alive connections opened before the load (more open when needed)


class RawClient:
    """A bare HTTP/1.1 keep-alive client for the load itself.

    The generator shares the machine's cores with the server, and httpx costs about 2 ms of
    CPU a request; this costs a small fraction of that. It sends what httpx would (JSON body,
    the same headers) and reads status and body; at most ``connections`` requests are open at
    once, the rest wait for a connection (their latency still counts from their scheduled time).

    Requests take the connection idle the longest, so the load travels on every connection
    opened rather than on the last one used: like many clients at once, and not one client
    whose single connection keeps one server process busy while the others idle (each
    kept-alive connection belongs to the server process that accepted it).
    """

    def __init__(self, base: str, connections: int = 256, timeout: float = 30.0):
        rest = base.split("://", 1)[1]
        hostport, _, prefix = rest.partition("/")
        self.host, port = hostport.split(":")
        self.port = int(port)
        self.prefix = "/" + prefix if prefix else ""
        self.timeout = timeout
        self._idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()
        self._slots = asyncio.Semaphore(connections)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = (f"POST {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{head}\r\n"
                   ).encode() + body
        async with self._slots:
            reused = False
            while self._idle:
                conn = self._idle.popleft()
                if not (conn[0].at_eof() or conn[1].is_closing()):
                    reused = True
                    break
                conn[1].close()
            else:
                conn = await asyncio.open_connection(self.host, self.port)
            try:
                status, payload, keep = await asyncio.wait_for(self._exchange(conn, request), self.timeout)
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
                conn[1].close()
                if getattr(exc, "partial", b"") or (
                        not reused and not isinstance(exc, asyncio.IncompleteReadError)):
                    raise
                # the server closed this kept-alive connection as the request went out (reset or
                # end of stream before any answer): as httpx does, send it again on a new one;
                # the Idempotency-Key makes that safe
                conn = await asyncio.open_connection(self.host, self.port)
                try:
                    status, payload, keep = await asyncio.wait_for(self._exchange(conn, request),
                                                                   self.timeout)
                except BaseException:
                    conn[1].close()
                    raise
            except BaseException:
                conn[1].close()
                raise
            if keep:
                self._idle.append(conn)
            else:
                conn[1].close()
            return status, payload

    @staticmethod
    async def _exchange(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        request: bytes) -> tuple[int, bytes, bool]:
        reader, writer = conn
        writer.write(request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        if "content-length" not in fields:
            raise ConnectionError("response without Content-Length")
        payload = await reader.readexactly(int(fields["content-length"]))
        return status, payload, fields.get("connection", "").lower() != "close"

    async def open(self, n: int) -> None:
        """Open ``n`` kept-alive connections up front (the server spreads them over its processes)."""
        for _ in range(n):
            self._idle.append(await asyncio.open_connection(self.host, self.port))

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()


async def run_load(base: str, token: str, bodies: list[dict[str, Any]], rate: float, seconds: float,
                   on_tick: Any = None) -> list[tuple[float, int, str, dict[str, Any] | None]]:
    """Send ``rate`` requests a second for ``seconds``; return (latency, status, key, body).

    Open loop: request ``i`` is due at ``start + i / rate`` whatever happened to the others, and
    its latency runs from that due time to the last byte of the answer.
    """
    n = int(rate * seconds)
    encoded = [json.dumps(b).encode() for b in bodies]
    results: list[tuple[float, int, str, dict[str, Any] | None]] = []
    client = RawClient(base)
    await client.open(OPEN_CONNECTIONS)
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        when = start + i / rate
        await asyncio.sleep(max(0.0, when - time.perf_counter()))
        key = f"bench-{i}-{uuid.uuid4().hex}"
        try:
            status, payload = await client.post(
                "/applications", encoded[i % len(encoded)],
                {"Authorization": f"Bearer {token}", "Idempotency-Key": key})
            body = json.loads(payload) if status in (201, 202) else None
            results.append((time.perf_counter() - when, status, key, body))
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            results.append((time.perf_counter() - when, 0, key, None))

    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    if on_tick is not None:
        asyncio.create_task(on_tick(start))
    await asyncio.gather(*tasks)
    client.close()
    return results


def warm_up(base: str, token: str, bodies: list[dict[str, Any]], n: int = 200) -> None:
    """Submissions before the measured load so lazy imports and first-call costs are not measured.

    They go on ``OPEN_CONNECTIONS`` connections at once, so every server process (each owns the
    connections it accepted) is warm, not only the one a single connection would reach.
    """

    async def send() -> None:
        client = RawClient(base)
        await client.open(OPEN_CONNECTIONS)
        headers = {"Authorization": f"Bearer {token}"}

        async def lane(lane_no: int) -> None:
            for i in range(lane_no, n, OPEN_CONNECTIONS):
                await client.post("/applications", json.dumps(bodies[-1 - i % len(bodies)]).encode(),
                                  {**headers, "Idempotency-Key": f"warm-{uuid.uuid4().hex}"})

        await asyncio.gather(*(lane(k) for k in range(OPEN_CONNECTIONS)))
        client.close()

    asyncio.run(send())


def summarise(kind: str, rate: float, seconds: float, res: list[Any]) -> dict[str, float]:
    lat = np.array([r[0] for r in res]) * 1000
    ok = sum(1 for r in res if r[1] in (201, 202))
    held = sum(1 for r in res if r[1] == 202)
    errors = len(res) - ok
    if held:
        print(f"[{kind}]   {held} accepted with 202: held for data the bureau or the registry "
              "did not give in time", flush=True)
    s = {"rate": rate, "sent": len(res), "ok": ok, "errors": errors, "held": held,
         "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)),
         "p99": float(np.percentile(lat, 99)), "max": float(lat.max())}
    print(f"[{kind}] {rate:.0f}/s x {seconds:.0f}s: sent {len(res)} ok {ok} errors {errors} "
          f"p50 {s['p50']:.1f} ms p95 {s['p95']:.1f} ms p99 {s['p99']:.1f} ms max {s['max']:.0f} ms", flush=True)
    if errors:
        codes = Counter(r[1] for r in res if r[1] not in (201, 202))
        print(f"[{kind}]   errors by status (0: no answer): {dict(codes)}", flush=True)
    return s
