"""``creditfactory scorecard report``: a card's performance on a dataset, as HTML (and Excel)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli._ui import console
from creditfactory.cli.scorecard import scorecard_app, tune_memory
from creditfactory.errors import InvalidArgument


@scorecard_app.command("report")
def report(
    model: Annotated[Path, typer.Argument(help="Model file written by `scorecard fit`.")],
    data: Annotated[Path, typer.Argument(help="Table with outcomes, CSV or Parquet.")],
    target: Annotated[str, typer.Option(help="Target column.")],
    out: Annotated[Path, typer.Option(help="HTML report to write.")],
    bad: Annotated[str, typer.Option(help="Target value meaning bad (e.g. 1, bad, Yes).")] = "1",
    excel: Annotated[Path | None, typer.Option(help="Also write the Excel workbook here.")] = None,
    base: Annotated[Path | None, typer.Option(
        help="Base sample (e.g. the training table) for PSI of the score and CSI.")] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    bands: Annotated[int, typer.Option(help="Score bands of the gains and PSI tables.")] = 10,
    bootstrap: Annotated[int, typer.Option(
        help="Bootstrap replicates for confidence intervals of KS, AUC, divergence (0: none).")] = 0,
) -> None:
    """Report MODEL on DATA: KS, AUC, Gini, divergence, gains, characteristics, PSI/CSI."""
    tune_memory()
    from creditfactory.scorecard import load_card, read_table, split_target
    from creditfactory.scorecard.report import report_for_card, write_excel, write_html

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidArgument(f"--out must end in .html, got {str(out)!r}")
    if excel is not None and excel.suffix.lower() != ".xlsx":
        raise InvalidArgument(f"--excel must end in .xlsx, got {str(excel)!r}")
    if bands < 2 or bootstrap < 0:
        raise InvalidArgument("--bands must be at least 2 and --bootstrap not negative")
    card = load_card(model)
    x, y = split_target(read_table(data), target, bad)
    base_frame = None if base is None else read_table(base)
    result = report_for_card(
        card, x, y, base_data=base_frame, title=title or f"Scorecard {model.name} on {data.name}",
        n_bands=bands, n_boot=bootstrap,
    )
    write_html(result, out)
    written = [str(out)]
    if excel is not None:
        write_excel(result, excel)
        written.append(str(excel))
    s = result.summary
    psi = "" if result.psi is None else f", PSI {result.psi:.3f}"
    console.print(f"{int(s['rows']):,} rows, bad rate {s['bad_rate']:.2%}: KS {s['ks']:.4f}, "
                  f"AUC {s['auc']:.4f}, Gini {s['gini']:.4f}, divergence {s['divergence']:.3f}"
                  f"{psi} -> {', '.join(written)}")
