"""Write a :class:`ScorecardReport` as the Excel workbook a model-validation team reviews.

Sheets: ``Summary`` (sample and discrimination), ``Characteristics`` (every bin of every
feature: counts, bad rates, WoE, IV, points), ``Gains`` (with a chart), ``Stability`` (PSI
of the score, CSI per feature; "no base sample" when none was given) and ``Parameters``
(objective, scaling, intercept, anything the card records).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from creditfactory.scorecard._stability import psi_label
from creditfactory.scorecard.report._data import ScorecardReport

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["write_excel"]

HEADER_FILL = "DCE6F1"
PCT, NUM3, NUM1, INT = "0.00%", "0.000", "0.0", "#,##0"


def _cell(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _cell(value.item())
    return value


def _table(
    ws: Worksheet, top: int, frame: pd.DataFrame, formats: dict[str, str] | None = None
) -> int:
    """Write ``frame`` with a bold header at row ``top``; return the next free row."""
    from openpyxl.styles import Font, PatternFill

    formats = formats or {}
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for j, name in enumerate(frame.columns, start=1):
        c = ws.cell(row=top, column=j, value=str(name))
        c.font, c.fill = Font(bold=True), fill
    for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for j, (name, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            c = ws.cell(row=i, column=j, value=_cell(value))
            if name in formats:
                c.number_format = formats[name]
    return top + len(frame) + 2


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _summary(ws: Worksheet, report: ScorecardReport) -> None:
    from openpyxl.styles import Font

    ws["A1"] = report.title
    ws["A1"].font = Font(bold=True, size=14)
    s = report.summary
    rows: list[tuple[str, Any, str | None]] = [
        ("rows", int(s["rows"]), INT),
        ("bads", int(s["bads"]), INT),
        ("bad rate", s["bad_rate"], PCT),
        ("KS", s["ks"], NUM3),
        ("AUC", s["auc"], NUM3),
        ("Gini", s["gini"], NUM3),
        ("divergence", s["divergence"], NUM3),
        ("mean score", s["score_mean"], NUM1),
        ("score standard deviation", s["score_std"], NUM1),
        ("characteristics", len(report.characteristics), INT),
    ]
    if report.psi is not None:
        rows.append(("score PSI", report.psi, "0.0000"))
        rows.append(("PSI reading", psi_label(report.psi), None))
    frame = pd.DataFrame(
        [(k, v) for k, v, _ in rows], columns=["measure", "value"], dtype=object
    )
    _table(ws, 3, frame)
    for i, (name, _, fmt) in enumerate(rows, start=4):
        if fmt:
            ws.cell(row=i, column=2).number_format = fmt
        if name.lower() in report.intervals:
            low, high = report.intervals[name.lower()]
            ws.cell(row=i, column=3, value=f"95% CI {low:.3f} – {high:.3f}")
    _widths(ws, [28, 16, 24])


def _characteristics(ws: Worksheet, report: ScorecardReport) -> None:
    overview = pd.DataFrame(
        {
            "characteristic": [c.name for c in report.characteristics],
            "type": [c.kind for c in report.characteristics],
            "bins": [len(c.table) for c in report.characteristics],
            "IV": [c.iv for c in report.characteristics],
            "points range": [c.points_range for c in report.characteristics],
        }
    )
    row = _table(ws, 1, overview, {"IV": "0.0000", "points range": NUM1})
    detail = pd.concat(
        [c.table.assign(characteristic=c.name) for c in report.characteristics],
        ignore_index=True,
    )
    cols = ["characteristic", "bin", "dev_count", "dev_event_rate", "woe", "iv", "points",
            "count", "count_share", "bads", "bad_rate"]
    formats = {"dev_count": INT, "dev_event_rate": PCT, "woe": "0.0000", "iv": "0.0000",
               "points": NUM1, "count": INT, "count_share": PCT, "bads": INT, "bad_rate": PCT}
    _table(ws, row, detail[cols], formats)
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    _widths(ws, [26, 40, 11, 14, 10, 10, 10, 10, 12, 10, 10])


def _gains(ws: Worksheet, report: ScorecardReport) -> None:
    from openpyxl.chart import BarChart, Reference

    g = report.gains
    formats = {"score_min": NUM1, "score_max": NUM1, "count": INT, "goods": INT, "bads": INT,
               "bad_rate": PCT, "pct_count": PCT, "cum_pct_count": PCT, "cum_bads": INT,
               "cum_bad_capture": PCT, "cum_good_share": PCT, "ks": NUM3, "lift": "0.00",
               "cum_bad_rate": PCT, "cum_lift": "0.00"}
    _table(ws, 1, g, formats)
    ws.freeze_panes = "B2"
    _widths(ws, [7] + [12] * (len(g.columns) - 1))
    chart = BarChart()
    chart.title = "Bad rate by score band (1 = riskiest)"
    chart.y_axis.title, chart.x_axis.title = "bad rate", "band"
    col = list(g.columns).index("bad_rate") + 1
    chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=len(g) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(g) + 1))
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, f"A{len(g) + 4}")


def _stability(ws: Worksheet, report: ScorecardReport) -> None:
    from openpyxl.styles import Font

    if report.psi_table is None and report.csi_table is None:
        ws["A1"] = "no base sample was given: PSI and CSI need one (report --base)"
        return
    row = 1
    if report.psi_table is not None:
        ws.cell(row=row, column=1, value=f"Score PSI {report.psi:.4f} ({psi_label(report.psi or 0)})"
                ).font = Font(bold=True)
        row = _table(ws, row + 1, report.psi_table,
                     {"lower": NUM1, "upper": NUM1, "expected_pct": PCT, "actual_pct": PCT,
                      "psi": "0.0000"})
    if report.csi_table is not None:
        ws.cell(row=row, column=1, value="CSI per characteristic").font = Font(bold=True)
        _table(ws, row + 1, report.csi_table, {"csi": "0.0000"})
    _widths(ws, [26, 10, 10, 14, 14, 12, 12, 10])


def _parameters(ws: Worksheet, report: ScorecardReport) -> None:
    frame = pd.DataFrame(
        [(k, v if isinstance(v, int | float | str) else str(v)) for k, v in report.parameters.items()],
        columns=["parameter", "value"],
        dtype=object,
    )
    _table(ws, 1, frame)
    _widths(ws, [30, 60])


def write_excel(report: ScorecardReport, path: str | Path) -> Path:
    """Write the workbook to ``path`` (.xlsx) and return the path.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from openpyxl import load_workbook
    >>> from creditfactory.scorecard import FeatureBinning
    >>> from creditfactory.scorecard.report._data import build_report
    >>> b = FeatureBinning.from_counts("x", "numeric", splits=(0.5,),
    ...     count=[50, 50, 0], n_event=[30, 10, 0])
    >>> r = build_report(binnings=[b], points={"x": [10, 50, 30]},
    ...     data=pd.DataFrame({"x": [0.0, 0.0, 1.0, 1.0]}), y=[1, 0, 0, 0], score=[10, 10, 50, 50])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     load_workbook(write_excel(r, d + "/card.xlsx")).sheetnames
    ['Summary', 'Characteristics', 'Gains', 'Stability', 'Parameters']
    """
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, report)
    _characteristics(wb.create_sheet("Characteristics"), report)
    _gains(wb.create_sheet("Gains"), report)
    _stability(wb.create_sheet("Stability"), report)
    _parameters(wb.create_sheet("Parameters"), report)
    out = Path(path)
    wb.save(out)
    return out
