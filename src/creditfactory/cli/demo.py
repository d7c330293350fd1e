"""``creditfactory demo``: the main job on the embedded default, end to end.

Simulate a world, train the models on its first year, decide the later applications with the
data-driven ``default`` strategy and with the traditional ``policy_only`` one, compare them,
and write a report.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, progress_bar, table
from creditfactory.cli.simulate import calibration_table
from creditfactory.world import WorldConfig, load, write_world

TIERS = ("auto_approve", "remote_verification", "field_investigation", "reject")


def _pct(v: float) -> str:
    return f"{v:.2%}"


def _markdown(columns: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


def _calibration_rows(meta: dict) -> list[list[Any]]:
    rows = []
    for r in meta["calibration"]:
        v = r["value"]
        shown = _pct(v) if abs(v) < 1 and v != 0 else f"{v:,.0f}"
        rows.append([r["figure"], r["target"], shown, "ok" if r["ok"] else "OFF"])
    return rows


def _comparison_rows(summary: dict[str, dict]) -> list[list[Any]]:
    names = list(summary)
    figures: list[tuple[str, Any]] = [
        ("applications decided", lambda s: f"{s['applications']:,}"),
        ("approval rate", lambda s: _pct(s["approval_rate"])),
        *[(f"tier: {t}", lambda s, t=t: _pct(s["tier_mix"].get(t, 0.0))) for t in TIERS],
        ("cumulative NPL (booked)", lambda s: _pct(s["npl_rate"])),
        ("net loss rate", lambda s: _pct(s["loss_rate"])),
        ("profit (CNY)", lambda s: f"{s['profit']:,.0f}"),
        ("fraud kept out", lambda s: _pct(s.get("fraud_caught", 0.0))),
    ]
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


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where the demo writes its world and report.")] = Path(
        "demo-output"),
    applications: Annotated[int, typer.Option(help="Applications in the demo world.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Simulate a world, then run the factory's engines on it and write a report."""
    from creditfactory.strategy import load_strategy
    from creditfactory.strategy.backtest_world import backtest_world

    t0 = time.perf_counter()
    world_dir = out / "world"
    console.rule("[bold]1. The simulated world")
    with progress_bar("simulating", applications) as update:
        meta = write_world(WorldConfig(applications, 36, seed), world_dir, progress=update)
    console.print(calibration_table(meta))

    console.rule("[bold]2. Models and strategies, back-tested out of time")
    world = load(world_dir, money="float")
    strategies = [load_strategy("default"), load_strategy("policy_only")]
    with console.status("training the A-card, challenger and fraud models; deciding..."):
        run = backtest_world(world, strategies, out / "backtest")
    rows = _comparison_rows(run.summary)
    console.print(table("default (data-driven) against policy_only (knock-out rules)",
                        ["figure", *run.summary], rows))
    versus = _versus_rows(run.comparison or {})
    console.print(table("default at policy_only's operating points", ["figure", "value"], versus))

    report = out / "report.md"
    report.write_text(
        "# Credit Factory demo\n\n"
        f"World: {applications:,} applications over 36 months, seed {seed}, in `{world_dir}`.\n\n"
        "## Calibration against the seed business\n\n"
        + _markdown(["figure", "target", "world", ""], _calibration_rows(meta))
        + "\n\n## Strategies on the out-of-time applications\n\n"
        + _markdown(["figure", *run.summary], rows)
        + "\n\n" + _markdown(["default at policy_only's operating points", "value"], versus)
        + "\n\nCharts, cut-off curves and the swap set: `backtest/report.html`.\n",
        encoding="utf-8",
    )
    console.rule("[bold]Summary")
    d, p = (run.summary[k] for k in list(run.summary)[:2])
    console.print(
        f"default approves {_pct(d['approval_rate'])} with cumulative NPL {_pct(d['npl_rate'])}; "
        f"policy_only approves {_pct(p['approval_rate'])} with NPL {_pct(p['npl_rate'])}.")
    console.print(f"report: {report} (and {out / 'backtest' / 'report.html'}); "
                  f"{time.perf_counter() - t0:.0f} s in all")
