"""score_table: a file scored into another, the same rows and columns plus score and pd."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.scorecard import Scorecard, load_scorer, read_table, save_card, score_table
from creditfactory.scorecard.errors import DataFileInvalid, FeatureMissing


@pytest.fixture(scope="module")
def card() -> Scorecard:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"income": rng.normal(size=800), "region": rng.choice(list("abc"), 800)})
    y = (rng.random(800) < 1 / (1 + np.exp(1 + x["income"] - (x["region"] == "a")))).astype(int)
    return Scorecard(selection="none").fit(x, y)


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [7, 8, 9, 10],
        "income": [0.5, None, -1.0, 2.0],
        "region": ["a", "b", None, "zz"],
        "note": ["x", "y", "2024-01-02", "w"],
        "score": [1.0, 2.0, 3.0, 4.0],
    }, index=[10, 20, 30, 40])


@pytest.mark.parametrize("source", ["in.parquet", "in.csv"])
@pytest.mark.parametrize("target", ["out.parquet", "out.csv"])
def test_rows_and_columns_pass_through_and_score_and_pd_are_the_cards(tmp_path, card, source,
                                                                       target):
    frame = _table()
    if source.endswith(".csv"):
        frame.to_csv(tmp_path / source, index=False)
    else:
        frame.to_parquet(tmp_path / source)  # keeps the index, as pandas does by default
    save_card(card, tmp_path / "card.json")
    assert score_table(load_scorer(tmp_path / "card.json"), tmp_path / source,
                       tmp_path / target) == 4
    out = read_table(tmp_path / target)
    assert list(out.columns) == ["id", "income", "region", "note", "score", "pd"]
    assert out["id"].tolist() == [7, 8, 9, 10]
    assert out["note"].tolist() == ["x", "y", "2024-01-02", "w"]
    expected = card.points(frame.reset_index(drop=True))
    np.testing.assert_allclose(out["score"], expected)
    np.testing.assert_allclose(out["pd"], card.predict_proba(frame.reset_index(drop=True))[:, 1])


def test_a_missing_feature_is_named_and_a_bad_extension_refused(tmp_path, card):
    pd.DataFrame({"income": [1.0]}).to_csv(tmp_path / "in.csv", index=False)
    scorer = card.scorer_
    with pytest.raises(FeatureMissing, match="region"):
        score_table(scorer, tmp_path / "in.csv", tmp_path / "out.csv")
    with pytest.raises(DataFileInvalid, match="must end in .csv or .parquet"):
        score_table(scorer, tmp_path / "in.csv", tmp_path / "out.json")


@pytest.mark.parametrize("row_group_size", [None, 3])
def test_parquet_text_features_score_as_in_pandas_and_stay_text(tmp_path, card, row_group_size):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"income": np.linspace(-2, 2, 10),
                          "region": ["a", "b", None, "zz", "c", "a", "a", None, "b", "c"]})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "in.parquet",
                   row_group_size=row_group_size)
    score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.field("region").type == pq.read_schema(tmp_path / "in.parquet").field(
        "region").type
    assert not pa.types.is_dictionary(out.schema.field("region").type)
    assert out.column("region").to_pylist() == ["a", "b", None, "zz", "c", "a", "a", None, "b", "c"]
    np.testing.assert_array_equal(out.column("score").to_numpy(), card.points(frame))
