"""``creditfactory demo``: the main job on the embedded default, end to end.

Simulate a world, train the models on its first year, decide the later applications with the
data-driven ``default`` strategy and with the traditional ``policy_only`` one, compare them,
and write a report.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from datetime import UTC
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


def _factory_sample(out: Path, world: Any, models: Any, seed: int, size: int) -> Any:
    """Set up a SQLite factory on the world and send it applications from new people."""
    from creditfactory.http.schemas.applications import ApplicationCreate
    from creditfactory.services.bootstrap import store_context, with_counterparts, with_decisions
    from creditfactory.services.ports import Actor
    from creditfactory.services.sample_run import run_sample
    from creditfactory.services.setup import setup_service
    from creditfactory.settings import load_settings
    from creditfactory.world import generate
    from creditfactory.world.borrowers import SimulatedBorrowers
    from creditfactory.world.bureau_server import (
        BureauFaults,
        BureauServer,
        WorldRecords,
        running_bureau,
    )

    db = out / "factory.db"
    db.unlink(missing_ok=True)
    # the demo's partner banks are simulated: they answer the packages the sample sends
    settings = load_settings(db_url=f"sqlite:///{db}", simulate_banks=True)
    ctx = store_context(settings)
    engine = ctx.engine
    try:
        with console.status("creating the schema, channels, banks and the active strategy..."):
            password = secrets.token_urlsafe(12)
            setup_service(ctx, settings.db_url, password, world, models=models)
            secret = out / "admin-password.txt"
            secret.write_text(password + "\n", encoding="utf-8")
            secret.chmod(0o600)
            ctx = with_decisions(ctx, settings.identity_key)
        # the demo's borrowers are simulated too: they sign the contracts they are sent
        borrowers = SimulatedBorrowers(seed=seed)
        ctx = replace(ctx, borrowers=borrowers)
        # the newcomers' world is the outside: its credit bureau and business registry answer
        # the platform's HTTP client on loopback; the newcomers declare only what an applicant
        # declares, and are replayed at their own times (the world's clock)
        outside = generate(max(size * 5, 1_000), 36, seed=seed + 1).applications
        newcomers = outside.tail(size)
        rows = [ApplicationCreate.model_validate(
                    {**{k: r[k] for k in ApplicationCreate.model_fields if k in r},
                     "bureau_consent_ref": f"DEMO-CONSENT-{n:06d}"}).model_dump()
                for n, r in enumerate(newcomers.to_dict("records"))]
        times = [t.to_pydatetime().replace(tzinfo=UTC) for t in newcomers["applied_at"]]
        bureau = BureauServer(WorldRecords(outside), BureauFaults(latency_ms=20, seed=seed))
        with running_bureau(bureau) as served, console.status(
                f"submitting {len(rows)} applications (bureau and registry at {served.url}); "
                "partner banks answering..."):
            ctx = with_counterparts(ctx, load_settings(db_url=settings.db_url,
                                                       bureau_url=served.url))
            return run_sample(ctx, rows, Actor("demo", "account_manager"), borrowers=borrowers,
                              times=times)
    finally:
        engine.dispose()


def _factory_rows(run: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [[f"tier: {t}", run.tiers.get(t, 0)] for t in TIERS]
    rows += [[k, v] for k, v in run.tiers.items() if k not in TIERS]  # held for data
    rows += [[k, v] for k, v in sorted(run.outcome.items())]
    if run.seconds_to_payout:
        secs = sorted(run.seconds_to_payout)
        rows.append(["median seconds from submission to payout", f"{secs[len(secs) // 2]:.1f}"])
    rows += [[f"refused with HTTP {k}", v] for k, v in run.errors.items()]
    return rows


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where the demo writes its world and report.")] = Path(
        "demo-output"),
    applications: Annotated[int, typer.Option(help="Applications in the demo world.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    sample_size: Annotated[int, typer.Option(help="New applications sent through the factory.")
                           ] = 200,
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

    console.rule("[bold]3. The factory on SQLite: new applicants through the 24 steps")
    sample = _factory_sample(out, world, models, seed, sample_size)
    factory_rows = _factory_rows(sample)
    console.print(table(f"{sample.submitted} new applications submitted to the factory",
                        ["", "applications"], factory_rows))

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
        + "\n## The factory on SQLite\n\n" + _markdown(["", "applications"], factory_rows)
        + "\n",
        encoding="utf-8",
    )
    console.rule("[bold]Summary")
    d, p = (run.summary[k] for k in list(run.summary)[:2])
    console.print(
        f"default approves {_pct(d['approval_rate'])} with cumulative NPL {_pct(d['npl_rate'])}; "
        f"policy_only approves {_pct(p['approval_rate'])} with NPL {_pct(p['npl_rate'])}.")
    console.print(f"report: {report} (and {out / 'backtest' / 'report.html'}); "
                  f"{time.perf_counter() - t0:.0f} s in all")
