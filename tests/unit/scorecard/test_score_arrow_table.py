"""An Arrow table scores as its pandas form does, and scoring a file loads no pandas."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard import FeatureBinning, score_table
from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
from creditfactory.scorecard._points import Scaling

AGE = FeatureBinning.from_counts(
    "age", "numeric", splits=(25.0, 40.0, 60.0), special_values=(-1.0, 999.0),
    count=[10, 20, 30, 10, 5, 5, 3], n_event=[4, 5, 4, 1, 2, 1, 1])
REGION = FeatureBinning.from_counts(
    "region", "categorical", categories=(("N", "E"), ("S",), ("W", "other")),
    special_values=("unknown",), count=[30, 20, 10, 4, 2], n_event=[3, 6, 4, 1, 1])
GRADE = FeatureBinning.from_counts(
    "grade", "categorical", categories=(("1", "2"), ("3",)), count=[30, 20, 5],
    n_event=[3, 6, 1])


def _scorer() -> CompiledScorer:
    return CompiledScorer([CompiledFeature.build(AGE, [10.0, 20.0, 30.0, 40.0, -5.0, 7.0, 1.0]),
                           CompiledFeature.build(REGION, [50.0, 15.0, 25.0, 3.0, 8.0]),
                           CompiledFeature.build(GRADE, [4.0, 9.0, 2.0])], Scaling(), 0.0)


numbers = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.sampled_from([-1.0, 999.0, 25.0, 40.0, 60.0]))
levels = st.one_of(st.sampled_from(["N", "E", "S", "W", "other", "unknown", "Z"]), st.none())
grades = st.one_of(st.integers(0, 4), st.none())


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(2, 30), cut=st.integers(1, 29))
def test_an_arrow_table_in_chunks_scores_as_its_pandas_frame(data, n, cut):
    age = data.draw(st.lists(numbers, min_size=n, max_size=n))
    region = data.draw(st.lists(levels, min_size=n, max_size=n))
    grade = data.draw(st.lists(grades, min_size=n, max_size=n))
    frame = pd.DataFrame({"age": pd.Series(age, dtype="float64"),
                          "region": pd.Series(region, dtype=object),
                          "grade": pd.Series(grade, dtype="Int64")})
    # two chunks, the second an offset slice: the buffers are read with their offsets
    cut = min(cut, n - 1)
    whole = pa.table({"age": pa.array(age, pa.float64()), "region": pa.array(region, pa.string()),
                      "grade": pa.array(grade, pa.int64())})
    table = pa.concat_tables([whole.slice(0, cut), whole.slice(cut)])
    scorer = _scorer()
    expected = scorer.score(frame)
    assert np.array_equal(scorer.score(table), expected)
    as_dictionary = table.set_column(1, "region", table.column("region").dictionary_encode())
    large = table.set_column(1, "region", table.column("region").cast(pa.large_string()))
    assert np.array_equal(scorer.score(as_dictionary), expected)
    assert np.array_equal(scorer.score(large), expected)


def test_text_in_a_numeric_feature_and_a_decimal_level_go_through_pandas():
    table = pa.table({"age": ["30", "x", None], "region": ["N", "S", "W"],
                      "grade": pa.array([1.0, 3.0, None], pa.float64())})
    frame = pd.DataFrame({"age": ["30", "x", None], "region": ["N", "S", "W"],
                          "grade": [1.0, 3.0, None]})
    scorer = _scorer()
    assert scorer.score(table).tolist() == scorer.score(frame).tolist() == [
        20.0 + 50.0 + 4.0, 1.0 + 15.0 + 9.0, 1.0 + 25.0 + 2.0]


def test_a_parquet_file_scored_into_itself_keeps_its_rows(tmp_path):
    path = tmp_path / "book.parquet"
    pq.write_table(pa.table({"id": [1, 2], "age": [30.0, 70.0], "region": ["N", "unknown"],
                             "grade": [2, 3]}), path)
    assert score_table(_scorer(), path, path) == 2
    out = pq.read_table(path)
    assert out.column_names == ["id", "age", "region", "grade", "score", "pd"]
    assert out.column("score").to_pylist() == [20.0 + 50.0 + 4.0, 40.0 + 3.0 + 9.0]


def test_scorecard_score_loads_no_pandas_sklearn_or_world(tmp_path):
    from creditfactory.scorecard import Scorecard, save_card

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"income": rng.normal(size=600), "region": rng.choice(list("abc"), 600)})
    y = (rng.random(600) < 1 / (1 + np.exp(1 + x["income"]))).astype(int)
    save_card(Scorecard(selection="none").fit(x, y), tmp_path / "card.json")
    x.to_parquet(tmp_path / "in.parquet")
    x.to_csv(tmp_path / "in.csv", index=False)
    forbidden = ("pandas", "sklearn", "scipy", "creditfactory.world", "rich.progress",
                 "rich.table")
    for source in ("in.parquet", "in.csv"):
        code = (
            "import json, sys\n"
            "from creditfactory.cli import main\n"
            f"sys.argv = ['creditfactory', 'scorecard', 'score', {str(tmp_path / 'card.json')!r},"
            f" {str(tmp_path / source)!r}, '--out', {str(tmp_path / 'out.parquet')!r}]\n"
            "main()\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}"
            f" or m.startswith({forbidden!r}))))\n"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        assert json.loads(run.stdout.splitlines()[-1]) == [], source
        assert pq.read_table(tmp_path / "out.parquet").num_rows == 600
