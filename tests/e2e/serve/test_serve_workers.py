"""`serve --workers N` (gunicorn with uvicorn workers and ``reuse_port``): several processes on
one port, connections spread over them, a dead worker replaced, all stopped by one signal; a
worker that cannot start stops the server, and a port already taken is a clear error."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from creditfactory.cli.workers import spreads_connections

pytestmark = pytest.mark.skipif(not spreads_connections(1), reason="SO_REUSEPORT spreading is Linux's")

APP = '''
import os

def make():
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = str(os.getpid()).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    return app
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pid_of(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", "/")
    return int(conn.getresponse().read())


def _answering(port: int, workers: int = 2, timeout: float = 30.0) -> None:
    """Wait until ``workers`` distinct processes have answered on ``port``: the first one
    answers while the others may still be importing on a loaded machine."""
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            seen.add(_pid_of(c))
            c.close()
            if len(seen) == workers:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{len(seen)} of {workers} workers answered")


def _server(tmp_path: Path, port: int, app: str) -> tuple[list[str], dict[str, str]]:
    """The command (and its environment) running two workers of ``app`` from ``tmp_path``."""
    code = ("from creditfactory.cli.workers import serve_workers; "
            f"serve_workers(2, '127.0.0.1', {port}, {app!r}, {{'log_level': 'warning'}})")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    return [sys.executable, "-c", code], env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    (tmp_path / "pid_app.py").write_text(textwrap.dedent(APP))
    port = _free_port()
    args, env = _server(tmp_path, port, "pid_app:make")
    proc = subprocess.Popen(args, env=env)
    try:
        _answering(port)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)


def test_connections_opened_at_once_are_spread_over_the_workers(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    _, port = served
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(16)]
    for c in conns:
        c.connect()  # all handshakes done before any request, as a client pool does
    pids = [_pid_of(c) for c in conns]
    assert len(set(pids)) == 2
    assert max(pids.count(p) for p in set(pids)) <= 14
    for c in conns:
        c.close()


def test_a_dead_worker_is_replaced_and_a_signal_stops_them_all(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = served
    seen: set[int] = set()
    for _ in range(40):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        seen.add(_pid_of(c))
        c.close()
    victim = min(seen)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 20
    fresh: set[int] = set()
    while time.monotonic() < deadline and not fresh:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            fresh = {_pid_of(c)} - seen
            c.close()
        except OSError:
            pass
        time.sleep(0.05)
    assert fresh, "no new worker answered after one was killed"
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    alive = [p for p in (seen | fresh) if Path(f"/proc/{p}").exists()
             and "Z" not in Path(f"/proc/{p}/stat").read_text().split()[2]]
    assert alive == []


def test_sigint_lets_every_worker_stop_by_itself(tmp_path: Path) -> None:
    (tmp_path / "pid_app.py").write_text(textwrap.dedent(APP))
    port = _free_port()
    args, env = _server(tmp_path, port, "pid_app:make")
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _answering(port)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "SIGKILL" not in err  # none was left to the kill after the grace period


def _supervise(tmp_path: Path, port: int, app: str) -> subprocess.CompletedProcess[str]:
    args, env = _server(tmp_path, port, app)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=90)


def test_workers_that_cannot_start_stop_the_server_with_an_error(tmp_path: Path) -> None:
    (tmp_path / "broken_app.py").write_text("def make():\n    raise RuntimeError('no database')\n")
    done = _supervise(tmp_path, _free_port(), "broken_app:make")
    assert done.returncode != 0
    assert "a worker could not start" in done.stderr
    assert "no database" in done.stderr


def test_a_port_already_taken_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = _supervise(tmp_path, taken.getsockname()[1], "pid_app:make")
    assert done.returncode != 0
    assert "cannot listen on 127.0.0.1" in done.stderr
