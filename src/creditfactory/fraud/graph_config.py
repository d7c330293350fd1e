"""Link kinds and the knobs of the identity graph: hub caps, structural kinds, propagation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from creditfactory.errors import InvalidArgument

KINDS: tuple[str, ...] = (
    "phone",
    "contact",
    "device",
    "ip",
    "bank_card",
    "home_address",
    "business_address",
    "uscc",
    "business_name",
    "channel",
)
KIND_CODE = {k: i for i, k in enumerate(KINDS)}

_DEFAULT_CAPS = {
    "phone": 10,
    "contact": 10,
    "device": 10,
    "ip": 10,
    "bank_card": 10,
    "home_address": 10,
    "business_address": 10,
    "uscc": 10,
    "business_name": 10,
    "channel": 50,
}


@dataclass(frozen=True)
class GraphConfig:
    """How values link applications.

    ``caps[kind]``: an application links through a value only while fewer than this many
    earlier applications hold it; past that the value is a *hub* (a market's address, a public
    IP, an agent's own phone used for all his clients) and links nobody new. ``structural``
    kinds make edges for hops, components and propagation; the others (the referring channel
    by default: an agent brings many unrelated people) are only counted.
    """

    caps: dict[str, int] = field(default_factory=lambda: dict(_DEFAULT_CAPS))
    structural: frozenset[str] = frozenset(k for k in KINDS if k != "channel")
    alpha: float = 0.5
    n_iter: int = 10
    velocity_days: tuple[int, int] = (7, 30)

    def cap_array(self) -> np.ndarray:
        """Caps indexed by kind code."""
        unknown = set(self.caps) - set(KINDS)
        if unknown:
            raise InvalidArgument(f"unknown link kinds in caps: {sorted(unknown)}")
        if any(c < 1 for c in self.caps.values()):
            raise InvalidArgument("every hub cap must be at least 1")
        return np.array([self.caps.get(k, _DEFAULT_CAPS[k]) for k in KINDS], dtype=np.int64)

    def structural_mask(self) -> np.ndarray:
        """True for kinds whose links are edges."""
        return np.array([k in self.structural for k in KINDS], dtype=bool)
