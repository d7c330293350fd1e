"""Early-warning alerts: the monthly monitoring's amber and red lights, for the overseers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import KEY
from creditfactory.services.monitoring_store import list_alerts

router = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertPublic(BaseModel):
    """One light: the group it lit for, the metric against its bound, who acts and how."""

    month: str
    dimension: str
    value: str
    metric: str
    level: str
    action: str
    owner: str
    rule: str
    observed: float
    bound: float | None
    volume: int


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int


@router.get("", response_model=AlertsPublic, responses={403: {}, 422: {}})
def alerts(
    ctx: CtxDep,
    user: CurrentUser,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    level: Annotated[str | None, Query(pattern="^(amber|red)$")] = None,
    dimension: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, object]:
    """The stored alerts that match, latest month and red first."""
    data, count = list_alerts(ctx, user, month, level, dimension, offset, limit)
    return {"data": data, "count": count}
