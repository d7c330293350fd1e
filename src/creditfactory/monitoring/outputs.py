"""The monitoring job's files: Parquet tables, ``stability.json``, ``report.html`` and
``report.xlsx`` in one directory."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from creditfactory.monitoring.job import MonitoringResult
from creditfactory.monitoring.report import render_report, write_workbook

__all__ = ["BSCORE_COLUMNS", "write_outputs"]

BSCORE_COLUMNS = ("loan_id", "month", "score", "pd", "reasons")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_outputs(result: MonitoringResult, out: Path, bscore: pd.DataFrame | None = None,
                  title: str = "Post-loan monitoring", excel: bool = True) -> list[str]:
    """Write every file of the job into ``out``; returns their names."""
    out.mkdir(parents=True, exist_ok=True)
    names = []

    def parquet(name: str, frame: pd.DataFrame) -> None:
        frame.to_parquet(out / name, index=False)
        names.append(name)

    if bscore is not None:
        parquet("bscore.parquet", bscore[list(BSCORE_COLUMNS)])
    parquet("alerts.parquet", result.alerts)
    if result.outlook is not None:
        parquet("industry_outlook.parquet", result.outlook)
    parquet("vintages.parquet", result.vintages)
    parquet("roll_rates.parquet", result.roll_rates)
    parquet("book.parquet", result.mix)
    if not result.performance.empty:
        parquet("model_performance.parquet", result.performance)
        parquet("model_calibration.parquet", result.calibration)
    if result.promotion is not None:
        (out / "promotion.json").write_text(
            json.dumps(_clean(result.promotion), indent=1, ensure_ascii=False), "utf-8")
        names.append("promotion.json")
    (out / "stability.json").write_text(
        json.dumps(_clean(result.stability), indent=1, ensure_ascii=False), "utf-8")
    names.append("stability.json")
    (out / "report.html").write_text(render_report(result, title), "utf-8")
    names.append("report.html")
    if excel:
        write_workbook(result, out / "report.xlsx")
        names.append("report.xlsx")
    return names
