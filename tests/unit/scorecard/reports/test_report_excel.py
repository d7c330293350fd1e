"""The Excel workbook carries the card the way a model-validation team reads it."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from creditfactory.scorecard.report import build_report, write_excel


@pytest.fixture(scope="module")
def report(card_kit):
    make_sample, make_card = card_kit.make_sample, card_kit.make_card
    dev, y_dev = make_sample(3000, seed=21)
    new, y_new = make_sample(1500, seed=22)
    binnings, points, dev_score = make_card(dev, y_dev)
    score = sum(points[b.name][b.bin_index(new[b.name])] for b in binnings)
    return build_report(binnings=binnings, points=points, data=new, y=y_new, score=score,
                        base_data=dev, base_score=dev_score,
                        parameters={"objective": "logistic", "pdo": 20.0})


def test_workbook_has_the_validation_sheets_with_the_report_figures(report, tmp_path):
    wb = load_workbook(write_excel(report, tmp_path / "card.xlsx"))
    assert wb.sheetnames == ["Summary", "Characteristics", "Gains", "Stability", "Parameters"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["AUC"] == pytest.approx(report.summary["auc"])
    assert summary["score PSI"] == pytest.approx(report.psi)
    params = dict(wb["Parameters"].iter_rows(min_row=2, values_only=True))
    assert params == {"objective": "logistic", "pdo": 20.0}


def test_characteristics_sheet_lists_every_bin_with_its_points(report, tmp_path):
    ws = load_workbook(write_excel(report, tmp_path / "card.xlsx"))["Characteristics"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ("characteristic", "bin"))
    detail = [r for r in rows[header_at + 1 :] if r[0] is not None]
    assert len(detail) == sum(len(c.table) for c in report.characteristics)
    points = [r[6] for r in detail]
    expected = [p for c in report.characteristics for p in c.table["points"]]
    assert points == pytest.approx(expected)


def test_gains_sheet_holds_every_band_and_a_chart(report, tmp_path):
    ws = load_workbook(write_excel(report, tmp_path / "card.xlsx"))["Gains"]
    counts = [r[3] for r in ws.iter_rows(min_row=2, max_row=len(report.gains) + 1, values_only=True)]
    assert counts == report.gains["count"].tolist()


def test_gains_chart_is_written(report, tmp_path):
    import zipfile

    path = write_excel(report, tmp_path / "card.xlsx")
    with zipfile.ZipFile(path) as z:
        assert any(name.startswith("xl/charts/chart") for name in z.namelist())
