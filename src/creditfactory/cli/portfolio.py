"""``creditfactory portfolio run``: a strategy's book played through a world's borrowers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console

portfolio_app = typer.Typer(help="Portfolio: a strategy's loans booked, repaid and classified.",
                            no_args_is_help=True)
app.add_typer(portfolio_app, name="portfolio")


@portfolio_app.command("run")
def run(
    world_dir: Annotated[Path, typer.Argument(help="A world from `creditfactory simulate` (its truth plays the borrowers).")],
    strategy: Annotated[str, typer.Option("--strategy", help="Shipped strategy name or YAML file.")] = "default",
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("portfolio"),
    train_months: Annotated[int, typer.Option("--train-months", help="Months of applications the models learn from.")] = 12,
    method: Annotated[str, typer.Option("--method", help="Repayment method of every loan: equal_instalment, equal_principal or interest_first.")] = "equal_instalment",
    db: Annotated[str | None, typer.Option("--db", help="Also play a sample of the loans on this store (its servicing book empty) and check its month-end states against the run's.")] = None,
    sample: Annotated[int, typer.Option("--sample", min=1, help="Loans of the sample played on the store (--db).")] = 200,
    through: Annotated[str | None, typer.Option("--through", help="Last day the store plays, YYYY-MM-DD (default: the sample's last payment's month end).")] = None,
) -> None:
    """Decide the out-of-time applications as `backtest` does, book the approved ones at their
    terms, let the world's borrowers repay them through the servicing book, and write loans,
    schedules, transactions, monthly rows, summary.json and report.html. With --db, a sample
    of the loans is booked on that store, repaid through its bank files and postings and
    closed day by day by its close of business; store_check.json says whether its month-end
    states equal the run's (exit 1 when they do not)."""
    from datetime import date

    from creditfactory.data import load
    from creditfactory.errors import InvalidArgument
    from creditfactory.evaluation.portfolio import (
        WORLD_COLUMNS,
        as_if_last_months,
        book_approved,
        play_portfolio,
        portfolio_signals,
        write_signals,
    )
    from creditfactory.evaluation.portfolio_report import write_portfolio
    from creditfactory.servicing import METHODS
    from creditfactory.strategy import NoScores, ScoreProvider, load_strategy
    from creditfactory.strategy.backtest_run import backtest_strategies, uses_scores

    last_day = None
    if through is not None:
        try:
            last_day = date.fromisoformat(through)
        except ValueError as exc:
            raise InvalidArgument(f"--through must be a date YYYY-MM-DD, got {through!r}") from exc
    if method not in METHODS:
        raise InvalidArgument(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    meta_path = Path(world_dir) / "meta.json"
    if not meta_path.exists():
        raise InvalidArgument(f"world_dir: {world_dir} has no meta.json (a world from `creditfactory simulate`)")
    t0 = time.perf_counter()
    compiled = load_strategy(strategy)
    data = load(world_dir, money="float", columns=WORLD_COLUMNS)
    if data.truth is None:
        raise InvalidArgument(f"world_dir: {world_dir} has no truth table: only a simulated world can repay")
    provider: ScoreProvider = NoScores()
    if uses_scores([compiled]):
        from creditfactory.models import train_lending_models
        from creditfactory.settings import load_settings

        with console.status("training models..."):
            provider = train_lending_models(data, key=load_settings().identity_key, train_months=train_months)
    with console.status("deciding..."):
        decided = backtest_strategies(data, [compiled], provider, train_months=train_months)
    decisions = decided.results[0].decisions
    loans, apps = book_approved(data.applications, decisions, method)
    last_mob = as_if_last_months(data.performance, apps["application_id"].to_numpy())
    truth = data.truth
    approved = int((decisions["decision"] == "approve").sum())
    as_if, n_decided = decided.results[0].summary, len(decisions)
    del data, decided, decisions  # the tables are not needed while the loans are played
    with console.status(f"playing {len(loans):,} loans..."):
        played = play_portfolio(loans, apps, truth, last_mob, json.loads(meta_path.read_text("utf-8")))
    label = (f"{n_decided:,} out-of-time applications decided, {approved:,} approved, {len(loans):,} booked "
             f"(the rest no partner bank's policy takes), {method}")
    extra = {"applications_decided": n_decided, "approved": approved,
             "as_if_booked": {"npl_rate": as_if["npl_rate"], "loss_rate": as_if["loss_rate"],
                              "note": "the back-test's figures: the world's as-if-booked lives at the "
                                      "asked terms, scaled by limit / amount"}}
    summary = write_portfolio(loans, played, compiled.name, out, label, extra)
    with console.status("publishing the borrowers' monthly signals..."):  # the world's post-loan signals
        write_signals(*portfolio_signals(loans, apps, truth, last_mob,
                                         json.loads(meta_path.read_text("utf-8")), played), out)
    console.print(f"{compiled.name}: {label}")
    console.print(f"booked {summary['booked_principal']:,.0f} CNY  cumulative NPL {summary['cumulative_npl_rate']:.2%} "
                  f"(seed 2.37%)  net loss {summary['net_loss_rate']:.2%} (seed 0.60%)  "
                  f"[as-if-booked back-test: NPL {as_if['npl_rate']:.2%}, loss {as_if['loss_rate']:.2%}]  "
                  f"in {time.perf_counter() - t0:.0f} s")
    console.print(f"wrote {out}/loans.parquet, schedules.parquet, transactions.parquet, monthly.parquet, "
                  "signals.parquet, industry_index.parquet, summary.json, report.html")
    if db is not None:
        _check_on_store(db, loans, apps, played, sample, json.loads(meta_path.read_text("utf-8")), out, last_day)


def _check_on_store(db: str, loans: Any, apps: Any, played: Any, sample: int, meta: dict[str, Any],
                    out: Path, through: Any) -> None:
    from creditfactory.evaluation.portfolio_store import check_on_store
    from creditfactory.settings import load_settings

    settings = load_settings(db_url=db)
    with console.status("playing the sample on the store...") as status:
        check = check_on_store(settings.db_url, settings.secret_key, loans, apps, played.transactions,
                               played.monthly, sample, int(meta["seed"]), out, through,
                               lambda day: status.update(f"playing the sample on the store: {day}"))
    console.print(f"store: {check['loans']} loans closed through {check['business_date']}, "
                  f"{check['month_end_rows']:,} month-end rows: {check['differences']} differ from the run's "
                  f"(wrote {out}/store_monthly.parquet, store_check.json)")
    if check["differences"]:
        raise typer.Exit(1)
