"""The monitoring report: one self-contained HTML page (the shared ``reporting`` templates and
matplotlib charts as inline SVG) and the same tables as an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.monitoring.frame import BUCKETS, month_label, month_number
from creditfactory.monitoring.job import MonitoringResult
from creditfactory.reporting import (
    BAD,
    GOOD,
    SERIES,
    figure_svg,
    new_figure,
    render_page,
    style_axes,
)

__all__ = ["render_report", "write_workbook"]

TEMPLATES = Path(__file__).parent / "templates"


def _percent(ax: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))


def _vintage_chart(vint: pd.DataFrame, column: str, title: str) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    v = vint[vint["dimension"] == "all"]
    quarter = pd.PeriodIndex(v["vintage"], freq="M").asfreq("Q").astype(str)
    table = (v.assign(q=quarter).groupby(["q", "mob"])[["balance_" + column, "principal"]].sum())
    paid = v.drop_duplicates("vintage").assign(q=pd.PeriodIndex(
        v.drop_duplicates("vintage")["vintage"], freq="M").asfreq("Q").astype(str)
    ).groupby("q")["principal"].sum()
    rate = (table["balance_" + column] / paid.reindex(table.index.get_level_values(0)).to_numpy()
            ).unstack("mob")
    for i, (name, row) in enumerate(rate.iterrows()):
        ax.plot(row.index, row.to_numpy(), color=SERIES[i % len(SERIES)], linewidth=1.2,
                label=str(name))
    _percent(ax)
    style_axes(ax, title, "months on book", "share of paid-out principal")
    ax.legend(fontsize=7, ncol=2, frameon=False)
    return figure_svg(fig)


def _book_chart(mix: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    m = mix[mix["dimension"] == "all"]
    x = pd.PeriodIndex(m["month"], freq="M").to_timestamp()
    for i, (col, label) in enumerate((("npl_ratio", "NPL ratio"), ("dpd30_ratio", "30+ DPD"),
                                      ("dpd90_ratio", "90+ DPD"))):
        ax.plot(x, m[col], color=SERIES[i], linewidth=1.3, label=label)
    _percent(ax)
    style_axes(ax, "The book month by month", "month", "share of on-book balance")
    ax.legend(fontsize=7, frameon=False)
    return figure_svg(fig)


def _roll_chart(rolls: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    r = rolls[(rolls["dimension"] == "all") & (rolls["kind"] == "roll")]
    agg = r.groupby("source")[["moved", "balance"]].sum().reindex(list(BUCKETS[:-1])).dropna()
    ax.bar([f"{s}→{BUCKETS[BUCKETS.index(s) + 1]}" for s in agg.index],
           agg["moved"] / agg["balance"], color=BAD)
    _percent(ax)
    style_axes(ax, "Roll rates over the book's life (balance)", "bucket move", "share of balance")
    return figure_svg(fig)


def _psi_chart(psi: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    for i, (name, p) in enumerate(psi.groupby("model")):
        ax.plot(pd.PeriodIndex(p["month"], freq="M").to_timestamp(), p["psi"], marker="o",
                markersize=2.5, color=SERIES[i], label=str(name))
    for y, c in ((0.1, "#d9a13b"), (0.25, BAD)):
        ax.axhline(y, color=c, linewidth=0.8, linestyle="--")
    style_axes(ax, "Score stability (PSI against the development sample)", "month", "PSI")
    ax.legend(fontsize=7, frameon=False)
    return figure_svg(fig)


def _performance_chart(perf: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    for i, (name, p) in enumerate(perf.groupby("model")):
        ax.plot(pd.PeriodIndex(p["month"], freq="M").to_timestamp(), p["auc"], marker="o",
                markersize=2.5, color=SERIES[i], label=f"{name} AUC")
        ax.plot(pd.PeriodIndex(p["month"], freq="M").to_timestamp(), p["ks"], linestyle="--",
                linewidth=1, color=SERIES[i], label=f"{name} KS")
    style_axes(ax, "Scorecards against matured outcomes", "month outcomes were known", "AUC / KS")
    ax.legend(fontsize=7, frameon=False)
    return figure_svg(fig)


def _outlook_chart(outlook: pd.DataFrame) -> str:
    fig = new_figure(7.2, 3.6)
    ax = fig.add_subplot()
    # industries of 100 loans, or of a fifth of the largest industry's in a small book
    floor = min(100, max(10, int(outlook["loans"].max() * 0.2))) if len(outlook) else 100
    big = outlook[outlook["loans"] >= floor]
    last = big[big["month"] == big["month"].max()]
    top = set(big[big["flagged"]]["industry"]) | set(
        last.nlargest(3, "forecast_90plus_6m")["industry"])
    for i, ind in enumerate(sorted(top)[:5]):
        o = outlook[(outlook["industry"] == ind) & (outlook["loans"] >= floor)]
        x = pd.PeriodIndex(o["month"], freq="M").to_timestamp()
        colour = SERIES[i % len(SERIES)]
        ax.plot(x, o["forecast_90plus_6m"], color=colour, linewidth=1.3, label=ind)
        ax.fill_between(x, o["low"], o["high"], color=colour, alpha=0.07, linewidth=0)
        flag = o[o["flagged"]]
        ax.scatter(pd.PeriodIndex(flag["month"], freq="M").to_timestamp(),
                   flag["forecast_90plus_6m"], color=colour, marker="^", s=14, zorder=3)
    _percent(ax)
    style_axes(ax, "Industry outlook: forecast 90+ within 6 months (▲ flagged)", "month",
               "share of active loans")
    if ax.get_legend_handles_labels()[0]:  # a small book may have no industry of 100 loans
        ax.legend(fontsize=7, frameon=False, ncol=3)
    return figure_svg(fig)


def _alert_chart(alerts: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    counts = alerts.groupby(["month", "level"]).size().unstack("level").fillna(0)
    x = pd.PeriodIndex(counts.index, freq="M").to_timestamp()
    bottom = np.zeros(len(counts))
    for level, colour in (("amber", "#d9a13b"), ("red", BAD)):
        if level in counts:
            ax.bar(x, counts[level], bottom=bottom, width=25, color=colour, label=level)
            bottom += counts[level].to_numpy()
    style_axes(ax, "Alerts by month", "month", "alerts")
    ax.legend(fontsize=7, frameon=False)
    return figure_svg(fig)


def _shown_months(mix: pd.DataFrame, share: float = 0.1) -> set[str]:
    """The months whose book holds at least ``share`` of its largest month's loans: a run-off
    book's last few loans would otherwise fill the charts with noise."""
    book = mix[mix["dimension"] == "all"]
    return set(book.loc[book["loans"] >= share * book["loans"].max(), "month"])


def render_report(result: MonitoringResult, title: str = "Post-loan monitoring") -> str:
    """The HTML report of ``result`` (charts and tables over the months with a real book)."""
    shown = _shown_months(result.mix)
    latest = max(shown)
    mix = result.mix[result.mix["month"].isin(shown)]
    vint = result.vintages
    size = vint[vint["dimension"] == "all"].groupby("vintage")["loans"].first()
    seen_in = month_label(month_number(pd.to_datetime(vint["vintage"]))
                          + vint["mob"].to_numpy(np.int32))
    vint = vint[vint["vintage"].isin(size.index[size >= 0.1 * size.max()])
                & np.isin(seen_in, list(shown))]
    rolls = result.roll_rates[result.roll_rates["month"].isin(shown)]
    charts = [_book_chart(mix), _vintage_chart(vint, "30plus", "Vintages: 30+ DPD"),
              _vintage_chart(vint, "90plus", "Vintages: 90+ DPD"), _roll_chart(rolls)]
    psi = result.psi
    if not psi.empty:
        psi = psi[psi["month"].isin(shown) & (psi["n"] >= 100)]
    if not psi.empty:
        charts.append(_psi_chart(psi))
    alerts = result.alerts[result.alerts["month"].isin(shown)]
    if not alerts.empty:
        charts.append(_alert_chart(alerts))
    outlook_chart, outlook_rows = "", []
    if result.outlook is not None and not result.outlook.empty:
        o = result.outlook[result.outlook["month"].isin(shown)]
        outlook_chart = _outlook_chart(o)
        least = min(30, max(5, int(o["loans"].max() * 0.2))) if len(o) else 30
        outlook_rows = o[(o["month"] == latest) & (o["loans"] >= least)].sort_values(
            "forecast_90plus_6m", ascending=False).to_dict("records")
    perf = result.performance
    perf_chart, perf_rows, cal_rows = "", [], []
    if not perf.empty:
        shown_perf = perf[perf["month"].isin(shown) & perf["auc"].notna()]
        if not shown_perf.empty:
            perf_chart = _performance_chart(shown_perf)
        # each model's latest month with a real sample (a run-off book's tail is noise)
        ok = perf[perf["month"].isin(shown)]
        ok = ok[ok["n"] >= 0.1 * ok.groupby("model")["n"].transform("max")]
        last = (ok if not ok.empty else perf).sort_values("month").groupby("model").tail(1)
        perf_rows = last.to_dict("records")
        cal = result.calibration
        cal_rows = cal.merge(last[["model", "month"]], on=["model", "month"]).to_dict("records")
    dims = mix[(mix["month"] == latest)].sort_values(["dimension", "npl_ratio"],
                                                     ascending=[True, False])
    return render_page(TEMPLATES, "monitoring_report.html.j2", title=title, latest=latest,
                       charts=charts, outlook_chart=outlook_chart, outlook=outlook_rows,
                       alerts=alerts.head(200).to_dict("records"), n_alerts=len(alerts),
                       groups=dims.to_dict("records"), stability=result.stability, good=GOOD,
                       span=(min(shown), latest), perf_chart=perf_chart, perf=perf_rows,
                       calibration=cal_rows, promotion=result.promotion)


def write_workbook(result: MonitoringResult, path: Path) -> None:
    """The report's tables as sheets (Alerts, Book, Roll rates, Vintages, Stability, CSI,
    Outlook); the book by channel stays in ``book.parquet`` (hundreds of channels a month)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)  # streamed rows: a tenth of the time of cell objects
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("Alerts", result.alerts),
        ("Book", result.mix[result.mix["dimension"] != "channel"]),  # channels: book.parquet
        ("Roll rates", result.roll_rates[(result.roll_rates["kind"] != "transition")
                                         & (result.roll_rates["dimension"] == "all")]),
        ("Vintages", result.vintages[result.vintages["dimension"] == "all"]),
        ("Stability", result.psi), ("CSI", result.csi)]
    if not result.performance.empty:
        sheets += [("Model performance", result.performance),
                   ("Calibration", result.calibration)]
    if result.outlook is not None:
        sheets.append(("Outlook", result.outlook))
    bold = Font(bold=True)
    for name, frame in sheets:
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        header = []
        for c in frame.columns:
            cell = WriteOnlyCell(ws, value=str(c))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
        for row in values:
            ws.append(row)
    wb.save(path)
