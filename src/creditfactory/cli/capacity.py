"""``creditfactory factory simulate``: capacity planning of the factory floor by simulation."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, table

factory_app = typer.Typer(help="The factory floor: capacity planning.", no_args_is_help=True)
app.add_typer(factory_app, name="factory")


def _hours(text: str) -> tuple[int, int]:
    from creditfactory.errors import InvalidArgument

    start, sep, end = text.partition("-")
    if not sep or not start.isdigit() or not end.isdigit():
        raise InvalidArgument(f"--hours wants START-END in whole hours, e.g. 9-18; got {text!r}")
    return int(start), int(end)


def _fmt(hours: float | None) -> str:
    return "-" if hours is None else f"{hours:.2f}"


def _print_inputs(inputs: Any) -> None:
    mix = ", ".join(f"{t} {v:.0%}" for t, v in inputs.tier_mix.items())
    console.print(f"tier mix: {mix}; exceptions {inputs.exception_share:.0%}", markup=False)
    for station, d in inputs.service.items():
        console.print(f"{station}: {d.describe()}, pass {inputs.pass_share[station]:.0%}",
                      markup=False)
    console.print(f"bank answer: {inputs.bank_answer.describe()}, approved "
                  f"{inputs.bank_approval_share:.0%}; signature: {inputs.signature.describe()}; "
                  f"working hours {inputs.working_hours[0]}-{inputs.working_hours[1]}",
                  markup=False)


def _print(report: Any) -> None:
    console.print(table("Time to payout (hours from submission)",
                        ["tier", "arrived", "paid out", "declined", "open at end", "median",
                         "p90", "mean"],
                        [[t.tier, f"{t.arrived:,}", f"{t.paid_out:,}", f"{t.declined:,}",
                          f"{t.open:,}", _fmt(t.median_hours), _fmt(t.p90_hours),
                          _fmt(t.mean_hours)] for t in report.tiers]))
    console.print(table("Queues (tasks waiting)",
                        ["station", "pool", "mean", "longest", "at end", "tasks done"],
                        [[s.station, s.pool, f"{s.mean_queue:.1f}", s.longest_queue,
                          s.queue_at_end, f"{s.tasks_done:,}"] for s in report.stations]))
    console.print(table("Staff", ["pool", "people", "utilisation"],
                        [[p.pool, p.staff, f"{p.utilisation:.0%}"] for p in report.pools]))
    for note in report.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


@factory_app.command("simulate")
def simulate(
    arrivals: Annotated[float, typer.Option(help="Applications a day.")],
    staff: Annotated[str, typer.Option(
        help="People per station or role, e.g. verifier=10,investigator=12,approver=4 "
             "(a role's people work all its stations).")],
    days: Annotated[int, typer.Option(help="Days of arrivals.")] = 30,
    db: Annotated[str | None, typer.Option(
        "--db", help="Take tier mix and times from this store (declared defaults for what "
                     "it has too few of); none: the declared defaults.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the report as JSON here.")] = None,
    hours: Annotated[str, typer.Option(help="Working hours, START-END.")] = "9-18",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    target_median: Annotated[float | None, typer.Option(
        help="Search the smallest staff of --search giving --target-tier this median "
             "(hours).")] = None,
    search: Annotated[str, typer.Option(help="The pool the target search varies.")] = "verifier",
    target_tier: Annotated[str, typer.Option(
        help="The tier the target applies to ('all': every paid-out case).")]
        = "remote_verification",
) -> None:
    """Simulate the process file's stations with staff, report times, queues and use."""
    from creditfactory.factory import load_process
    from creditfactory.factory.capacity import parse_staff
    from creditfactory.factory.capacity_search import smallest_staff
    from creditfactory.factory.capacity_sim import Plan
    from creditfactory.factory.capacity_sim import simulate as run
    from creditfactory.services.capacity import store_inputs
    from creditfactory.store import make_engine

    start = time.perf_counter()
    process = load_process()
    engine = make_engine(db) if db else None
    inputs = store_inputs(process, engine, _hours(hours))
    plan = Plan(arrivals, parse_staff(staff), days, seed=seed)
    answer = None
    if target_median is None:
        report = run(process, inputs, plan)
    else:
        answer = smallest_staff(process, inputs, plan, search, target_tier, target_median)
        report = answer.report
    elapsed = time.perf_counter() - start
    _print_inputs(inputs)
    _print(report)
    if answer is not None:
        if answer.staff is None:
            floor = ("no case paid out" if answer.floor_hours is None
                     else f"{answer.floor_hours:.2f} h with ample staff")
            console.print(f"no {search} staff reaches a {target_median} h median for "
                          f"{target_tier} ({floor}; the rest is the bank and the borrower)")
        else:
            console.print(f"smallest {search} staff for a {target_tier} median ≤ "
                          f"{target_median} h at {arrivals:g} a day: {answer.staff} "
                          f"({answer.runs} runs)")
    console.print(f"{days} days at {arrivals:g} a day simulated in {elapsed:.1f} s")
    if out is not None:
        body = {"report": asdict(report), "seconds": elapsed,
                "staff_found": None if answer is None else answer.staff}
        out.write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")
