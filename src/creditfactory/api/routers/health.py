"""``GET /health``: the server is up and answering, and how many scorings failed here."""

from __future__ import annotations

from fastapi import APIRouter

from creditfactory.services.decision_pipeline import scoring_failures

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, object]:
    """``scoring_failures``: applications a model failed to score since this process
    started, by model (each was refused with 503, none decided)."""
    return {"status": "ok", "scoring_failures": scoring_failures()}
