"""The simulated small-business lending world, with its ground truth.

``generate`` builds a world in memory and ``write_world`` streams one to Parquet or CSV, both as
lending data (``creditfactory.data``); the ``truth`` table is for evaluation only: platform
code never reads it.
"""

from creditfactory.data import LendingData as World
from creditfactory.world.config import WorldConfig
from creditfactory.world.errors import InvalidWorldParameters, WorldError
from creditfactory.world.writer import generate, write_world

__all__ = [
    "InvalidWorldParameters",
    "World",
    "WorldConfig",
    "WorldError",
    "generate",
    "write_world",
]
