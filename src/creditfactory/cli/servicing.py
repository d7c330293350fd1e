"""``creditfactory servicing``: the loan book's engine from the command line (``schedule``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console

servicing_app = typer.Typer(help="Servicing: schedules, repayments, days past due, classes.",
                            no_args_is_help=True)
app.add_typer(servicing_app, name="servicing")


@servicing_app.command("schedule")
def schedule(
    amount: Annotated[str, typer.Option(help="Amount lent, CNY (whole fen).")],
    rate: Annotated[str, typer.Option(help="Annual rate in percent, e.g. 21.5.")],
    term: Annotated[int, typer.Option(help="Term in months.")],
    start: Annotated[str, typer.Option(help="Payout date, YYYY-MM-DD; instalment n falls "
                                             "due n months later.")],
    out: Annotated[Path, typer.Option(help="Output file, .csv or .parquet.")],
    method: Annotated[str, typer.Option(
        help="equal-instalment (等额本息), equal-principal (等额本金) or interest-first "
             "(先息后本).")] = "equal-instalment",
    rounding: Annotated[str, typer.Option(
        help="half-up (the platform's) or half-even (Apache Fineract's progressive "
             "schedule, to the fen).")] = "half-up",
    loan_id: Annotated[str | None, typer.Option(help="A loan id to put on every row.")] = None,
) -> None:
    """Write a loan's repayment schedule: due dates, principal, interest, balances."""
    from decimal import Decimal, InvalidOperation

    from creditfactory.domain.money import round_money
    from creditfactory.errors import InvalidArgument
    from creditfactory.servicing import repayment_schedule
    from creditfactory.servicing.export import write_schedule

    try:
        amount_d, rate_d = Decimal(amount), Decimal(rate) / 100
    except InvalidOperation as exc:
        raise InvalidArgument(f"--amount and --rate must be numbers, got {amount!r}, "
                              f"{rate!r}") from exc
    try:
        start_d = date.fromisoformat(start)
        if amount_d.is_finite() and round_money(amount_d) == amount_d:
            amount_d = round_money(amount_d)
    except ValueError as exc:
        raise InvalidArgument(f"--start must be a date YYYY-MM-DD, got {start!r}") from exc
    try:
        s = repayment_schedule(amount_d, rate_d, term, method.replace("-", "_"),
                               start=start_d, rounding=rounding.replace("-", "_"))
        n = write_schedule(s, out, loan_id)
    except ValueError as exc:
        raise InvalidArgument(str(exc).replace("annual_rate", "--rate").replace(
            "term_months", "--term")) from exc
    console.print(f"{n} instalments of {s.instalments[0].total} "
                  f"(last {s.instalments[-1].total}), interest {s.total_interest}, "
                  f"repaid {s.total_repaid}: wrote {out}")


def _day(value: str, option: str) -> date:
    from creditfactory.errors import InvalidArgument

    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument(f"{option} must be a date YYYY-MM-DD, got {value!r}") from exc


DbUrl = Annotated[str, typer.Option("--db", help="Database URL (sqlite:///file.db or "
                                                 "postgresql://...).")]


@servicing_app.command("close")
def close(
    db: DbUrl,
    on: Annotated[str, typer.Option("--date", help="Business date to close through, "
                                                   "YYYY-MM-DD.")],
) -> None:
    """Close business through --date: every day missed, in order, one commit per day."""
    from creditfactory.services.servicing_close import close_business
    from creditfactory.store import make_engine

    engine = make_engine(db)
    try:
        s = close_business(engine, _day(on, "--date"))
    finally:
        engine.dispose()
    if not s.days:
        console.print(f"already closed through {s.business_date}: nothing to do")
    else:
        console.print(f"closed {len(s.days)} day(s) {s.days[0]} .. {s.days[-1]}: {s.loans} "
                      f"loans, {s.payments} payments, {s.changed} loan-days changed, "
                      f"{s.written_off} written off, {s.restated} restated")
    from creditfactory.cli.collections import assign_and_report

    a = assign_and_report(db)  # the night's collections work (once a date)
    console.print(f"collections: {a.accounts:,} delinquent accounts assigned for "
                  f"{a.business_date}{' (already)' if a.already else ''}")


@servicing_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV: reference,loan,date,amount.")],
    bank: Annotated[str, typer.Option(help="The partner bank's code.")],
    db: DbUrl,
    report: Annotated[Path | None, typer.Option(
        help="Where the refused rows go (default FILE.report.csv).")] = None,
) -> None:
    """Post a partner bank's repayment file; refused rows to the report with line and reason."""
    from creditfactory.errors import InvalidArgument
    from creditfactory.services.servicing_files import import_bank_file
    from creditfactory.store import make_engine

    if not file.is_file():
        raise InvalidArgument(f"FILE {file} does not exist")
    engine = make_engine(db)
    try:
        s = import_bank_file(engine, file, bank, report or file.with_suffix(".report.csv"))
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from exc
    finally:
        engine.dispose()
    console.print(f"posted {s.posted}, refused {s.refused} (report {s.report}), "
                  f"{s.restated} loans restated")


@servicing_app.command("reconcile")
def reconcile_bank(
    bank: Annotated[str, typer.Option(help="The partner bank's code.")],
    on: Annotated[str, typer.Option("--date", help="The day, YYYY-MM-DD (closed already).")],
    out: Annotated[Path, typer.Option(help="Output CSV.")],
    db: DbUrl,
) -> None:
    """Per loan of the bank: the day's movements and balances, each loan checked."""
    from creditfactory.errors import InvalidArgument
    from creditfactory.services.servicing_files import reconcile
    from creditfactory.store import make_engine

    engine = make_engine(db)
    try:
        loans, ok = reconcile(engine, bank, _day(on, "--date"), out)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from exc
    finally:
        engine.dispose()
    console.print(f"{loans} loans, {ok} reconciled: wrote {out}")
    if ok != loans:
        raise typer.Exit(1)
