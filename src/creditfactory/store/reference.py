"""Reference rows that only `creditfactory setup` changes (the partner banks).

A submission reads them every time, so each engine keeps them for a short while instead of
asking the database again. Anything that changes while the service runs (a channel's status,
a bank's quota used) is never taken from here.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

__all__ = ["ReferenceCache", "reference_cache"]

T = TypeVar("T")
_CACHES: weakref.WeakKeyDictionary[Engine, ReferenceCache] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


class ReferenceCache:
    """Values by key, each loaded at most once per ``ttl`` seconds."""

    def __init__(self, ttl: float = 30.0) -> None:
        self._ttl = ttl
        self._values: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, load: Callable[[], T]) -> T:
        """The value under ``key``, loading it when absent or older than the time to live."""
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]  # type: ignore[no-any-return]
        value = load()
        self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        """Forget everything (the next read goes to the database)."""
        self._values.clear()


def reference_cache(engine: Engine) -> ReferenceCache:
    """The cache shared by every unit of work on ``engine``."""
    with _GUARD:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = ReferenceCache()
        return cache
