"""The one ``creditfactory`` command; each sub-command lives in a sibling module.

``app``, the Typer application, is built when first asked for (``from creditfactory.cli
import app``): the plain ``scorecard score MODEL DATA --out OUT`` runs without importing Typer.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from creditfactory.errors import CreditFactoryError

if TYPE_CHECKING:
    import typer

    app: typer.Typer

_app: Any = None


def __getattr__(name: str) -> Any:
    if name == "app":
        return _application()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _application() -> Any:
    global _app
    if _app is None:
        import typer

        _app = typer.Typer(
            name="creditfactory",
            help="Credit Factory: data-driven lending to small businesses, from referral to "
                 "collections.",
            no_args_is_help=True,
            add_completion=False,
            pretty_exceptions_enable=False,
        )
    return _app


def _register(command: str | None = None) -> None:
    if command == "scorecard":  # its modules only: `scorecard score` imports no other command's
        from creditfactory.cli import scorecard, scorecard_report  # noqa: F401
        return
    # each module adds its commands to ``app`` when imported
    from creditfactory.cli import (  # noqa: F401
        backtest,
        capacity,
        challenger,
        collections,
        demo,
        fraud,
        monitor,
        portfolio,
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
    try:
        if command == "scorecard":  # `scorecard score` in its plain form runs without Typer
            from creditfactory.cli._scoring import run_plain_score

            if run_plain_score(sys.argv[2:]):
                return
        _register(command)
        _application()()  # standalone: usage mistakes print one line and exit 2
    except SystemExit as done:
        if done.code not in (0, None):
            raise
    except CreditFactoryError as exc:
        from rich.console import Console

        Console(stderr=True).print(f"error: {exc}", markup=False, highlight=False,
                                   soft_wrap=True)
        sys.exit(2)
