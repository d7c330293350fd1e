"""``creditfactory backtest``: measure strategies on the out-of-time applications of lending data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console


@app.command()
def backtest(
    world_dir: Annotated[Path, typer.Argument(help="Lending data: a lender's own or a world from `creditfactory simulate`.")],
    strategy: Annotated[str, typer.Option("--strategy", help="Shipped strategy name or YAML file.")] = "default",
    vs: Annotated[str | None, typer.Option("--vs", help="A second strategy to compare against.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("backtest"),
    train_months: Annotated[int, typer.Option("--train-months", help="Months of applications the models learn from.")] = 12,
    blacklist: Annotated[Path | None, typer.Option("--blacklist", help="CSV of blacklist entries (kind,value); without it the blacklist rule knocks no one out.")] = None,
) -> None:
    """Back-test STRATEGY (and --vs) and write summary.json, decisions.parquet and report.html.

    The data is a lender's own or a simulated world; a world's truth adds the fraud each
    strategy kept out."""
    from creditfactory.data import load
    from creditfactory.evaluation.backtest import evaluate_backtest
    from creditfactory.strategy import NoScores, ScoreProvider, load_strategy
    from creditfactory.strategy.backtest_run import backtest_strategies, uses_scores, write_backtest

    strategies = [load_strategy(strategy)] + ([load_strategy(vs)] if vs else [])
    data = load(world_dir, money="float")
    if blacklist is not None:
        from creditfactory.strategy.blacklist_file import mark_blacklisted, read_blacklist

        data.applications = mark_blacklisted(data.applications, read_blacklist(blacklist))
    provider: ScoreProvider = NoScores()
    if uses_scores(strategies):
        from creditfactory.models import train_lending_models
        from creditfactory.settings import load_settings

        with console.status("training models..."):
            provider = train_lending_models(data, key=load_settings().identity_key,
                                            train_months=train_months)
    with console.status("deciding..."):
        run = evaluate_backtest(backtest_strategies(data, strategies, provider, train_months=train_months),
                                data.truth)
        write_backtest(run, out)
    console.print(f"judged: {run.results[0].summary['applications']:,} applications from month {run.train_months} "
                  f"on (models' labels observed at {run.model_versions.get('labels_as_of', 'n/a')})")
    for label, s in run.summary.items():
        console.print(
            f"{label:14s} approval {s['approval_rate']:.1%}  NPL {s['npl_rate']:.2%}  loss {s['loss_rate']:.2%}  "
            f"profit {s['profit']:,.0f} = interest {s['interest_income']:,.0f} - funding {s['funding_cost']:,.0f} "
            f"- operating {s['operating_cost']:,.0f} - loss {s['loss']:,.0f} - process {s['process_cost']:,.0f}  tiers "
            + " ".join(f"{k}={v:.1%}" for k, v in s["tier_mix"].items())
        )
    for label, result in zip(run.labels, run.results, strict=True):
        cal = result.strategy.spec.calibration
        if cal is not None:
            console.print(f"{label}: the appetite chose cut-off PD {cal.cutoff_pd} and limit scale {cal.limit_scale} "
                          f"on {cal.window} ({cal.figures})")
    if run.comparison:
        c = run.comparison
        console.print(f"against {c['baseline']}: NPL at its approval rate {c['npl_at_baseline_approval']}, "
                      f"approval at its NPL {c['approval_at_baseline_npl']}")
    console.print(f"wrote {out}/summary.json, decisions.parquet, report.html")
