"""score_table's Parquet output: the input's values and schema, each column encoded as the
input's encoding and codec achieved, statistics on score and pd."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditfactory.scorecard import Scorecard, score_table


@pytest.fixture(scope="module")
def card() -> Scorecard:
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"income": rng.normal(size=600), "region": rng.choice(list("abc"), 600)})
    y = (rng.random(600) < 1 / (1 + np.exp(1 + x["income"] - (x["region"] == "a")))).astype(int)
    return Scorecard(selection="none").fit(x, y)


def _frame(rows: int = 20_000) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    return pd.DataFrame({
        "income": rng.normal(size=rows),  # random floats: Snappy cannot shrink them
        "counter": np.arange(rows, dtype=np.float64) * 0.5,  # regular bytes: Snappy can
        "visits": rng.poisson(3.0, size=rows).astype(np.float64),  # a few distinct values
        "region": rng.choice(["a", "b", "c", "zz"], size=rows),
        "with_gaps": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(size=rows)),
    })


def _chunks(path) -> dict[str, pq.ColumnChunkMetaData]:
    group = pq.ParquetFile(path).metadata.row_group(0)
    return {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}


def test_each_column_is_encoded_as_the_input_managed_and_values_and_schema_stay(tmp_path,
                                                                                  card):
    frame = _frame()
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    assert score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet") == len(
        frame)
    written = _chunks(tmp_path / "out.parquet")
    assert written["income"].compression == "UNCOMPRESSED"
    assert written["counter"].compression == "SNAPPY"
    assert written["visits"].has_dictionary_page
    assert written["visits"].total_uncompressed_size < 0.5 * 8 * len(frame)
    assert written["region"].has_dictionary_page
    assert written["score"].statistics is not None and written["score"].statistics.has_min_max
    assert written["pd"].statistics.has_min_max
    assert written["income"].statistics is None

    out = pd.read_parquet(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(out.drop(columns=["score", "pd"]), frame)
    np.testing.assert_allclose(out["score"], card.points(frame))
    np.testing.assert_allclose(out["pd"], card.predict_proba(frame)[:, 1])
    stored = pq.read_schema(tmp_path / "in.parquet")
    assert pq.read_schema(tmp_path / "out.parquet").remove_metadata() == pa.schema(
        [*stored.remove_metadata(), pa.field("score", pa.float64()), pa.field("pd", pa.float64())])


def test_a_zstd_input_column_that_shrank_stays_zstd_and_csv_input_keeps_the_defaults(tmp_path,
                                                                                      card):
    frame = _frame(5_000)
    frame.to_parquet(tmp_path / "in.parquet", index=False, compression="zstd")
    score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    assert _chunks(tmp_path / "out.parquet")["counter"].compression == "ZSTD"

    frame.to_csv(tmp_path / "in.csv", index=False)
    score_table(card.scorer_, tmp_path / "in.csv", tmp_path / "from_csv.parquet")
    written = _chunks(tmp_path / "from_csv.parquet")
    assert {c.compression for c in written.values()} == {"SNAPPY"}
    assert written["income"].statistics.has_min_max
    np.testing.assert_allclose(pd.read_parquet(tmp_path / "from_csv.parquet")["score"],
                               card.points(frame))


def test_a_dictionary_column_of_the_input_stays_a_dictionary(tmp_path, card):
    frame = _frame(1_000).assign(region=lambda f: f["region"].astype("category"),
                                 segment=lambda f: pd.Categorical(["x", "y"] * 500))
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert schema.field("segment").type == pq.read_schema(tmp_path / "in.parquet").field(
        "segment").type
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["segment"].tolist() == ["x", "y"] * 500
    assert out["region"].astype(str).tolist() == frame["region"].astype(str).tolist()
    np.testing.assert_allclose(out["score"], card.points(frame))


def test_a_file_scored_in_blocks_is_the_file_scored_whole(tmp_path, card, monkeypatch):
    from creditfactory.scorecard import _parquet_io

    frame = _frame(2_500).assign(segment=lambda f: pd.Categorical(
        np.where(f.index % 3 == 0, "x", np.where(f.index < 1_500, "y", "z"))))
    frame.loc[frame.index % 7 == 0, "region"] = None
    frame.to_parquet(tmp_path / "in.parquet", index=False, row_group_size=1_000)
    score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "whole.parquet")
    monkeypatch.setattr(_parquet_io, "BLOCK_ROWS", 400)
    for name in ("blocks.parquet", "blocks.csv"):
        assert score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / name) == 2_500
    assert pq.ParquetFile(tmp_path / "blocks.parquet").metadata.num_row_groups > 3
    whole = pq.read_table(tmp_path / "whole.parquet")
    assert pq.read_table(tmp_path / "blocks.parquet").equals(whole)
    from_csv = pd.read_csv(tmp_path / "blocks.csv")
    assert from_csv["segment"].tolist() == frame["segment"].astype(str).tolist()
    np.testing.assert_allclose(from_csv["score"], whole.column("score").to_numpy())


def test_a_file_that_fails_in_a_later_block_leaves_no_output(tmp_path, card, monkeypatch):
    from creditfactory.scorecard import _parquet_io
    from creditfactory.scorecard.errors import DataFileInvalid

    frame = _frame(1_000)
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    monkeypatch.setattr(_parquet_io, "BLOCK_ROWS", 300)
    calls = []
    real = card.scorer_.score

    def fails_third(block):
        calls.append(len(block))
        if len(calls) == 3:
            raise DataFileInvalid("third block refused")
        return real(block)

    monkeypatch.setattr(card.scorer_, "score", fails_third)
    with pytest.raises(DataFileInvalid, match="third block"):
        score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    assert calls == [300, 300, 300]
    assert not (tmp_path / "out.parquet").exists()


def test_a_parquet_file_without_rows_is_refused_and_nothing_is_written(tmp_path, card):
    from creditfactory.scorecard.errors import DataFileInvalid

    _frame(10).head(0).to_parquet(tmp_path / "in.parquet", index=False)
    with pytest.raises(DataFileInvalid, match="holds no rows"):
        score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


def test_text_features_written_from_their_codes_make_the_file_pyarrow_writes_for_text(
        tmp_path, card):
    frame = _frame(3_000)
    frame.loc[frame.index % 5 == 0, "region"] = None
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    score_table(card.scorer_, tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.field("region").type == pa.large_string()  # as pandas stored it
    assert out.column("region").to_pylist() == [None if pd.isna(v) else v for v in frame["region"]]
    pq.write_table(out, tmp_path / "reference.parquet")
    written, reference = pq.ParquetFile(tmp_path / "out.parquet"), pq.ParquetFile(
        tmp_path / "reference.parquet")
    assert written.schema.equals(reference.schema)
    assert written.metadata.metadata == reference.metadata.metadata  # ARROW:schema included
    assert _chunks(tmp_path / "out.parquet")["region"].has_dictionary_page
