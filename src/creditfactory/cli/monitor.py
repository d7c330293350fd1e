"""``creditfactory monitor``: the monthly post-loan monitoring of a portfolio run or of the
store's loan book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console


@app.command("monitor")
def monitor(
    portfolio_dir: Annotated[Path | None, typer.Argument(
        help="A directory from `portfolio run` (omit with --db).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("monitoring"),
    db: Annotated[str | None, typer.Option("--db", help="Monitor the store's loan book instead: "
                                           "database URL.")] = None,
    month: Annotated[str | None, typer.Option("--month", help="With --db: the month to monitor, "
                                              "YYYY-MM (its end state is stored).")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Alert rules YAML (default: the "
                                               "shipped monitoring/rules.yaml).")] = None,
    bcard_train_months: Annotated[int, typer.Option(
        "--bcard-train-months", help="Months of the book the B-card is fitted on.")] = 18,
    world: Annotated[Path | None, typer.Option(
        "--world", help="With PORTFOLIO_DIR: the world it was played on; refits a challenger "
        "A-card on the book's matured loans, with reject inference over the world's declined "
        "applications, and judges it by the promotion rule (promotion.json).")] = None,
    challenger: Annotated[bool, typer.Option(
        "--challenger", help="With --db: after the month's run, refit a challenger A-card on "
        "the book's matured loans (reject inference over the declined applications), judge it "
        "by the promotion rule and record the decision (a promoted card enters the model "
        "registry).")] = False,
    promotion: Annotated[Path | None, typer.Option(
        "--promotion", help="Promotion rule YAML (default: the shipped "
        "monitoring/promotion.yaml).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="pandas (default) or spark (the "
                                        "optional extra named spark; local unless SPARK_REMOTE "
                                        "or CREDITFACTORY_SPARK_MASTER names a cluster).")
                      ] = "pandas",
) -> None:
    """Vintages, roll and flow rates, NPL and five-category mix by month and branch, product,
    industry, channel and bank; PSI/CSI of the A-card and B-card; the industry outlook; alerts
    from the rules file; the A-card's and B-card's AUC, KS, PSI and calibration against matured
    outcomes; bscore, alerts, industry_outlook, vintages, roll_rates, model_performance Parquet
    files, stability.json, report.html and report.xlsx in --out (promotion.json with --world)."""
    from creditfactory.errors import InvalidArgument

    if engine not in ("pandas", "spark"):
        raise InvalidArgument(f"--engine must be pandas or spark, got {engine!r}")
    if engine == "spark":
        import importlib.util

        if importlib.util.find_spec("pyspark") is None:
            raise InvalidArgument("--engine spark needs PySpark: pip install 'creditfactory[spark]'")
    if (portfolio_dir is None) == (db is None):
        raise InvalidArgument("give either PORTFOLIO_DIR or --db URL --month YYYY-MM")
    if db is not None:
        if month is None:
            raise InvalidArgument("--db needs --month YYYY-MM")
        from creditfactory.services.monitoring_store import monitor_store
        from creditfactory.store import make_engine

        eng = make_engine(db)
        try:
            run = monitor_store(eng, month, out, rules=rules, compute=engine)
            if challenger:
                from creditfactory.services.monitoring_learning import store_challenger

                record = store_challenger(eng, month, rule=promotion)
                run.result.promotion = record
                verdict = "promoted" if record["promoted"] else "not promoted"
                run.notes.append(f"challenger A-card {record['challenger_version']} {verdict}: "
                                 + "; ".join(record["reasons"]))
        finally:
            eng.dispose()
    else:
        from creditfactory.services.monitoring_run import monitor_portfolio

        assert portfolio_dir is not None
        with console.status("monitoring..."):
            run = monitor_portfolio(portfolio_dir, out, rules=rules,
                                    bcard_train_months=bcard_train_months, engine=engine,
                                    world=world, promotion=promotion)
    for note in run.notes:
        console.print(note)
    levels = run.result.alerts["level"].value_counts().to_dict()
    latest = run.result.mix["month"].max()
    now = run.result.alerts[run.result.alerts["month"] == latest]
    flagged = ([] if run.result.outlook is None else sorted(set(
        run.result.outlook.loc[run.result.outlook["month"] == latest, "industry"][
            run.result.outlook.loc[run.result.outlook["month"] == latest, "flagged"]])))
    console.print(f"{len(run.result.alerts):,} alerts ({levels.get('red', 0)} red, "
                  f"{levels.get('amber', 0)} amber), {len(now)} in {latest}; industries flagged "
                  f"in {latest}: {', '.join(flagged) or 'none'}")
    console.print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items()))
    console.print(f"wrote {out}/" + ", ".join(run.files))
