"""Several server processes on one port: gunicorn's arbiter with uvicorn workers.

uvicorn's own supervisor shares one listening socket between its workers, and the worker that
wakes first accepts every connection waiting: a client that opens its kept-alive connections
at once (a channel's system, a load balancer, a load test) finds them all on one process while
the others idle — measured: one worker at 78 % of a core and the other idle at 200 submissions
a second, and the latency running away. With ``reuse_port`` every gunicorn worker binds a
socket of its own with ``SO_REUSEPORT`` and the kernel spreads new connections over them.

gunicorn starts a worker again when one dies, stops them all on SIGINT or SIGTERM, kills a
worker whose event loop stops answering, and stops the server when a worker fails to start (a
database that cannot be reached, say) rather than restarting it forever.

Linux only (elsewhere ``SO_REUSEPORT`` does not spread connections): :func:`spreads_connections`
says whether to use it.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
from typing import Any

__all__ = ["serve_workers", "spreads_connections"]

_STOP_GRACE = 10  # seconds a worker has to finish its requests after SIGTERM
_SILENT = 120  # seconds a worker may go without a sign of life (start-up included)
_KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open (uvicorn's own default)


def spreads_connections(port: int) -> bool:
    """True when the kernel can spread ``port``'s connections over several sockets."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT") and port != 0


def _guard(host: str, port: int) -> socket.socket:
    """A socket bound to the port (never listening, so it takes no connection): the port is
    free for the workers, and no server without ``SO_REUSEPORT`` can take it while we run."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _gunicorn(app: str, settings: dict[str, Any]) -> Any:
    """gunicorn run in this process, loading the ASGI app factory ``app`` in each worker."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter
    from gunicorn.errors import HaltServer

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            module, _, factory = app.partition(":")
            return getattr(importlib.import_module(module), factory)()

        def run(self) -> None:
            arbiter = Arbiter(self)
            # SIGINT as SIGTERM: gunicorn's quick stop sends the workers SIGQUIT, which the
            # uvicorn worker leaves to the kill after the grace period; SIGTERM lets each one
            # finish its requests and run the application's shutdown.
            arbiter.handle_int = arbiter.handle_term
            try:
                arbiter.run()
            except HaltServer as exc:  # another worker failed to start during the first's halt
                arbiter.kill_workers(signal.SIGKILL)
                sys.exit(exc.exit_status)

    return Server()


def serve_workers(workers: int, host: str, port: int, app: str, options: dict[str, Any]) -> None:
    """Run ``workers`` processes serving the ASGI app factory ``app`` ("module:function")
    until SIGINT or SIGTERM; ``options``: uvicorn's ``log_level`` (``access_log`` is off)."""
    try:
        guard = _guard(host, port)
    except OSError as exc:
        raise SystemExit(f"cannot listen on {host}:{port}: {exc}") from exc
    server = _gunicorn(app, {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": "uvicorn_worker.UvicornWorker",
        "reuse_port": True,
        "graceful_timeout": _STOP_GRACE,
        "timeout": _SILENT,
        "keepalive": _KEEP_ALIVE,
        "loglevel": options.get("log_level", "warning"),
        "accesslog": None,
        "control_socket_disable": True,
        "proc_name": "creditfactory",
    })
    arbiter = os.getpid()
    try:
        server.run()
    except SystemExit as exc:
        if os.getpid() != arbiter or exc.code in (0, None):
            raise  # a worker leaving (it runs on from the arbiter's fork) or a clean stop
        raise SystemExit(f"the server stopped: a worker could not start (exit code "
                         f"{exc.code}); see the errors above") from exc
    finally:
        guard.close()
