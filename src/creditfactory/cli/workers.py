"""Several server processes on one port, each with a listening socket of its own.

uvicorn's own supervisor shares one listening socket between its workers, and the worker that
wakes first accepts every connection waiting: a client that opens its kept-alive connections
at once (a channel's system, a load balancer, a load test) finds them all on one process while
the others idle — measured: one worker at 78 % of a core and the other idle at 200 submissions
a second, and the latency running away. Here every worker binds the port with
``SO_REUSEPORT`` and the kernel spreads new connections over the workers' sockets. A worker
that dies is started again, unless workers keep dying at start-up (a database that cannot be
reached, say): then all stop with an error. SIGINT or SIGTERM stops them all.

Linux only (elsewhere ``SO_REUSEPORT`` does not spread connections): :func:`spreads_connections`
says whether to use it.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["serve_workers", "spreads_connections"]

_RESTART_PAUSE = 1.0  # seconds before a dead worker is started again
_STOP_GRACE = 10.0  # seconds a worker has to finish its requests after SIGTERM
_EARLY = 20.0  # a worker ending this soon after its start failed to start
_EARLY_LIMIT = 3  # that many in a row: stop, the next would fail the same way


def spreads_connections(port: int) -> bool:
    """True when the kernel can spread ``port``'s connections over several sockets."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT") and port != 0


def _bound(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own socket on the port, one uvicorn server on it."""
    import uvicorn

    sock = _bound(host, port)
    config = uvicorn.Config(app, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(workers: int, host: str, port: int, app: str, options: dict[str, Any]) -> None:
    """Run ``workers`` processes serving the ASGI app factory ``app`` ("module:function")
    until SIGINT or SIGTERM; ``options`` go to ``uvicorn.Config``."""
    try:
        guard = _bound(host, port)  # the port is free for us (and stays ours while we run)
    except OSError as exc:
        raise SystemExit(f"cannot listen on {host}:{port}: {exc}") from exc
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> Any:
        process = spawn.Process(target=_worker, args=(app, host, port, options), daemon=False)
        process.start()
        return process

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    started = [time.monotonic()] * workers
    early = 0  # workers in a row that ended soon after starting
    try:
        while not stop.wait(0.25):
            for i, process in enumerate(processes):
                if process.is_alive() or stop.is_set():
                    continue
                early = early + 1 if time.monotonic() - started[i] < _EARLY else 0
                if early >= _EARLY_LIMIT:
                    raise SystemExit(
                        f"server workers keep ending at start-up ({early} in a row, last exit "
                        f"code {process.exitcode}): see the errors above")
                log.warning("server worker %s ended (exit code %s); starting another",
                            process.pid, process.exitcode)
                time.sleep(_RESTART_PAUSE)
                processes[i], started[i] = start(), time.monotonic()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + _STOP_GRACE
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        guard.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
