"""A portfolio run's figures by the design's definitions, its files and its report.

Cumulative NPL: principal outstanding when each loan first became non-performing (past 90
DPD), summed, over principal paid out; net loss: per loan that principal less everything
received afterwards (never below zero), summed, over principal paid out. Vintage: loans by
payout month (quarter in the report), at each month on book the share of paid-out principal
30+ or 90+ DPD. Roll rate: the share of balance in bucket Mn at a month end that is in M(n+1)
at the next.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from creditfactory.data.schema import MONEY
from creditfactory.evaluation.portfolio import LOAN_COLUMNS, STATUS, PortfolioBook
from creditfactory.evaluation.portfolio_play import text_column
from creditfactory.reporting import SERIES, figure_svg, new_figure, pct, render_page, style_axes
from creditfactory.servicing.close import BUCKETS, CLASSES

__all__ = ["SEED_NET_LOSS", "SEED_NPL", "portfolio_summary", "roll_rates", "vintages",
           "write_portfolio"]

SEED_NPL, SEED_NET_LOSS = 0.0237, 0.006
TEMPLATES = Path(__file__).parent / "templates"
_MONEY = {"schedules": ("principal_due", "interest_due"),
          "transactions": ("amount", "principal", "interest", "penalty"),
          "monthly": ("principal_outstanding",)}


def vintages(loans: pd.DataFrame, monthly: pd.DataFrame, dpd: int, by: str = "Q") -> pd.DataFrame:
    """Share of each vintage's paid-out principal more than ``dpd`` days past due, by MOB
    (rows: payout period, columns: MOB)."""
    period = pd.to_datetime(loans["booked_on"]).dt.to_period(by).astype(str)
    names, code = np.unique(period.to_numpy(str), return_inverse=True)
    paid_out = loans.groupby(period.to_numpy())["principal"].sum()
    ids = loans["loan_id"].to_numpy(np.int64)
    order = np.argsort(ids, kind="stable")
    m_ids = monthly["loan_id"].to_numpy(np.int64)
    at = order[np.minimum(np.searchsorted(ids, m_ids, sorter=order), len(ids) - 1)]
    vint = np.where(ids[at] == m_ids, code[at], -1)
    bad = np.where(monthly["dpd"].to_numpy() > dpd,
                   monthly["principal_outstanding"].to_numpy() / 100, 0.0)
    frame = pd.DataFrame({"vintage": vint, "mob": monthly["mob"].to_numpy(), "bad": bad})
    table = frame[vint >= 0].groupby(["vintage", "mob"])["bad"].sum().unstack("mob").fillna(0.0)
    table.index = pd.Index(names[table.index.to_numpy()], name="vintage")
    return table.div(paid_out.reindex(table.index), axis=0)


def _sorted_by_loan(monthly: pd.DataFrame) -> bool:
    """Whether the rows are in loan and month order already (the run's are)."""
    loan, month = monthly["loan_id"].to_numpy(), monthly["month"].to_numpy()
    step = np.diff(loan)
    return bool((step >= 0).all() and (np.diff(month)[step == 0] > np.timedelta64(0)).all())


def roll_rates(monthly: pd.DataFrame) -> pd.DataFrame:
    """Balance-weighted roll rates from each bucket to the next, month end to month end."""
    m = monthly if _sorted_by_loan(monthly) else monthly.sort_values(["loan_id", "month"], kind="stable")
    same = m["loan_id"].to_numpy()[1:] == m["loan_id"].to_numpy()[:-1]
    src, dst = m["bucket"].to_numpy()[:-1][same], m["bucket"].to_numpy()[1:][same]
    bal = m["principal_outstanding"].to_numpy()[:-1][same] / 100
    rows = []
    for b in range(len(BUCKETS) - 1):
        at = src == b
        base = float(bal[at].sum())
        rows.append({"source": BUCKETS[b], "target": BUCKETS[b + 1],
                     "rate": float(bal[at & (dst == b + 1)].sum() / base) if base else 0.0,
                     "balance": base})
    return pd.DataFrame(rows)


def portfolio_summary(loans: pd.DataFrame, pb: PortfolioBook, strategy: str,
                      tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None = None
                      ) -> dict[str, Any]:
    """The run's figures (``summary.json``); ``tables`` the 30+ and 90+ vintages and the roll
    rates when already computed."""
    disbursed = float(pb.disbursed.sum())
    npl = pb.npl_principal
    net = np.maximum(npl - pb.received_after_npl, 0)
    v30, v90, rolls = tables or (vintages(loans, pb.monthly, 30), vintages(loans, pb.monthly, 90),
                                 roll_rates(pb.monthly))
    m = pb.monthly
    if _sorted_by_loan(m):
        loan = m["loan_id"].to_numpy()
        end_status = m["status"].to_numpy()[np.append(loan[1:] != loan[:-1], True)] if len(m) else loan
    else:
        end_status = m.sort_values("month").groupby("loan_id").tail(1)["status"].to_numpy()
    return {
        "strategy": strategy,
        "booked_loans": len(loans),
        "booked_principal": round(disbursed / 100, 2),
        "mean_rate": float((loans["rate"] * loans["principal"]).sum() / loans["principal"].sum()),
        "cumulative_npl_rate": float(npl.sum() / disbursed),
        "net_loss_rate": float(net.sum() / disbursed),
        "written_off_rate": float(pb.written_off_principal.sum() / disbursed),
        "recovered": round(float(pb.recovered.sum()) / 100, 2),
        "principal_outstanding": round(float(pb.principal_outstanding.sum()) / 100, 2),
        "as_of": pb.as_of.isoformat(),
        "seed": {"cumulative_npl_rate": SEED_NPL, "net_loss_rate": SEED_NET_LOSS},
        "final_status": {STATUS[s]: int(c) for s, c in
                         zip(*np.unique(end_status, return_counts=True), strict=True)},
        "vintages_30plus": {k: [round(float(x), 5) for x in row] for k, row in v30.iterrows()},
        "vintages_90plus": {k: [round(float(x), 5) for x in row] for k, row in v90.iterrows()},
        "roll_rates": rolls.to_dict("records"),
        "banks": {str(k): int(v) for k, v in loans["bank"].value_counts().items()},
    }


def _vintage_chart(table: pd.DataFrame, title: str) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    for i, (name, row) in enumerate(table.iterrows()):
        ax.plot(row.index, row.to_numpy(), color=SERIES[i % len(SERIES)], linewidth=1.3,
                alpha=0.5 + 0.5 * (i + 1) / len(table), label=str(name) if i % 2 == 0 else None)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    style_axes(ax, title, "months on book", "share of paid-out principal")
    ax.legend(fontsize=7, ncol=2, frameon=False)
    return figure_svg(fig)


def _roll_chart(rolls: pd.DataFrame) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar([f"{s}→{t}" for s, t in zip(rolls["source"], rolls["target"], strict=True)], rolls["rate"],
           color=SERIES[1])
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    style_axes(ax, "Roll rates (balance)", "bucket move", "share of balance")
    return figure_svg(fig)


def _decimal(fen: np.ndarray) -> pa.Array:
    """Fen as CNY ``decimal128(14, 2)``: the fen are the decimal's unscaled value, written
    straight into its 16-byte little-endian slots (exact, no float on the way)."""
    fen = np.asarray(fen, np.int64)
    slots = np.empty((len(fen), 2), np.int64)
    slots[:, 0], slots[:, 1] = fen, fen >> 63
    return pa.Array.from_buffers(MONEY, len(fen), [None, pa.py_buffer(slots)])


def _money_table(frame: pd.DataFrame, money: tuple[str, ...]) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in money:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, _decimal(frame[name].to_numpy(np.int64)))
    return table


CHUNK_ROWS = 1 << 20
"""Rows written at a time: the text columns are made and the table converted chunk by chunk,
never for a whole file at once."""


def write_chunked(frame: pd.DataFrame, path: Path, money: tuple[str, ...] = (),
                  codes: dict[str, tuple[str, ...]] | None = None) -> None:
    """Write ``frame`` to ``path`` in chunks of :data:`CHUNK_ROWS`: fen columns ``money`` as
    CNY decimals, integer ``codes`` columns as their names."""
    writer: pq.ParquetWriter | None = None
    try:
        for lo in range(0, max(len(frame), 1), CHUNK_ROWS):
            part = frame.iloc[lo:lo + CHUNK_ROWS]
            if codes:
                part = part.assign(**{c: text_column(part[c].to_numpy(), names).set_axis(part.index)
                                      for c, names in codes.items()})
            table = _money_table(part, money)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def write_portfolio(loans: pd.DataFrame, pb: PortfolioBook, strategy: str, out: Path,
                    label: str = "", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write loans, schedules, transactions, monthly rows, ``summary.json`` and ``report.html``;
    ``extra`` figures join the summary."""
    out.mkdir(parents=True, exist_ok=True)
    frame = loans[list(LOAN_COLUMNS)].copy()
    frame["principal"] = np.round(frame["principal"].to_numpy(float) * 100).astype(np.int64)
    pq.write_table(_money_table(frame, ("principal",)), out / "loans.parquet")
    write_chunked(pb.schedules, out / "schedules.parquet", _MONEY["schedules"])
    write_chunked(pb.transactions, out / "transactions.parquet", _MONEY["transactions"])
    write_chunked(pb.monthly, out / "monthly.parquet", _MONEY["monthly"],
                  {"bucket": BUCKETS, "class5": CLASSES, "status": STATUS})
    v30, v90, rolls = vintages(loans, pb.monthly, 30), vintages(loans, pb.monthly, 90), roll_rates(pb.monthly)
    summary = portfolio_summary(loans, pb, strategy, (v30, v90, rolls)) | dict(extra or {})
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), "utf-8")
    figures = [
        ("booked loans", f"{summary['booked_loans']:,}", ""),
        ("booked principal (CNY)", f"{summary['booked_principal']:,.0f}", "20.4 bn in 3 years"),
        ("mean rate", pct(summary["mean_rate"], 2), "18–24 %"),
        ("cumulative NPL", pct(summary["cumulative_npl_rate"], 2), pct(SEED_NPL, 2)),
        ("net loss (after write-off and recovery)", pct(summary["net_loss_rate"], 2), pct(SEED_NET_LOSS, 2)),
        ("written off", pct(summary["written_off_rate"], 2), ""),
        ("recovered after write-off (CNY)", f"{summary['recovered']:,.0f}", ""),
    ]
    charts = [_vintage_chart(v30, "Vintages: 30+ DPD"), _vintage_chart(v90, "Vintages: 90+ DPD"),
              _roll_chart(rolls)]
    (out / "report.html").write_text(render_page(
        TEMPLATES, "portfolio_report.html.j2", strategy=strategy, label=label, figures=figures,
        charts=charts, rolls=rolls.to_dict("records")), "utf-8")
    return summary
