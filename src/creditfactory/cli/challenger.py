"""``creditfactory challenger``: set or clear the live strategy's challenger and its share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console
from creditfactory.cli.service import DbOption, _settings


@app.command()
def challenger(
    strategy: Annotated[str | None, typer.Argument(
        help="Shipped strategy name or YAML file to try on a share of applicants.")] = None,
    share: Annotated[float, typer.Option(
        "--share", help="Share of applicants the challenger decides, between 0 and 1.")] = 0.1,
    salt: Annotated[str, typer.Option(
        "--salt", help="A new salt draws a new set of applicants for the challenger.")] = "cc-1",
    clear: Annotated[bool, typer.Option(
        "--clear", help="End the experiment: the champion decides every application.")] = False,
    db: DbOption = None,
) -> None:
    """Set (or --clear) the active strategy's challenger; servers read it when they start.

    Applicants are split by a stable hash of their keyed resident-ID hash, so an applicant
    stays in one arm; every decision record names its arm and the strategy that decided."""
    from creditfactory.errors import InvalidArgument
    from creditfactory.services.bootstrap import store_context
    from creditfactory.services.strategy_setup import clear_challenger, set_challenger
    from creditfactory.strategy import SHIPPED
    from creditfactory.strategy.loader import shipped_text

    ctx = store_context(_settings(db))
    with ctx.uow() as uow:
        if clear:
            clear_challenger(uow, "cli")
            message = "challenger cleared: the champion decides every application"
        elif strategy is None:
            raise InvalidArgument("name a strategy (or pass --clear)")
        else:
            if strategy in SHIPPED:
                text, location = shipped_text(strategy), f"shipped:{strategy}"
            else:
                try:
                    text = Path(strategy).read_text("utf-8")
                except OSError as exc:
                    raise InvalidArgument(f"strategy file {strategy}: {exc.strerror}") from exc
                location = str(Path(strategy).resolve())
            name = set_challenger(uow, "cli", text, location, share, salt)
            message = f"challenger {name} decides {share:.0%} of applicants (salt {salt})"
        uow.commit()
    ctx.engine.dispose()
    console.print(f"{message}; restart the servers to apply it")
