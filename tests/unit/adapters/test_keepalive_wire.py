"""The counterparts' clients (for threads and for an event loop) read HTTP/1.1 answers framed
every way a server may frame them (Content-Length, chunked, until the connection ends), keep
the connection only when the server does, and report a silent server as a time-out."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from creditfactory.adapters.keepalive import (
    AsyncKeepAlivePool,
    KeepAlivePool,
    TransportError,
    TransportTimeout,
)


class _OnALoop:
    """An :class:`AsyncKeepAlivePool` driven from a test, on one event loop kept for it in a
    thread of its own (whatever loop the test's own thread may have running)."""

    def __init__(self, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self._pool, self._loop = AsyncKeepAlivePool(url), loop

    def request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        done = asyncio.run_coroutine_threadsafe(self._pool.request(*args, **kwargs), self._loop)
        return done.result(timeout=10)

    @property
    def _idle(self) -> list[Any]:
        return self._pool._idle.get(self._loop, [])


@pytest.fixture(params=["threads", "event loop"])
def make_pool(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Any]]:
    if request.param == "threads":
        yield KeepAlivePool
        return
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    yield lambda url: _OnALoop(url, loop)
    loop.call_soon_threadsafe(loop.stop)
    runner.join(timeout=5)
    loop.close()


@pytest.fixture
def server() -> Iterator[tuple[str, list[bytes], list[bytes]]]:
    """A loopback server answering each request with the next canned answer (none: silence);
    the requests it read."""
    answers: list[bytes] = []
    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                while answers or not stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        break
                    if not data:
                        break
                    seen.append(data)
                    if not answers:
                        stop.wait(1.0)
                        break
                    answer = answers.pop(0)
                    conn.sendall(answer)
                    if b"Connection: close" in answer or b"Content-Length" not in answer \
                            and b"chunked" not in answer:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/base", answers, seen
    stop.set()
    thread.join(timeout=3)
    listener.close()


def test_a_content_length_answer_keeps_the_connection(server: tuple[str, list[bytes], list[bytes]],
        make_pool: Callable[[str], Any]) -> None:
    url, answers, seen = server
    answers += [b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Other: a: b\r\n\r\n{\"a\": true}",
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}"]
    pool = make_pool(url)
    assert pool.request("POST", "/v1/x", timeout=2, body={"k": "v"}) == (200, b'{"a": true}')
    assert len(pool._idle) == 1
    assert pool.request("GET", "/v1/y", timeout=2, params={"as_of": "2030-01-01T00:00:00+00:00"}) \
        == (404, b"{}")
    assert seen[0].startswith(b"POST /base/v1/x HTTP/1.1\r\nHost: 127.0.0.1:")
    assert seen[0].endswith(b"Content-Length: 10\r\n\r\n{\"k\": \"v\"}")
    assert seen[1].startswith(b"GET /base/v1/y?as_of=2030-01-01T00%3A00%3A00%2B00%3A00 HTTP/1.1")


def test_chunked_and_closing_answers_are_read_whole(server: tuple[str, list[bytes], list[bytes]],
        make_pool: Callable[[str], Any]) -> None:
    url, answers, _ = server
    answers.append(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"4\r\n{\"a\"\r\n6;x=1\r\n: 1234\r\n1\r\n}\r\n0\r\n\r\n")
    pool = make_pool(url)
    assert pool.request("GET", "/c", timeout=2) == (200, b'{"a": 1234}')
    answers.append(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n{\"down\": 1}")
    assert pool.request("GET", "/d", timeout=2) == (503, b'{"down": 1}')
    assert pool._idle == []


def test_silence_is_a_time_out_and_garbage_an_error(server: tuple[str, list[bytes], list[bytes]],
        make_pool: Callable[[str], Any]) -> None:
    url, answers, _ = server
    with pytest.raises(TransportTimeout):
        make_pool(url).request("GET", "/slow", timeout=0.2)
    answers.append(b"SMTP ready\r\n\r\n")
    with pytest.raises(TransportError, match="not an HTTP answer"):
        make_pool(url).request("GET", "/odd", timeout=2)


def test_an_unreachable_counterpart_is_a_transport_error(make_pool: Callable[[str], Any]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransportError):
        make_pool(f"http://127.0.0.1:{port}").request("GET", "/", timeout=1)
