"""``creditfactory scorecard``: fit a card from a table and score a table with a card.

``scorecard_app`` is the sub-app; other modules add commands to it (``report``) by importing
it and decorating, then being imported in ``creditfactory.cli._register``. The toolkit is
imported inside each command, so ``scorecard score`` loads the scorer, NumPy and Arrow only;
in its plain form (MODEL DATA --out OUT) ``main`` runs it without Typer
(:func:`creditfactory.cli._scoring.run_plain_score`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._scoring import score_file, tune_memory
from creditfactory.cli._ui import console
from creditfactory.errors import InvalidArgument

__all__ = ["scorecard_app", "tune_memory"]

scorecard_app = typer.Typer(
    name="scorecard",
    help="Scorecards: fit (logistic or divergence), score, report.",
    no_args_is_help=True,
)
app.add_typer(scorecard_app, name="scorecard")


@scorecard_app.command("fit")
def fit(
    train: Annotated[Path, typer.Argument(help="Training table, CSV or Parquet.")],
    target: Annotated[str, typer.Option(help="Target column.")],
    out: Annotated[Path, typer.Option(help="Model file to write (JSON).")],
    bad: Annotated[str, typer.Option(help="Target value meaning bad (e.g. 1, bad, Yes).")] = "1",
    objective: Annotated[str, typer.Option(help="logistic or divergence.")] = "logistic",
    exclude: Annotated[list[str] | None, typer.Option(
        help="Column to leave out of the candidates (repeatable), e.g. an id.")] = None,
    pdo: Annotated[float, typer.Option(help="Points to double the odds.")] = 20.0,
    base_score: Annotated[float, typer.Option(help="Score at the base odds.")] = 600.0,
    base_odds: Annotated[float, typer.Option(help="Goods per bad at the base score.")] = 50.0,
    rounding: Annotated[bool, typer.Option(help="Integer points per bin.")] = False,
    n_bags: Annotated[int, typer.Option(help="Bootstrap cards to average (0: none).")] = 0,
    chance_dof: Annotated[str, typer.Option(
        help="Selection's chance adjustment counts, per feature, the parameters the objective "
             "fits (coefficients: one for logistic) or bins - 1 (bins).")] = "coefficients",
) -> None:
    """Fit a scorecard on TRAIN; every column but the target (and --exclude) is a candidate."""
    tune_memory(keep_freed=True)
    from creditfactory.scorecard import Scorecard, metrics, read_table, save_card, split_target

    if objective not in ("logistic", "divergence"):
        raise InvalidArgument(f"--objective must be logistic or divergence, got {objective!r}")
    frame = read_table(train)
    missing = [c for c in exclude or [] if c not in frame.columns]
    if missing:
        raise InvalidArgument(f"--exclude names columns not in the data: {', '.join(missing)}")
    x, y = split_target(frame.drop(columns=list(exclude or [])), target, bad)
    card = Scorecard(objective=objective, pdo=pdo, base_score=base_score, base_odds=base_odds,
                     rounding=rounding, n_bags=n_bags, chance_dof=chance_dof,
                     random_state=0).fit(x, y)
    risk = card.predict_proba(x)[:, 1]
    auc, ks = metrics.auc_ks(y, risk)
    save_card(card, out, metadata={
        "target": target, "bad_value": bad, "train_file": str(train), "train_rows": len(x),
        "bad_rate": float(y.mean()), "train_auc": auc, "train_ks": ks,
        "candidates": [str(c) for c in x.columns],
    })
    console.print(f"{objective} card with {len(card.features_)} features "
                  f"({', '.join(card.features_)}); train AUC {auc:.4f}, KS {ks:.4f} -> {out}")


@scorecard_app.command("score")
def score(
    model: Annotated[Path, typer.Argument(help="Model file written by `scorecard fit`.")],
    data: Annotated[Path, typer.Argument(help="Table to score, CSV or Parquet.")],
    out: Annotated[Path, typer.Option(help="Output table (.csv or .parquet).")],
) -> None:
    """Write DATA with two more columns: score (points, higher is safer) and pd."""
    score_file(model, data, out)


@scorecard_app.command("export")
def export(
    model: Annotated[Path, typer.Argument(help="Model file written by `scorecard fit`.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option("--format", help="sql or pmml.")] = "sql",
    table: Annotated[str, typer.Option(help="SQL: the table the SELECT reads.")] = "applications",
) -> None:
    """Export a card as a SQL SELECT (sum of CASE look-ups) or as a PMML 4.4 Scorecard."""
    from creditfactory.scorecard import load_card
    from creditfactory.scorecard.export import pmml_document, sql_select

    if format not in ("sql", "pmml"):
        raise InvalidArgument(f"--format must be sql or pmml, got {format!r}")
    card = load_card(model)
    text = sql_select(card, table) + ";\n" if format == "sql" else pmml_document(card) + "\n"
    out.write_text(text, encoding="utf-8")
    console.print(f"{format} export of {len(card.features_)} features -> {out}")
