"""The simulated small-business lending world, with its ground truth.

``generate`` builds a world in memory; ``write_world`` streams one to Parquet or CSV;
``load`` reads it back. The ``truth`` table is for evaluation only: platform code never reads
it.
"""

from creditfactory.world.config import WorldConfig
from creditfactory.world.errors import InvalidWorldParameters, WorldError, WorldNotFound
from creditfactory.world.io import World, load, read_table
from creditfactory.world.writer import generate, write_world

__all__ = [
    "InvalidWorldParameters",
    "World",
    "WorldConfig",
    "WorldError",
    "WorldNotFound",
    "generate",
    "load",
    "read_table",
    "write_world",
]
