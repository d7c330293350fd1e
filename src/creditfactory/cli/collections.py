"""``creditfactory collections backtest``: treatment strategies played on a portfolio run's
delinquent borrowers in its world."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console

collections_app = typer.Typer(help="Collections: C-card, reasons of default, treatment strategies.",
                              no_args_is_help=True)
app.add_typer(collections_app, name="collections")


def _world_of(portfolio: Path, world: Path | None) -> Path:
    from creditfactory.errors import InvalidArgument

    if world is None:
        summary = portfolio / "summary.json"
        recorded = json.loads(summary.read_text("utf-8")).get("world") if summary.exists() else None
        if not recorded:
            raise InvalidArgument("--world: the portfolio run does not name its world; give the world directory")
        world = Path(recorded)
    if not (world / "meta.json").exists():
        raise InvalidArgument(f"--world: {world} has no meta.json (a world from `creditfactory simulate`)")
    return world


@collections_app.command("backtest")
def backtest(
    portfolio_dir: Annotated[Path, typer.Argument(help="A directory from `creditfactory portfolio run`.")],
    strategy: Annotated[str, typer.Option("--strategy", help="Collections strategy: shipped name or YAML file.")] = "default",
    versus: Annotated[str, typer.Option("--vs", help="The strategy to compare with.")] = "bucket_only",
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("collections"),
    world: Annotated[Path | None, typer.Option("--world", help="The run's world (its truth plays the borrowers).")] = None,
    objective: Annotated[str, typer.Option("--objective", help="C-card: logistic, divergence or lightgbm.")] = "logistic",
    perturb: Annotated[bool, typer.Option("--perturb/--no-perturb", help="Also play every perturbed world.")] = True,
    ceiling: Annotated[bool, typer.Option("--ceiling", help="Also play the strategy knowing every hidden reason.")] = False,
) -> None:
    """Play two collections strategies on the out-of-time delinquent accounts of a portfolio
    run, the world answering; write summary.json, actions.parquet and report.html."""
    from creditfactory.evaluation.collections import collections_backtest
    from creditfactory.evaluation.collections_report import write_collections

    t0 = time.perf_counter()
    world_dir = _world_of(Path(portfolio_dir), world)
    with console.status("playing the strategies..."):
        result = collections_backtest(Path(portfolio_dir), world_dir, strategy, versus, objective, perturb,
                                      ceiling=ceiling)
    s = result.summary
    label = (f"{s['episodes']['out_of_time']:,} out-of-time delinquency episodes "
             f"({s['episodes']['development']:,} before the cut train the C-card), world seed {s['world_seed']}")
    write_collections(result, Path(out), label)
    for name, m in s["strategies"].items():
        console.print(f"{name}: collected {m['collected']:,.0f}  cost {m['cost']:,.0f}  net {m['net_recovery']:,.0f} CNY  "
                      f"M1 cure {m['cure_rate_m1_30d']:.1%}  written off {m['write_off_rate']:.1%}")
    c = s["comparison"]
    console.print(f"net recovery {c['net_recovery_gain']:+.1%}  cost x{c['cost_ratio']:.2f}  "
                  f"M1 cure {c['m1_cure_gain']:+.1%}  in {time.perf_counter() - t0:.0f} s")
    console.print(f"wrote {out}/summary.json, actions.parquet, report.html")


def _date_option(text: str | None) -> Any:
    from datetime import date

    from creditfactory.errors import InvalidArgument

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument(f"--date: {text!r} is not a date YYYY-MM-DD") from exc


def assign_and_report(db: str, on: Any = None, strategy: str = "default") -> Any:
    """The business date's assignment on the store at ``db`` (the close calls it too)."""
    from creditfactory.services.collections_assign import assign_collections
    from creditfactory.store import make_engine

    engine = make_engine(db)
    try:
        return assign_collections(engine, on, strategy=strategy)
    finally:
        engine.dispose()


@collections_app.command("assign")
def assign(
    db: Annotated[str, typer.Option("--db", help="Database URL (sqlite:///file.db or postgresql://...).")],
    on: Annotated[str | None, typer.Option("--date", help="The business date (default: the store's).")] = None,
    strategy: Annotated[str, typer.Option("--strategy", help="Collections strategy: shipped name or YAML file.")] = "default",
) -> None:
    """Assign the business date's delinquent accounts to the collectors' teams (once a date:
    a second run changes nothing); `servicing close` runs it after closing."""
    s = assign_and_report(db, _date_option(on), strategy)
    if s.already:
        console.print(f"{s.business_date} was already assigned: {s.accounts:,} accounts ({s.score_source})")
        return
    teams = ", ".join(f"{k} {v:,}" for k, v in (s.by_team or {}).items())
    console.print(f"assigned {s.accounts:,} delinquent accounts for {s.business_date} in {s.seconds:.2f} s "
                  f"(score: {s.score_source}; strategy {s.strategy}; teams: {teams or 'none'}); "
                  f"promises kept {s.kept}, broken {s.broken}; episodes ended {s.cured}")


@collections_app.command("team")
def team(
    username: Annotated[str, typer.Argument(help="A collector's user name.")],
    name: Annotated[str, typer.Argument(help="The team: phone, field, workout, legal or agency.")],
    db: Annotated[str, typer.Option("--db", help="Database URL.")],
) -> None:
    """Put a collector in a team; the next night's assignment deals them its accounts."""
    from creditfactory.services.bootstrap import store_context
    from creditfactory.services.collections_work import set_team
    from creditfactory.services.ports import Actor
    from creditfactory.settings import load_settings

    ctx = store_context(load_settings(db_url=db))
    try:
        set_team(ctx, Actor("cli", "system"), username, name)
    finally:
        ctx.engine.dispose()
    console.print(f"{username} works in the {name} team from the next assignment")


@collections_app.command("card")
def card(
    model_file: Annotated[Path, typer.Argument(help="A fitted C-card's JSON model file.")],
    db: Annotated[str, typer.Option("--db", help="Database URL.")],
) -> None:
    """Keep a fitted C-card in the model registry: the nightly assignment scores with it."""
    from creditfactory.models.ccard import CollectionScorecard
    from creditfactory.services.collections_assign import store_ccard
    from creditfactory.store import UnitOfWork, make_engine

    fitted = CollectionScorecard.from_dict(json.loads(model_file.read_text("utf-8")))
    engine = make_engine(db)
    try:
        with UnitOfWork(engine) as uow:
            digest = store_ccard(uow, fitted, "cli")
            uow.commit()
    finally:
        engine.dispose()
    console.print(f"C-card {fitted.version_} kept ({digest[:12]}); the next assignment scores with it")


@collections_app.command("fit")
def fit(
    db: Annotated[str, typer.Option("--db", help="Database URL.")],
    objective: Annotated[str, typer.Option("--objective", help="C-card: logistic, divergence or lightgbm.")] = "logistic",
) -> None:
    """Fit the C-card on the store's own bucket entries matured 30 days (judged out of time on
    the latest 30 %), and the reason model on those 90 days old, and keep them in the model
    registry: the next assignment scores and infers with them."""
    from creditfactory.services.collections_fit import fit_ccard_from_book, fit_reasons_from_book
    from creditfactory.services.errors import InvalidInput
    from creditfactory.store import make_engine

    engine = make_engine(db)
    try:
        s = fit_ccard_from_book(engine, objective, by="cli")
        try:
            r = fit_reasons_from_book(engine, by="cli")
        except InvalidInput as exc:
            r, why = None, exc
    finally:
        engine.dispose()
    oot = f"{s.out_of_time_auc:.3f}" if s.out_of_time_auc is not None else s.note
    console.print(f"C-card {s.objective} fitted on {s.rows:,} matured bucket entries to {s.business_date} "
                  f"(cure rate {s.cure_rate:.1%}); out-of-time AUC on the latest {s.out_of_time_rows:,}: {oot}")
    console.print(f"kept as {s.version} ({s.digest[:12]}); the next assignment scores with {s.score_source}")
    if r is None:
        console.print(f"reason model not fitted ({why}); the nights keep the declared beliefs")
    else:
        shares = ", ".join(f"{k} {v:.0%}" for k, v in r.shares_at_entry.items())
        console.print(f"reason model learnt on {r.rows:,} entries 90 days old ({r.digest[:12]}); "
                      f"an account just past due, nothing yet seen: {shares}")


COLLECTOR = "collector"
"""The demo's collector (``cli/_demo_accounts.py``)."""


def demo_queue(ctx: Any) -> str:
    """Put the demo's collector in the team with the most accounts on the last night (the
    strategy decides which treatments a book needs); a line saying what their queue holds."""
    from datetime import date

    from creditfactory.services.collections_work import TEAM_NAMES, queue_view, set_team
    from creditfactory.services.ports import Actor
    from creditfactory.store import UnitOfWork

    overseer = Actor("demo", "risk_analyst")
    counts = {name: queue_view(ctx, overseer, name, 0, 1)["count"] for name in TEAM_NAMES}
    busiest = max(TEAM_NAMES, key=lambda name: (counts[name], name == "phone"))
    set_team(ctx, Actor("demo", "system"), COLLECTOR, busiest)
    mine = queue_view(ctx, Actor(COLLECTOR, "collector"))
    with UnitOfWork(ctx.engine, write=False) as uow:
        run = uow.collections.run(date.fromisoformat(mine["business_date"])) if mine["business_date"] else None
    source = str(run["score_source"]) if run is not None else ""
    scored = ("" if not source else ", scored by the bucket rule (no C-card kept yet)" if source == "bucket_rule"
              else f", scored by the C-card {source.rsplit(':', 1)[-1]} the month-end fitted on the book")
    return (f"the collector's queue ({busiest} team) holds {mine['count']:,} accounts "
            f"assigned for {mine['business_date']}{scored}")
