"""Small pools of kept-alive HTTP/1.1 connections to one counterpart: on bare sockets for
threads (:class:`KeepAlivePool`) and on asyncio streams for an event loop
(:class:`AsyncKeepAlivePool`), both reading answers with one parser (:class:`_Answer`).

A submission calls two counterparts in its request path, so the client's own CPU counts:
httpx was measured at 1.5 ms of CPU per call, the standard library's ``http.client`` at
0.2-0.35 ms (most of it parsing the answer's headers through the ``email`` package); this
client writes the request in one piece and reads only what it needs of the answer (status,
``Content-Length`` or chunked body, ``Connection``). A connection is taken out of the pool for
one exchange and put back after it. A kept-alive connection the counterpart closed meanwhile
is replaced once, without counting as an attempt.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
import weakref
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["AsyncKeepAlivePool", "KeepAlivePool", "TransportError", "TransportTimeout"]

_MAX_HEAD = 64 * 1024  # an answer's status line and headers, at most
Answer = tuple[int, bytes, bool]  # status, body, whether the counterpart closes the connection


class TransportError(Exception):
    """The exchange failed before an answer came (connection refused, reset, closed)."""


class TransportTimeout(TransportError):
    """No answer within the time allowed."""


class _Closed(TransportError):
    """The connection ended before a whole answer came."""

    def __init__(self, started: bool) -> None:
        super().__init__("the connection was closed")
        self.started = started  # some of the answer had come


class _Answer:
    """One HTTP/1.1 answer read from the bytes fed to it, whatever reads them (no I/O here).

    ``buffer``: what the connection read past its previous answer. After :meth:`complete`
    returned the answer, :attr:`rest` is what came after it.
    """

    __slots__ = ("_buffer", "_frame", "rest")

    def __init__(self, buffer: bytes = b"") -> None:
        self._buffer = buffer
        self._frame: tuple[int, int | None, bool, bool] | None = None
        self.rest = b""

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def complete(self) -> Answer | None:
        """The answer once all of it came, else None (feed more, or :meth:`at_eof`)."""
        if self._frame is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    raise TransportError("the answer's headers are too long")
                return None
            self._frame = _frame(self._buffer[:end])
            self._buffer = self._buffer[end + 4:]
        status, length, chunked, close = self._frame
        if chunked:
            return self._chunked(status, close)
        if length is not None:
            if len(self._buffer) < length:
                return None
            self.rest = self._buffer[length:]
            return status, self._buffer[:length], close
        if status in (204, 304) or 100 <= status < 200:
            self.rest = self._buffer
            return status, b"", close
        return None  # delimited by the end of the connection

    def at_eof(self) -> Answer:
        """The answer when the counterpart closed the connection; :class:`_Closed` when the
        answer was not whole by then."""
        frame = self._frame
        if frame is not None and not frame[2] and frame[1] is None:
            return frame[0], self._buffer, True
        raise _Closed(frame is not None or bool(self._buffer))

    def _chunked(self, status: int, close: bool) -> Answer | None:
        data, at = self._buffer, 0
        chunks: list[bytes] = []
        while True:
            end = data.find(b"\r\n", at)
            if end < 0:
                return None
            size = int(data[at:end].split(b";", 1)[0].strip() or b"0", 16)
            at = end + 2
            if size == 0:
                while True:  # trailers, up to the empty line
                    end = data.find(b"\r\n", at)
                    if end < 0:
                        return None
                    line, at = data[at:end], end + 2
                    if not line:
                        self.rest = data[at:]
                        return status, b"".join(chunks), close
            if len(data) < at + size + 2:
                return None
            chunks.append(data[at:at + size])
            at += size + 2  # the CRLF after each chunk


def _frame(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, Content-Length, chunked?, closes?) of an answer's status line and headers."""
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise TransportError("not an HTTP answer")
    length, chunked, close = None, False, parts[0] == b"HTTP/1.0"
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            token = value.strip().lower()
            close = token == b"close" or (close and token != b"keep-alive")
    return int(parts[1]), length, chunked, close


class _Connection:
    """One socket and what it has read past the last answer."""

    __slots__ = ("sock", "_buffer")

    def __init__(self, sock: socket.socket) -> None:
        self.sock: socket.socket | None = sock
        self._buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes, deadline: float) -> Answer:
        """Send ``request`` and read its answer by ``deadline`` (``time.monotonic``)."""
        assert self.sock is not None
        self._timeout(deadline)
        self.sock.sendall(request)
        answer = _Answer(self._buffer)
        while (whole := answer.complete()) is None:
            self._timeout(deadline)
            data = self.sock.recv(65536)
            if not data:
                whole = answer.at_eof()
                break
            answer.feed(data)
        self._buffer = answer.rest
        return whole

    def _timeout(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        assert self.sock is not None
        self.sock.settimeout(left)


class _StreamConnection:
    """One asyncio stream pair and what it has read past the last answer."""

    __slots__ = ("reader", "writer", "_buffer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self._buffer = reader, writer, b""

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: bytes) -> Answer:
        self.writer.write(request)
        answer = _Answer(self._buffer)
        while (whole := answer.complete()) is None:
            data = await self.reader.read(65536)
            if not data:
                whole = answer.at_eof()
                break
            answer.feed(data)
        self._buffer = answer.rest
        return whole


class _Counterpart:
    """The address of one counterpart and how a request to it is written."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        default_port = self._port == (443 if self._https else 80)
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._host_header = host if default_port else f"{host}:{self._port}"
        self._tls = ssl.create_default_context() if self._https else None
        self._size = size

    def _request(self, method: str, path: str, params: dict[str, str] | None,
                 body: dict[str, Any] | None) -> bytes:
        target = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        head = (f"{method} {target} HTTP/1.1\r\nHost: {self._host_header}\r\n"
                "Accept: application/json\r\n")
        if body is None:
            return (head + "\r\n").encode()
        data = json.dumps(body).encode()
        return (head + f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                ).encode() + data


_FAILURES = (OSError, ValueError, TransportError)  # TimeoutError is an OSError


def _failed(exc: Exception, conn: _Connection | _StreamConnection | None, reused: bool) -> None:
    """After a failed exchange: close its connection, and return when the exchange is tried
    once more on a fresh one (the counterpart closed an idle connection before any of the
    answer came); else raise the transport's error."""
    if conn is not None:
        conn.close()
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError
        raise TransportTimeout("timed out") from exc
    if reused and isinstance(exc, OSError | _Closed) and not (
            isinstance(exc, _Closed) and exc.started):
        return
    if isinstance(exc, TransportError):
        raise exc
    raise TransportError(type(exc).__name__) from exc


class KeepAlivePool(_Counterpart):
    """Connections to ``base_url`` (``http://`` or ``https://``) for threads, at most ``size``
    kept idle; shared by the server's threads."""

    def __init__(self, base_url: str, size: int = 64) -> None:
        super().__init__(base_url, size)
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()

    def _take(self, deadline: float) -> tuple[_Connection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock = socket.create_connection((self._host, self._port), timeout=left)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_hostname=self._host)
        return _Connection(sock), False

    def _give_back(self, conn: _Connection) -> None:
        with self._lock:
            if len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.close()

    def request(self, method: str, path: str, *, timeout: float,
                params: dict[str, str] | None = None,
                body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """(status, body bytes) of one exchange; :class:`TransportError` when none came."""
        request = self._request(method, path, params, body)
        deadline = time.monotonic() + timeout
        for _ in range(2):
            conn = None
            reused = False
            try:
                conn, reused = self._take(deadline)
                status, payload, close = conn.exchange(request, deadline)
            except _FAILURES as exc:
                _failed(exc, conn, reused)
                continue
            if close:
                conn.close()
            else:
                self._give_back(conn)
            return status, payload
        raise TransportError("the connection was closed twice")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class AsyncKeepAlivePool(_Counterpart):
    """Connections to ``base_url`` for coroutines, at most ``size`` kept idle per event loop
    (a stream belongs to the loop that opened it)."""

    def __init__(self, base_url: str, size: int = 64) -> None:
        super().__init__(base_url, size)
        self._idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                              list[_StreamConnection]] = weakref.WeakKeyDictionary()

    async def _take(self) -> tuple[_StreamConnection, bool]:
        idle = self._idle.get(asyncio.get_running_loop())
        if idle:
            return idle.pop(), True
        reader, writer = await asyncio.open_connection(
            self._host, self._port, ssl=self._tls,
            server_hostname=self._host if self._tls is not None else None)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _StreamConnection(reader, writer), False

    def _give_back(self, conn: _StreamConnection) -> None:
        idle = self._idle.setdefault(asyncio.get_running_loop(), [])
        if len(idle) < self._size:
            idle.append(conn)
        else:
            conn.close()

    async def request(self, method: str, path: str, *, timeout: float,
                      params: dict[str, str] | None = None,
                      body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """(status, body bytes) of one exchange; :class:`TransportError` when none came."""
        request = self._request(method, path, params, body)
        deadline = time.monotonic() + timeout
        for _ in range(2):
            conn = None
            reused = False
            try:
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                    conn, reused = await self._take()
                    status, payload, close = await conn.exchange(request)
            except _FAILURES as exc:
                _failed(exc, conn, reused)
                continue
            if close:
                conn.close()
            else:
                self._give_back(conn)
            return status, payload
        raise TransportError("the connection was closed twice")

    def close(self) -> None:
        for idle in list(self._idle.values()):
            for conn in idle:
                conn.close()
        self._idle.clear()
