"""The application the server runs: the API (``/api/v1``) and the staff pages (``/ui``) on one
FastAPI app; ``create_app`` wires settings, the store and the decision port.

The two entry points do not import each other: this module composes them, with the token
signer and the login limiter they share.

Partner banks answer through the API with their own accounts. Only when asked
(``settings.simulate_banks``: ``serve --simulate-banks``, the demo) does a background thread let
the simulated banks answer when their delay has passed; it reads its work from the store, so
after a restart it carries on where the last run stopped, and with several worker processes
only the one holding the simulator's lock runs it. Production refuses to simulate: a simulated
bank approves packages at random, and the factory pays out on its word.

Another background thread retries the cases held for data the credit bureau or the business
registry did not give (``services/fetch_retry.py``), backing off while they keep failing; one
process per database runs it, under its own lock.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from creditfactory.api import api_router, install_error_handlers
from creditfactory.errors import InvalidArgument
from creditfactory.http.security import LoginLimiter, TokenSigner
from creditfactory.services.bank_answers import simulate_bank_answers
from creditfactory.services.bootstrap import bootstrap
from creditfactory.services.context import ServiceContext
from creditfactory.services.fetch_retry import RetryBackoff, retry_held_fetches
from creditfactory.settings import Settings
from creditfactory.store.leadership import Leadership
from creditfactory.web.router import router as web_router

log = logging.getLogger(__name__)

__all__ = ["check_counterparts", "check_simulated_banks", "create_app"]


def check_simulated_banks(settings: Settings) -> None:
    """Refuse simulated partner banks in production (they approve at random and pay out)."""
    if settings.simulate_banks and settings.env == "production":
        raise InvalidArgument(
            "simulate_banks (CREDITFACTORY_SIMULATE_BANKS, serve --simulate-banks) is refused "
            "with CREDITFACTORY_ENV=production: simulated banks approve packages at random and "
            "the factory pays out; real banks answer through the API"
        )


def _bank_loop(ctx: ServiceContext, stop: threading.Event, every: float) -> None:
    banks = ",".join(sorted(b.code for b in ctx.simulated_banks))
    lead = Leadership(ctx.engine, f"bank-simulator-{hashlib.sha256(banks.encode()).hexdigest()[:12]}")
    try:
        while not stop.wait(every):
            try:
                if not lead.try_lead():
                    continue
                while simulate_bank_answers(ctx) and not stop.is_set():
                    pass
            except Exception:  # the simulator must never take the server down
                log.exception("simulated bank adapter failed; retrying")
    finally:
        lead.release()


def check_counterparts(settings: Settings) -> None:
    """Refuse to serve in production with no credit bureau: every submission would wait."""
    if settings.env == "production" and not settings.bureau_url:
        raise InvalidArgument(
            "set CREDITFACTORY_BUREAU_URL in production: the platform pulls every applicant's "
            "credit report itself, and without a bureau no submission can be decided"
        )


def _fetch_retry_loop(ctx: ServiceContext, stop: threading.Event, backoff: RetryBackoff) -> None:
    lead = Leadership(ctx.engine, "data-fetch-retry")
    pause = backoff.base
    try:
        while not stop.wait(pause):
            try:
                pause = backoff.base
                if lead.try_lead():
                    pause = backoff.after(retry_held_fetches(ctx))
            except Exception:  # a failing round must never take the server down
                log.exception("retrying held data fetches failed; retrying")
    finally:
        lead.release()


def create_app(settings: Settings | None = None, ctx: ServiceContext | None = None) -> FastAPI:
    """Build the API and the pages; ``ctx`` lets tests inject a context with a fake decision
    port."""
    settings = settings or Settings()
    check_simulated_banks(settings)
    check_counterparts(settings)
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "ctx"):
            app.state.ctx = bootstrap(settings)
        worker = None
        if settings.simulate_banks:
            worker = threading.Thread(
                target=_bank_loop,
                args=(app.state.ctx, stop, 0.25),
                name="bank-simulator",
                daemon=True,
            )
            worker.start()
        retry = threading.Thread(target=_fetch_retry_loop,
                                 args=(app.state.ctx, stop, RetryBackoff()),
                                 name="data-fetch-retry", daemon=True)
        retry.start()
        yield
        stop.set()
        if worker is not None:
            worker.join(timeout=5)
        retry.join(timeout=5)
        app.state.ctx.engine.dispose()

    app = FastAPI(
        title="Credit Factory",
        version="1",
        description="The credit factory as a service: applications, stations, banks, audit.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        lifespan=lifespan,
    )
    if ctx is not None:
        app.state.ctx = ctx
    app.state.signer = TokenSigner(settings.token_secrets, settings.token_minutes)
    app.state.limiter = LoginLimiter(settings.login_attempts_per_minute)
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(web_router)
    return app
