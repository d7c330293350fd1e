"""A small pool of kept-alive HTTP/1.1 connections to one counterpart, on bare sockets.

A submission calls two counterparts in its request path, so the client's own CPU counts:
httpx was measured at 1.5 ms of CPU per call, the standard library's ``http.client`` at
0.2-0.35 ms (most of it parsing the answer's headers through the ``email`` package); this
client writes the request in one piece and reads only what it needs of the answer (status,
``Content-Length`` or chunked body, ``Connection``). The pool is shared by the server's
threads: a connection is taken out for one exchange and put back after it. A kept-alive
connection the counterpart closed meanwhile is replaced once, without counting as an attempt.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["KeepAlivePool", "TransportError", "TransportTimeout"]

_MAX_HEAD = 64 * 1024  # an answer's status line and headers, at most


class TransportError(Exception):
    """The exchange failed before an answer came (connection refused, reset, closed)."""


class TransportTimeout(TransportError):
    """No answer within the time allowed."""


class _Closed(TransportError):
    """The connection ended before a whole answer came."""

    def __init__(self, started: bool) -> None:
        super().__init__("the connection was closed")
        self.started = started  # some of the answer had come


class _Connection:
    """One connection and what it has read past the last answer."""

    __slots__ = ("sock", "_buffer")

    def __init__(self, sock: socket.socket) -> None:
        self.sock: socket.socket | None = sock
        self._buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes, deadline: float) -> tuple[int, bytes, bool]:
        """Send ``request``; (status, body, whether the counterpart closes the connection)."""
        assert self.sock is not None
        self._timeout(deadline)
        self.sock.sendall(request)
        self._buffer = b""
        head = self._read_head(deadline)
        status_line, _, rest = head.partition(b"\r\n")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            raise TransportError("not an HTTP answer")
        status = int(parts[1])
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
        if chunked:
            body = self._read_chunked(deadline)
        elif length is not None:
            body = self._read_exactly(length, deadline)
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # delimited by the end of the connection
            body, close = self._read_to_end(deadline), True
        return status, body, close

    def _timeout(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        assert self.sock is not None
        self.sock.settimeout(left)

    def _fill(self, deadline: float, started: bool) -> None:
        self._timeout(deadline)
        assert self.sock is not None
        data = self.sock.recv(65536)
        if not data:
            raise _Closed(started or bool(self._buffer))
        self._buffer += data

    def _read_head(self, deadline: float) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head, self._buffer = self._buffer[:end], self._buffer[end + 4:]
                return head
            if len(self._buffer) > _MAX_HEAD:
                raise TransportError("the answer's headers are too long")
            self._fill(deadline, False)

    def _read_exactly(self, n: int, deadline: float) -> bytes:
        while len(self._buffer) < n:
            self._fill(deadline, True)
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _read_line(self, deadline: float) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            self._fill(deadline, True)
        line, self._buffer = self._buffer[:end], self._buffer[end + 2:]
        return line

    def _read_chunked(self, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self._read_line(deadline).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self._read_line(deadline):  # trailers, up to the empty line
                    pass
                return b"".join(chunks)
            chunks.append(self._read_exactly(size, deadline))
            self._read_exactly(2, deadline)  # the CRLF after each chunk

    def _read_to_end(self, deadline: float) -> bytes:
        try:
            while True:
                self._fill(deadline, True)
        except _Closed:
            data, self._buffer = self._buffer, b""
            return data


class KeepAlivePool:
    """Connections to ``base_url`` (``http://`` or ``https://``), at most ``size`` kept idle."""

    def __init__(self, base_url: str, size: int = 64) -> None:
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
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._size = size

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

    def _request(self, method: str, target: str, data: bytes | None) -> bytes:
        head = (f"{method} {target} HTTP/1.1\r\nHost: {self._host_header}\r\n"
                "Accept: application/json\r\n")
        if data is None:
            return (head + "\r\n").encode()
        return (head + f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                ).encode() + data

    def request(self, method: str, path: str, *, timeout: float,
                params: dict[str, str] | None = None,
                body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """(status, body bytes) of one exchange; :class:`TransportError` when none came."""
        target = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        data = None if body is None else json.dumps(body).encode()
        request = self._request(method, target, data)
        deadline = time.monotonic() + timeout
        for _ in range(2):
            conn = None
            reused = False
            try:
                conn, reused = self._take(deadline)
                status, payload, close = conn.exchange(request, deadline)
            except TimeoutError as exc:  # socket.timeout is TimeoutError
                if conn is not None:
                    conn.close()
                raise TransportTimeout("timed out") from exc
            except (OSError, ValueError, TransportError) as exc:
                if conn is not None:
                    conn.close()
                if reused and not (isinstance(exc, _Closed) and exc.started) \
                        and isinstance(exc, OSError | _Closed):
                    continue  # the counterpart closed an idle connection: once more, fresh
                if isinstance(exc, TransportError):
                    raise
                raise TransportError(type(exc).__name__) from exc
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
