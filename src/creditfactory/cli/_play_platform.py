"""The platform's service functions as the played world reaches them (:mod:`creditfactory.
world.play`), and the play itself wired to a set-up store.

Everything goes through the services the API calls: intake, the simulated banks' answers,
the borrowers' signatures, the loan book's reads, the bank file import, a bank's prepayment
posting and the close of business. The service context's clock is a business clock the play
moves, so a case's times, its payout and its loan's dates are the world's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor

__all__ = ["BusinessClock", "ServicePlatform", "play_on_store"]


class BusinessClock:
    """The case time: set by whoever plays the world, read by every service."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ServicePlatform:
    """:class:`creditfactory.world.play.Platform` over the services of ``ctx``."""

    ctx: ServiceContext
    clock: BusinessClock
    borrowers: Any
    files: Path
    agent: Actor = Actor("am", "account_manager")
    monitoring: Path | None = None  # where each month-end's early-warning run writes (and the
    # C-card is refitted on the book)

    def _bank(self, code: str) -> Actor:
        return Actor(f"sim:{code}", "bank_system", code)

    def submit(self, application: dict[str, Any], at: datetime, key: str) -> int | None:
        from creditfactory.http.schemas.applications import ApplicationCreate
        from creditfactory.services.errors import ServiceError
        from creditfactory.services.intake import submit_application

        self.clock.now = at
        body = ApplicationCreate.model_validate(
            {**{k: application[k] for k in ApplicationCreate.model_fields if k in application},
             "bureau_consent_ref": f"WORLD-CONSENT-{key}"}).model_dump()
        try:
            code, answer, _ = submit_application(self.ctx, self.agent, body, key)
        except ServiceError:
            return None
        return int(answer["application_id"]) if code in (201, 202) else None

    def work(self, at: datetime) -> int:
        from creditfactory.services.bank_answers import simulate_bank_answers
        from creditfactory.services.contract_signing import sign_due

        self.clock.now, moved, quiet = at, 0, 0
        for _ in range(60):
            busy = simulate_bank_answers(self.ctx, limit=500) + sign_due(self.ctx,
                                                                         self.borrowers)[0]
            moved += busy
            quiet = 0 if busy else quiet + 1
            if quiet == 2:
                break
            self.clock.now += timedelta(minutes=1)
        return moved

    def booked(self, after: int) -> list[dict[str, Any]]:
        from creditfactory.services.servicing_views import booked_loans

        rows = [r for b in self.ctx.simulated_banks
                for r in booked_loans(self.ctx, self._bank(b.code), after)]
        return sorted(rows, key=lambda r: r["loan_id"])

    def statements(self, bank: str, loan_ids: Sequence[int], day: date) -> dict[int, Any]:
        from creditfactory.services.servicing_views import amounts_due

        return dict(amounts_due(self.ctx, self._bank(bank), loan_ids, day))

    def bank_file(self, bank: str, path: Path, at: datetime) -> tuple[int, int]:
        from creditfactory.services.servicing_files import import_bank_file

        report = path.with_name(path.stem + ".report.csv")
        done = import_bank_file(self.ctx.engine, path, bank, report, clock=lambda: at)
        return done.posted, done.refused

    def prepay(self, bank: str, loan_id: int, reference: str, day: date, amount_fen: int,
               at: datetime) -> None:
        from creditfactory.services.servicing_book import post_repayment

        self.clock.now = at
        post_repayment(self.ctx, self._bank(bank), loan_id, {
            "reference": reference, "kind": "prepayment", "value_date": day,
            "amount": Decimal(amount_fen).scaleb(-2)})

    def close(self, day: date, at: datetime) -> None:
        from creditfactory.services.servicing_close import close_business

        close_business(self.ctx.engine, day, clock=lambda: at)
        from creditfactory.services.collections_assign import assign_collections

        assign_collections(self.ctx.engine, day, clock=lambda: at)  # the night's collections
        if self.monitoring is not None and (day + timedelta(days=1)).day == 1:
            from creditfactory.services.monitoring_store import monitor_store

            monitor_store(self.ctx.engine, day.strftime("%Y-%m"), self.monitoring)
            self._refit_collections_models()

    def _refit_collections_models(self) -> None:
        """The month-end's C-card and reason model, refitted on the book's bucket entries once
        there are enough of them (before that the nights use the bucket rule and the declared
        beliefs)."""
        from creditfactory.services.collections_fit import (
            fit_ccard_from_book,
            fit_reasons_from_book,
        )
        from creditfactory.services.errors import InvalidInput

        for fit in (fit_ccard_from_book, fit_reasons_from_book):
            try:
                fit(self.ctx.engine, by="month-end")
            except InvalidInput:
                pass  # too few entries old enough, or one outcome only, so far


def play_on_store(ctx: ServiceContext, world_dir: Path, cfg: Any, out: Path, *,
                  bureau_latency_ms: float = 0.0,
                  progress: Callable[[int, int], None] | None = None,
                  monitoring: Path | None = None) -> Any:
    """Play ``cfg`` (a :class:`~creditfactory.world.play.PlayConfig`) of the world in
    ``world_dir`` against the store of ``ctx`` (set up, with its decisions): the world's bureau
    and registry served on loopback, its borrowers signing and repaying, bank files in
    ``out``; with ``monitoring``, each month-end's close is followed by the month's early
    warning (``monitor --db``), its files written there. The play's summary."""
    from creditfactory.data.io import read_table
    from creditfactory.services.bootstrap import with_counterparts
    from creditfactory.settings import load_settings
    from creditfactory.world.borrowers import SimulatedBorrowers
    from creditfactory.world.bureau_server import (
        BureauFaults,
        BureauServer,
        WorldRecords,
        running_bureau,
    )
    from creditfactory.world.play import PlayWorld, play

    world = _world(world_dir, read_table)
    clock = BusinessClock()
    borrowers = SimulatedBorrowers(seed=cfg.seed, clock=clock)
    bureau = BureauServer(WorldRecords(world.applications),
                          BureauFaults(latency_ms=bureau_latency_ms, seed=cfg.seed))
    with running_bureau(bureau) as served:
        url = str(ctx.engine.url.render_as_string(hide_password=False))
        wired = with_counterparts(ctx, load_settings(db_url=url, bureau_url=served.url))
        wired = replace(wired, clock=clock, borrowers=borrowers)
        platform = ServicePlatform(wired, clock, borrowers, out, monitoring=monitoring)
        assert isinstance(world, PlayWorld)
        return play(world, platform, cfg, out, progress)


def _world(world_dir: Path, read_table: Callable[..., Any]) -> Any:
    import json

    from creditfactory.world.play import PlayWorld

    meta = json.loads((world_dir / "meta.json").read_text(encoding="utf-8"))
    apps = read_table(world_dir, "applications", money="float")
    perf = read_table(world_dir, "performance", money="float", columns=["application_id", "mob"])
    return PlayWorld(apps, read_table(world_dir, "truth", money="float"), perf, meta)
