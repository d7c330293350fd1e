"""The one ``creditfactory`` command; each sub-command lives in a sibling module."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from creditfactory.errors import CreditFactoryError

app = typer.Typer(
    name="creditfactory",
    help="Credit Factory: data-driven lending to small businesses, from referral to collections.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _register(command: str | None = None) -> None:
    if command == "scorecard":  # its modules only: `scorecard score` imports no other command's
        from creditfactory.cli import scorecard, scorecard_report  # noqa: F401
        return
    # each module adds its commands to ``app`` when imported
    from creditfactory.cli import (  # noqa: F401
        backtest,
        challenger,
        demo,
        fraud,
        scorecard,
        scorecard_report,
        service,
        servicing,
        simulate,
        world,
    )


def main() -> None:
    """Run the CLI, turning every ``CreditFactoryError`` into one line and exit code 2."""
    command = sys.argv[1] if len(sys.argv) > 1 else None
    _register(command)
    try:
        if command == "scorecard":  # `scorecard score` without Typer's parsing, which imports pydantic
            from creditfactory.cli.scorecard import run_plain_score

            if run_plain_score(sys.argv[2:]):
                return
        app(standalone_mode=False)
    except CreditFactoryError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
