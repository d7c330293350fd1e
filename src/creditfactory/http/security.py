"""Bearer tokens (HMAC-signed, expiring) and the login rate limiter.

Tokens carry the username, role and bank so a request is authorised without a database round
trip; they are signed with a key derived from the service secret and expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque

from creditfactory.services.ports import Actor

__all__ = ["TokenSigner", "LoginLimiter", "InvalidToken"]


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issue and check ``v1.<claims>.<mac>`` tokens."""

    def __init__(self, secret_key: str, minutes: int) -> None:
        self._key = hashlib.sha256(b"creditfactory/token/v1:" + secret_key.encode()).digest()
        self._seconds = minutes * 60

    def issue(self, actor: Actor) -> str:
        claims = {
            "sub": actor.username,
            "role": actor.role,
            "bank": actor.bank_code,
            "exp": int(time.time()) + self._seconds,
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        mac = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
        return f"v1.{body}.{mac}"

    def check(self, token: str) -> Actor:
        try:
            version, body, mac = token.split(".")
        except ValueError:
            raise InvalidToken("malformed token") from None
        expected = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
        if version != "v1" or not hmac.compare_digest(mac, expected):
            raise InvalidToken("bad signature")
        try:
            claims = json.loads(_unb64(body))
        except ValueError:
            raise InvalidToken("malformed token") from None
        if claims["exp"] < time.time():
            raise InvalidToken("token expired")
        return Actor(claims["sub"], claims["role"], claims["bank"])


class LoginLimiter:
    """At most ``attempts`` failed logins a minute per username (keys ``user:...``) and five
    times as many per client address (an office shares one address)."""

    def __init__(self, attempts: int, window_seconds: float = 60.0) -> None:
        self._attempts = attempts
        self._window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self._window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                int(q[0] + self._window - now) + 1
                for k, q in ((k, self._recent(k, now)) for k in keys)
                if len(q) >= self._attempts * (1 if k.startswith("user:") else 5)
            ]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys[:1]:
                self._failures.pop(k, None)
