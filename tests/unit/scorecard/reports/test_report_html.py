"""The HTML report is one self-contained page holding every figure of the report."""

from __future__ import annotations

import re

import numpy as np
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import metrics
from creditfactory.scorecard.report import build_report, render_html, write_html


@pytest.fixture(scope="module")
def samples(card_kit):
    make_sample, make_card = card_kit.make_sample, card_kit.make_card
    dev, y_dev = make_sample(3000, seed=11)
    new, y_new = make_sample(2000, seed=12, shift=0.4)
    binnings, points, _ = make_card(dev, y_dev)
    return dev, y_dev, new, y_new, binnings, points


def _score(binnings, points, data):
    return sum(points[b.name][b.bin_index(data[b.name])] for b in binnings)


def test_report_figures_match_the_metrics_and_bin_counts_cover_every_row(samples):
    dev, y_dev, *_ , binnings, points = samples
    score = _score(binnings, points, dev)
    r = build_report(binnings=binnings, points=points, data=dev, y=y_dev, score=score)
    assert r.summary["auc"] == pytest.approx(metrics.auc(y_dev, -score))
    assert r.summary["ks"] == pytest.approx(metrics.ks(y_dev, score))
    for c in r.characteristics:
        assert c.table["count"].sum() == len(dev)
        assert c.table["bads"].sum() == y_dev.sum()
        np.testing.assert_array_equal(c.table["count"], c.table["dev_count"])
    assert r.psi_table is None and r.csi_table is None


def test_html_is_self_contained_and_escapes_labels(samples):
    dev, y_dev, *_, binnings, points = samples
    r = build_report(binnings=binnings, points=points, data=dev, y=y_dev,
                     score=_score(binnings, points, dev), parameters={"pdo": 20})
    html = render_html(r)
    assert html.count("<svg") == 4
    for forbidden in ("<script", 'src="http', 'href="http', "<link", "<iframe", "@import"):
        assert forbidden not in html
    assert "{&lt;east&gt;}" in html and "{<east>}" not in html
    assert f"{r.summary['ks']:.3f}" in html
    assert "Stability against the base sample" not in html


def test_html_with_a_base_sample_shows_psi_and_csi(samples, tmp_path):
    dev, y_dev, new, y_new, binnings, points = samples
    r = build_report(binnings=binnings, points=points, data=new, y=y_new,
                     score=_score(binnings, points, new), base_data=dev,
                     base_score=_score(binnings, points, dev), n_boot=30)
    assert r.psi == pytest.approx(metrics.psi(_score(binnings, points, dev),
                                              _score(binnings, points, new)))
    assert r.csi_table["feature"].iloc[0] == "income"
    path = write_html(r, tmp_path / "card.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 5
    assert f"{r.psi:.4f}" in html
    assert re.search(r'class="(stable|watch|act)"', html)
    assert "95% CI" in html


def test_points_that_do_not_fit_the_bins_are_refused(samples):
    dev, y_dev, *_, binnings, points = samples
    bad = dict(points, income=points["income"][:-1])
    with pytest.raises(InvalidArgument, match="income"):
        build_report(binnings=binnings, points=bad, data=dev, y=y_dev,
                     score=np.zeros(len(dev)))
    with pytest.raises(InvalidArgument, match="region"):
        build_report(binnings=binnings, points=points, data=dev.drop(columns="region"),
                     y=y_dev, score=np.zeros(len(dev)))
