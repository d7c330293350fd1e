"""A model failure is logged without personal data, counted, and refused as ScoringFailed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import create_engine

from creditfactory.fraud.live import Assessment
from creditfactory.models.errors import ScoringFailed as ModelScoringFailed
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_pipeline import decide, model_scores, scoring_failures
from creditfactory.services.errors import DecisionUnavailable, ScoringFailed
from creditfactory.store import PersonalDataVault

APP = {"application_id": 0, "channel_id": "AG0001", "phone": "13912345678",
       "resident_id": "110101199001011234"}


class BrokenModels:
    def versions(self) -> dict[str, str]:
        return {"a_card": "broken"}

    def score_record(self, app: Mapping[str, Any], fraud: Assessment | None = None) -> dict[str, Any]:
        try:
            raise KeyError(app["phone"])
        except KeyError as exc:
            raise ModelScoringFailed("a_card", type(exc).__name__) from exc


class NeverDecides:
    version = "never@1"

    def decide(self, application: Mapping[str, Any], scores: Mapping[str, Any]) -> Any:
        raise AssertionError("no decision may be made without scores")


def _context() -> ServiceContext:
    return ServiceContext(create_engine("sqlite://"), PersonalDataVault("k" * 40),
                          strategy=NeverDecides(), models=BrokenModels())


def test_a_model_failure_is_refused_counted_and_logged_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = scoring_failures().get("a_card", 0)
    with caplog.at_level(logging.ERROR, logger="creditfactory.services.decision_pipeline"):
        with pytest.raises(ScoringFailed) as info:
            decide(_context(), APP)
    assert isinstance(info.value, DecisionUnavailable)  # the API answers 503
    assert isinstance(info.value.__cause__, ModelScoringFailed)
    assert scoring_failures()["a_card"] == before + 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "model=a_card" in logged and "cause=KeyError" in logged
    for value in APP.values():
        if isinstance(value, str):
            assert value not in logged and value not in str(info.value)


def test_each_failure_counts_once() -> None:
    before = scoring_failures().get("a_card", 0)
    for _ in range(3):
        with pytest.raises(ScoringFailed):
            model_scores(_context(), APP, None)
    assert scoring_failures()["a_card"] == before + 3
