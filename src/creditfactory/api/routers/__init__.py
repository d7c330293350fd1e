"""One router per resource, collected in :data:`api_router`."""

from fastapi import APIRouter

from creditfactory.api.routers import (
    alerts,
    applications,
    auth,
    banks,
    blacklists,
    cases,
    channels,
    collections,
    contracts,
    health,
    loans,
    stations,
    users,
)

api_router = APIRouter(prefix="/api/v1")
for _module in (auth, applications, stations, cases, banks, contracts, channels, users, health,
                blacklists, loans, alerts, collections):
    api_router.include_router(_module.router)
