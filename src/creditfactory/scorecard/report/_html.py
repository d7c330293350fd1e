"""Render a :class:`ScorecardReport` as one self-contained HTML file (inline CSS and SVG)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from creditfactory.scorecard._stability import psi_label
from creditfactory.scorecard.report._charts import report_charts
from creditfactory.scorecard.report._data import ScorecardReport

__all__ = ["render_html", "write_html"]

TEMPLATES = Path(__file__).parent / "templates"


def _num(value: float, digits: int = 2) -> str:
    value = float(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:,.{digits}f}"


def _pct(value: float, digits: int = 1) -> str:
    value = float(value)
    return "–" if math.isnan(value) else f"{100 * value:.{digits}f}%"


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
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["psi_label"] = psi_label
    csi = None
    if report.csi_table is not None:
        csi = {row.feature: row for row in report.csi_table.itertuples()}
    return env.get_template("scorecard_report.html.j2").render(
        r=report, charts=report_charts(report), csi=csi, generated=generated
    )


def write_html(report: ScorecardReport, path: str | Path) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.write_text(render_html(report, generated=stamp), encoding="utf-8")
    return out
