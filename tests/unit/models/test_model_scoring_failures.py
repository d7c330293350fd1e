"""A model that fails on an application raises a named error; only a missing card input is
scored as missing (the strategy routes that)."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from creditfactory.models.errors import ScoringFailed
from creditfactory.scorecard.errors import FeatureMissing
from creditfactory.settings import DEV_SECRET_KEY

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def world_and_models() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(1500, months=16, seed=3)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


class _Scorer:
    def __init__(self, error: Exception | None = None, points: float = 600.0) -> None:
        self.error, self.points = error, points

    def score_record(self, rec: Any) -> float:
        if self.error is not None:
            raise self.error
        return self.points

    def pd_record(self, rec: Any) -> float:
        return self.score_record(rec) / 1e5


class _Card:
    def __init__(self, scorer: _Scorer) -> None:
        self.scorer_ = scorer


def _with(models: Any, **parts: Any) -> Any:
    out = copy.copy(models)
    for name, value in parts.items():
        setattr(out, name, value)
    return out


def _app(world: Any) -> dict[str, Any]:
    return {**world.applications.iloc[3].to_dict(), "application_id": 0}


def test_a_sound_application_gets_every_score(world_and_models: tuple[Any, Any]) -> None:
    world, models = world_and_models
    scores = models.score_record(_app(world))
    assert math.isfinite(scores["a_score"]) and 0 < scores["a_pd"] < 1
    assert math.isfinite(scores["challenger_pd"])


def test_a_missing_card_input_is_a_missing_score_not_an_error(world_and_models: tuple[Any, Any]) -> None:
    world, models = world_and_models
    missing = _with(models, card=_Card(_Scorer(FeatureMissing("feature 'age' is missing"))))
    scores = missing.score_record(_app(world))
    assert scores["a_score"] is None and scores["a_pd"] is None
    assert math.isfinite(scores["challenger_pd"])


@pytest.mark.parametrize("error", [ZeroDivisionError("x"), KeyError("13800000000"), TypeError("bad")])
def test_any_other_card_failure_raises_scoring_failed_naming_the_card(
    world_and_models: tuple[Any, Any], error: Exception
) -> None:
    world, models = world_and_models
    broken = _with(models, card=_Card(_Scorer(error)))
    with pytest.raises(ScoringFailed) as info:
        broken.score_record(_app(world))
    assert info.value.model == "a_card" and info.value.cause == type(error).__name__
    assert info.value.__cause__ is error
    assert "13800000000" not in str(info.value)


def test_a_score_that_is_not_a_number_is_a_failure(world_and_models: tuple[Any, Any]) -> None:
    world, models = world_and_models
    with pytest.raises(ScoringFailed) as info:
        _with(models, card=_Card(_Scorer(points=float("nan")))).score_record(_app(world))
    assert info.value.model == "a_card"


def test_a_failing_challenger_is_named(world_and_models: tuple[Any, Any]) -> None:
    world, models = world_and_models

    def boom(row: Any) -> float:
        raise IndexError("tree")

    with pytest.raises(ScoringFailed) as info:
        _with(models, _challenger=boom).score_record(_app(world))
    assert info.value.model == "challenger" and info.value.cause == "IndexError"
