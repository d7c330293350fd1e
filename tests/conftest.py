"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from creditfactory.world import World, generate


@pytest.fixture(scope="session")
def small_world() -> World:
    """A 6,000-application world (seed 11): quick, yet with rings, packagers and a downturn."""
    return generate(6_000, 36, seed=11, chunk_size=2_500)
