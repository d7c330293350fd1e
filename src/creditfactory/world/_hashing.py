"""Counter-based randomness: attributes that are pure functions of an integer key.

A person's resident ID, name and phone must be the same wherever that person reappears (a
repeat customer, a stolen identity) without keeping a table of every person in memory while
the world is written chunk by chunk. SplitMix64 turns (key, salt) into well-mixed 64 bits.
"""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix64(keys: np.ndarray, salt: int) -> np.ndarray:
    """SplitMix64 finaliser of ``keys * golden + salt``: uint64, uniform, deterministic."""
    with np.errstate(over="ignore"):
        z = keys.astype(np.uint64) * _GOLDEN + np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def uniform(keys: np.ndarray, salt: int) -> np.ndarray:
    """Floats in [0, 1) derived from ``keys``."""
    return (mix64(keys, salt) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def integers(keys: np.ndarray, salt: int, high: int) -> np.ndarray:
    """Integers in [0, high) derived from ``keys``."""
    return (mix64(keys, salt) % np.uint64(high)).astype(np.int64)
