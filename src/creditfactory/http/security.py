"""Bearer tokens and the login rate limiter.

A token is a JWT (PyJWT, HS256) naming the key that signed it (``kid``) and the session it
belongs to (``jti``). A request is admitted only if the signature checks out under a known key
*and* the session is live in the store (one primary-key read, no cache): logging out, a user's
deactivation or role change ends the session at once in every server process, and a token
that merely has a valid signature (or a key that leaked) is not enough on its own.

The key ring comes from settings: the first key signs new tokens, the others only verify, so a
key is rotated by putting a new one first and keeping the old one until its tokens expire.
Each key is derived (HKDF, its own label) from its secret, so even the key derived from the
service secret is independent of the personal-data vault's keys.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.sessions import end_session, open_session, session_actor

__all__ = ["TokenSigner", "TokenClaims", "LoginLimiter", "InvalidToken"]

_ALGORITHM = "HS256"
_ISSUER = "creditfactory"
_REQUIRED = ["exp", "iat", "jti", "sub", "iss"]
_VERIFIED_KEPT = 4096  # tokens whose signature was checked, remembered per process


class InvalidToken(Exception):
    """The token is malformed, forged, expired, or its session has ended."""


def _derive(secret: str, key_id: str) -> bytes:
    label = b"creditfactory/token/v2:" + key_id.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says: its session, user and the key that signed it."""

    session_id: str
    username: str
    role: str
    bank_code: str | None
    key_id: str


class TokenSigner:
    """Issue, check and revoke session tokens signed with a key ring.

    ``keys`` are (key id, secret) pairs, the signing key first (``Settings.token_secrets``).
    """

    def __init__(self, keys: Sequence[tuple[str, str]], minutes: int) -> None:
        if not keys:
            raise ValueError("a token signer needs at least one key")
        self._keys = {kid: _derive(secret, kid) for kid, secret in keys}
        self._current = keys[0][0]
        self._minutes = minutes
        # a token's signature checked once: the same string always carries the same claims
        # (its expiry is still checked on every use, and its session read from the store)
        self._verified: dict[str, tuple[TokenClaims, int]] = {}

    @property
    def key_id(self) -> str:
        """The id of the key new tokens are signed with."""
        return self._current

    def sign(self, actor: Actor, session_id: str, issued_at: datetime, expires_at: datetime) -> str:
        """The token for session ``session_id`` of ``actor`` (no store involved)."""
        claims = {
            "iss": _ISSUER,
            "sub": actor.username,
            "role": actor.role,
            "bank": actor.bank_code,
            "jti": session_id,
            "iat": int(issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
        return jwt.encode(
            claims, self._keys[self._current], algorithm=_ALGORITHM, headers={"kid": self._current}
        )

    def verify(self, token: str) -> TokenClaims:
        """The claims of a token signed by a key of the ring and not expired (the session is
        not looked at: see :meth:`check`)."""
        known = self._verified.get(token)
        if known is not None:
            if known[1] <= time.time():
                raise InvalidToken("token expired")
            return known[0]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            if not isinstance(kid, str) or kid not in self._keys:
                raise InvalidToken("token signed with an unknown key")
            claims = jwt.decode(
                token,
                self._keys[kid],
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token expired") from None
        except jwt.PyJWTError:
            raise InvalidToken("malformed or forged token") from None
        sub, jti, role, bank = (claims.get(k) for k in ("sub", "jti", "role", "bank"))
        if not (isinstance(sub, str) and isinstance(jti, str) and isinstance(role, str)):
            raise InvalidToken("malformed token")
        verified = TokenClaims(jti, sub, role, bank if isinstance(bank, str) else None, kid)
        if len(self._verified) >= _VERIFIED_KEPT:
            self._verified.clear()
        self._verified[token] = (verified, int(claims["exp"]))
        return verified

    def issue(self, ctx: ServiceContext, actor: Actor) -> str:
        """Open a session for ``actor`` (already authenticated) and return its token."""
        grant = open_session(ctx, actor, key_id=self._current, minutes=self._minutes)
        return self.sign(actor, grant.id, grant.issued_at, grant.expires_at)

    def check(self, ctx: ServiceContext, token: str) -> Actor:
        """The actor of a valid token whose session is live; :class:`InvalidToken` if not."""
        claims = self.verify(token)
        actor = session_actor(ctx, claims.session_id, claims.username)
        if actor is None:
            raise InvalidToken("session ended; sign in again")
        return actor

    def revoke(self, ctx: ServiceContext, token: str) -> None:
        """End the session of ``token`` (idempotent once the token itself is valid)."""
        claims = self.verify(token)
        end_session(ctx, claims.session_id, claims.username)


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
