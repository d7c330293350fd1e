"""Render a :class:`ScorecardReport` as one self-contained HTML file (inline CSS and SVG)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from creditfactory.reporting import render_page
from creditfactory.scorecard._stability import psi_label
from creditfactory.scorecard.report._charts import report_charts
from creditfactory.scorecard.report._data import ScorecardReport

__all__ = ["render_html", "write_html"]

TEMPLATES = Path(__file__).parent / "templates"


def render_html(report: ScorecardReport, *, generated: str | None = None) -> str:
    """The report as HTML text: summary, charts, gains, characteristics, stability, parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from creditfactory.scorecard import FeatureBinning
    >>> from creditfactory.scorecard.report._data import build_report
    >>> b = FeatureBinning.from_counts("x", "numeric", splits=(0.5,),
    ...     count=[50, 50, 0], n_event=[30, 10, 0])
    >>> r = build_report(binnings=[b], points={"x": [10, 50, 30]},
    ...     data=pd.DataFrame({"x": [0.0, 0.0, 1.0, 1.0]}), y=[1, 0, 0, 0], score=[10, 10, 50, 50])
    >>> html = render_html(r)
    >>> "<svg" in html, "<script" in html, 'href="http' in html, 'src="http' in html
    (True, False, False, False)
    """
    csi = None
    if report.csi_table is not None:
        csi = {row.feature: row for row in report.csi_table.itertuples()}
    return render_page(TEMPLATES, "scorecard_report.html.j2", filters={"psi_label": psi_label},
                       r=report, charts=report_charts(report), csi=csi, generated=generated)


def write_html(report: ScorecardReport, path: str | Path) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.write_text(render_html(report, generated=stamp), encoding="utf-8")
    return out
