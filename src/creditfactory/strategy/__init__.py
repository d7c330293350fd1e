"""The decision strategy: policy, the four engines, pricing and tiers, from a versioned file.

A strategy file (YAML) is validated (unknown fields and bad values fail with their line),
compiled once, and evaluated two ways that give identical decisions: ``decide_one`` for one
application (microseconds, with a full ``DecisionRecord``) and ``decide_frame`` for a batch.
Scores arrive through a ``ScoreProvider``; ``backtest`` measures a strategy on a world.
"""

from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.decide_frame import decide_frame
from creditfactory.strategy.decide_one import decide_one
from creditfactory.strategy.errors import (
    ReplayMismatch,
    StrategyError,
    StrategyInvalid,
    StrategyNotFound,
)
from creditfactory.strategy.fields import SCORE_COLUMNS, derive_fields
from creditfactory.strategy.loader import SHIPPED, load_strategy, parse_strategy
from creditfactory.strategy.providers import ColumnScores, NoScores, ScoreProvider
from creditfactory.strategy.record import DECISION_COLUMNS, DecisionRecord
from creditfactory.strategy.registry import ChampionChallenger, Decider, StrategyRegistry
from creditfactory.strategy.replay import replay

__all__ = [
    "DECISION_COLUMNS",
    "SCORE_COLUMNS",
    "SHIPPED",
    "ChampionChallenger",
    "ColumnScores",
    "CompiledStrategy",
    "Decider",
    "DecisionRecord",
    "NoScores",
    "ReplayMismatch",
    "ScoreProvider",
    "StrategyError",
    "StrategyInvalid",
    "StrategyNotFound",
    "StrategyRegistry",
    "decide_frame",
    "decide_one",
    "derive_fields",
    "load_strategy",
    "parse_strategy",
    "replay",
]
