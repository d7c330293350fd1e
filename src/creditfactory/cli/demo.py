"""``creditfactory demo``: the main job on the embedded default, end to end.

Simulate a world, train the models on its first year, decide the later applications with the
data-driven ``default`` strategy and with the traditional ``policy_only`` one, compare them,
and write a report; then set up a SQLite factory and play a year of new people against it in
simulated time (``world play``), so its book has months of history for the pages.

The play lasts 30 months of 40 new applicants by default: the store's B-card and industry
outlook start once 24 month-ends are recorded (the B-card learns on 18 months whose six-month
windows have closed), so the last seven months of the warning page show both, and the A-card's
performance against matured 12-month outcomes. After the play the book's challenger A-card is
refitted and judged by the promotion rule, its decision recorded.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, progress_bar, table
from creditfactory.cli.simulate import calibration_rows, calibration_table

TIERS = ("auto_approve", "remote_verification", "field_investigation", "reject")


def _pct(v: float) -> str:
    return f"{v:.2%}"


def _markdown(columns: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


def _comparison_rows(summary: dict[str, dict]) -> list[list[Any]]:
    names = list(summary)
    figures: list[tuple[str, Any]] = [
        ("applications decided", lambda s: f"{s['applications']:,}"),
        ("approval rate", lambda s: _pct(s["approval_rate"])),
        *[(f"tier: {t}", lambda s, t=t: _pct(s["tier_mix"].get(t, 0.0))) for t in TIERS],
        ("cumulative NPL (booked)", lambda s: _pct(s["npl_rate"])),
        ("net loss rate", lambda s: _pct(s["loss_rate"])),
        ("profit (CNY)", lambda s: f"{s['profit']:,.0f}"),
    ]
    if all("fraud_caught" in s for s in summary.values()):  # a world's truth tells fraud apart
        figures.append(("fraud kept out", lambda s: _pct(s["fraud_caught"])))
    return [[label, *(fn(summary[n]) for n in names)] for label, fn in figures]


def _versus_rows(c: dict[str, Any]) -> list[list[Any]]:
    """Where default stands at policy_only's approval rate and at its NPL."""
    if not c:
        return []
    return [
        ["NPL at policy_only's approval rate",
         f"{_pct(c['npl_at_baseline_approval'])} (ratio {c['npl_ratio_at_same_approval']:.2f}; "
         "target ≤ 0.5)"],
        ["approval at policy_only's NPL",
         f"{_pct(c['approval_at_baseline_npl'])} (gain {c['approval_gain_at_same_npl']:+.0%}; "
         "target ≥ +30 %)"],
    ]


def _factory_play(out: Path, world: Any, models: Any, seed: int, months: int,
                  per_month: int, first_month: int) -> tuple[Any, Any, Any, list[str]]:
    """Set up a SQLite factory on the world, then play ``months`` of new people against it
    (``world play``): the play's summary, the book's figures and its rows by bank."""
    from creditfactory.cli._play_platform import play_on_store
    from creditfactory.services.bootstrap import store_context, with_decisions
    from creditfactory.services.ports import Actor
    from creditfactory.services.servicing_views import book_figures, portfolio_view
    from creditfactory.services.setup import setup_service
    from creditfactory.settings import load_settings
    from creditfactory.world import WorldConfig, write_world
    from creditfactory.world.play import PlayConfig

    db = out / "factory.db"
    db.unlink(missing_ok=True)
    # the demo's partner banks are simulated: they answer the packages the play sends
    settings = load_settings(db_url=f"sqlite:///{db}", simulate_banks=True)
    ctx = store_context(settings)
    try:
        with console.status("creating the schema, channels, banks and the active strategy..."):
            password = secrets.token_urlsafe(12)
            setup_service(ctx, settings.db_url, password, world, models=models)
            secret = out / "admin-password.txt"
            secret.write_text(password + "\n", encoding="utf-8")
            secret.chmod(0o600)
            from creditfactory.cli._demo_accounts import demo_accounts

            accounts = demo_accounts(ctx, out)  # one account per staff role
            ctx = with_decisions(ctx, settings.identity_key)
        # new people: a world of its own whose calendar goes on after the training world's;
        # its bureau and registry answer the platform on loopback, its borrowers sign and pay
        newcomers = out / "newcomers"
        span = first_month + months
        with console.status("simulating the newcomers' world..."):
            write_world(WorldConfig(max(per_month * span * 6 // 5, 1_000), span, seed + 1),
                        newcomers)
        cfg = PlayConfig(months, per_month, first_month, seed)
        with progress_bar(f"playing {months} months (days)", months * 31) as update:
            done = play_on_store(ctx, newcomers, cfg, out / "bank-files", progress=update,
                                 monitoring=out / "monitoring")
        from creditfactory.cli.collections import demo_queue

        console.print(demo_queue(ctx))  # the collector works the busiest team's accounts
        from creditfactory.cli._demo_staff import demo_staff_work

        console.print(demo_staff_work(ctx))  # the approver's review has cases to decide
        _judge_challenger(ctx)
        overseer = Actor("demo", "risk_analyst")
        by_bank = portfolio_view(ctx, overseer)["breakdowns"][0][2]
        return done, book_figures(ctx, overseer), by_bank, accounts
    finally:
        ctx.engine.dispose()


def _judge_challenger(ctx: Any) -> None:
    """Refit the challenger A-card on the book as of its last monitored month and record the
    promotion rule's decision (shown on the warning page)."""
    from creditfactory.errors import InvalidArgument
    from creditfactory.services.monitoring_learning import store_challenger
    from creditfactory.store import UnitOfWork
    from creditfactory.store.repo_monitoring import MonitoringRepository

    with UnitOfWork(ctx.engine) as uow:
        runs = MonitoringRepository(uow.conn).runs()
    if not runs:
        return
    try:
        with console.status("refitting the challenger A-card on the book..."):
            record = store_challenger(ctx.engine, runs[0]["month"], decided_by="demo")
    except InvalidArgument as exc:
        console.print(f"no challenger A-card: {exc}")
        return
    verdict = "promoted" if record["promoted"] else "not promoted"
    console.print(f"challenger A-card {verdict}: " + "; ".join(record["reasons"]))


def _factory_rows(done: Any, book: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["simulated time", f"{done.first_day} to {done.last_day} ({done.days} days closed)"],
        ["applications submitted", f"{done.submitted:,} ({done.refused} refused)"],
        ["loans paid out and booked", f"{book.loans:,} ({book.paid_out:,.2f} CNY)"],
        ["repayments in bank files", f"{done.payments:,} in {done.files:,} files "
                                     f"({done.rows_refused} rows refused)"],
        ["prepayments posted by the banks", f"{done.prepayments:,}"],
        ["loans on the book", f"{book.on_book:,}"],
        ["principal outstanding (CNY)", f"{book.outstanding:,.2f}"],
        ["DPD buckets (loans)", ", ".join(f"{b} {n}" for b, n in book.buckets.items() if n)],
        ["NPL ratio (of outstanding)", _pct(book.npl_ratio)],
        ["cumulative NPL (of paid out)", _pct(book.cumulative_npl)],
        ["written off / recovered (CNY)", f"{book.written_off:,.2f} / {book.recovered:,.2f}"],
    ]
    return rows


def _bank_rows(by_bank: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["name"], r["loans"], r["on_book"], f"{r['outstanding']:,.2f}",
             f"{r['npl_outstanding']:,.2f}"] for r in by_bank]


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where the demo writes its world and report.")] = Path(
        "demo-output"),
    applications: Annotated[int, typer.Option(help="Applications in the demo world.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    play_months: Annotated[int, typer.Option(help="Months the factory is played in simulated "
                                                  "time.")] = 30,
    play_per_month: Annotated[int, typer.Option(help="New applications a month sent through "
                                                     "the factory.")] = 40,
) -> None:
    """Simulate a world, then run the factory's engines on it and write a report."""
    from creditfactory.data import load
    from creditfactory.evaluation.backtest import evaluate_backtest
    from creditfactory.models import train_lending_models
    from creditfactory.settings import load_settings
    from creditfactory.strategy import load_strategy
    from creditfactory.strategy.backtest_run import backtest_strategies, write_backtest
    from creditfactory.world import WorldConfig, write_world

    t0 = time.perf_counter()
    world_dir = out / "world"
    console.rule("[bold]1. The simulated world")
    with progress_bar("simulating", applications) as update:
        meta = write_world(WorldConfig(applications, 36, seed), world_dir, progress=update)
    console.print(calibration_table(meta))

    console.rule("[bold]2. Models and strategies, back-tested out of time")
    world = load(world_dir, money="float")
    strategies = [load_strategy("default"), load_strategy("policy_only")]
    with console.status("training the A-card, challenger and fraud models on the first year..."):
        models = train_lending_models(world, key=load_settings().identity_key)
    with console.status("deciding the later applications with both strategies..."):
        run = evaluate_backtest(backtest_strategies(world, strategies, models), world.truth)
        write_backtest(run, out / "backtest")
    rows = _comparison_rows(run.summary)
    console.print(table("default (data-driven) against policy_only (knock-out rules)",
                        ["figure", *run.summary], rows))
    versus = _versus_rows(run.comparison or {})
    console.print(table("default at policy_only's operating points", ["figure", "value"], versus))

    console.rule("[bold]3. The factory on SQLite: new applicants, the banks, the loan book")
    done, book, by_bank, accounts = _factory_play(out, world, models, seed, play_months,
                                                  play_per_month, int(meta["months"]))
    factory_rows = _factory_rows(done, book)
    bank_cols = ["bank", "loans", "on the book", "outstanding (CNY)", "non-performing (CNY)"]
    console.print(table(f"{play_months} months of the factory in simulated time",
                        ["", "value"], factory_rows))
    console.print(table("the book by bank", bank_cols, _bank_rows(by_bank)))

    report = out / "report.md"
    report.write_text(
        "# Credit Factory demo\n\n"
        f"World: {applications:,} applications over 36 months, seed {seed}, in `{world_dir}`.\n\n"
        "## Calibration against the seed business\n\n"
        + _markdown(["figure", "target", "world", ""], calibration_rows(meta))
        + "\n\n## Strategies on the out-of-time applications\n\n"
        + _markdown(["figure", *run.summary], rows)
        + "\n\n" + _markdown(["default at policy_only's operating points", "value"], versus)
        + "\n\nCharts, cut-off curves and the swap set: `backtest/report.html`.\n"
        + f"\n## The factory on SQLite: {play_months} months in simulated time\n\n"
        + _markdown(["", "value"], factory_rows) + "\n\n"
        + _markdown(bank_cols, _bank_rows(by_bank))
        + "\n\nBook: " + book.line() + "\n\nThe pages (`creditfactory serve --db "
        f"sqlite:///{out / 'factory.db'}`, sign in as `admin` with `admin-password.txt`): "
        "`/ui/dashboard`, `/ui/portfolio`, each loan's page from its case, `/ui/warning` (the "
        "early warning run at each month-end; its last files in `monitoring/`) and `/ui/users`. "
        "The staff, each with a page of their own (passwords in `<user>-password.txt`): "
        + "; ".join(accounts) + ". `am` submitted the played applications (`/ui/intake`: the "
        "pipeline); `collector` works the queue of the last night's assignment "
        "(`/ui/collections`); `supervisor` approves restructures.\n",
        encoding="utf-8",
    )
    console.rule("[bold]Summary")
    d, p = (run.summary[k] for k in list(run.summary)[:2])
    console.print(
        f"default approves {_pct(d['approval_rate'])} with cumulative NPL {_pct(d['npl_rate'])}; "
        f"policy_only approves {_pct(p['approval_rate'])} with NPL {_pct(p['npl_rate'])}.")
    console.print(f"the factory's book: {book.line()}")
    console.print(f"pages: creditfactory serve --db sqlite:///{out / 'factory.db'}, then sign "
                  f"in as admin or a member of staff (passwords in {out}/<user>-password.txt): "
                  + ", ".join(line.split("`")[1] for line in accounts))
    console.print(f"report: {report} (and {out / 'backtest' / 'report.html'}); "
                  f"{time.perf_counter() - t0:.0f} s in all")
