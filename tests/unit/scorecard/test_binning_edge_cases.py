"""Degenerate and special inputs: constant, all-missing, one class, specials, user splits,
unseen levels, missing columns, NumPy and pandas extension dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import Binner, WoETransformer
from creditfactory.scorecard.errors import FeatureMissing


def _y(n: int, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(size=n) < 0.3).astype(int)


def test_constant_feature_gets_one_regular_bin_and_no_trend():
    X = pd.DataFrame({"c": np.full(500, 7.0)})
    b = Binner().fit(X, _y(500)).binnings_["c"]
    assert b.splits == () and b.n_regular == 1 and b.monotonic_trend is None
    assert b.iv == pytest.approx(0.0, abs=1e-12)


def test_all_missing_numeric_feature_puts_every_row_in_the_missing_bin():
    X = pd.DataFrame({"m": np.full(300, np.nan)})
    b = Binner().fit(X, _y(300)).binnings_["m"]
    assert b.count.tolist() == [0, 300]
    assert b.woe.tolist() == [0.0, 0.0]


def test_all_missing_categorical_feature_has_only_the_missing_bin():
    X = pd.DataFrame({"m": pd.Series([None] * 300, dtype=object)})
    binner = Binner(categorical_features=["m"]).fit(X, _y(300))
    b = binner.binnings_["m"]
    assert (b.n_regular, b.n_bins, b.unseen_bin) == (0, 1, 0)
    assert binner.transform(pd.DataFrame({"m": ["new", None]})).ravel().tolist() == [0, 0]


def test_single_class_target_gives_uninformative_binnings():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=400), "r": rng.choice(list("abc"), size=400)})
    woe = WoETransformer().fit(X, np.zeros(400, dtype=int))
    assert woe.binnings_["x"].n_regular == 1
    assert woe.binnings_["r"].n_regular == 1
    assert np.all(woe.transform(X) == 0.0)
    assert woe.summary()["iv"].tolist() == [0.0, 0.0]


def test_numeric_special_values_get_their_own_bins_after_the_regular_ones():
    rng = np.random.default_rng(2)
    x = rng.normal(size=2000)
    x[:100], x[100:150] = -1.0, 999.0
    binner = Binner(special_values=[-1, 999, "n/a"]).fit(pd.DataFrame({"x": x}), _y(2000))
    b = binner.binnings_["x"]
    assert b.special_values == (-1.0, 999.0)
    assert b.count[b.n_regular: b.n_regular + 2].tolist() == [100, 50]
    out = binner.transform(pd.DataFrame({"x": [999.0, -1.0, np.nan, 0.3]})).ravel()
    assert out[:3].tolist() == [b.n_regular + 1, b.n_regular, b.missing_bin]
    assert 0 <= out[3] < b.n_regular


def test_per_feature_special_values_and_categorical_specials():
    X = pd.DataFrame({"x": [1.0, 2.0, -9.0, 3.0] * 100, "r": ["a", "b", "UNK", "a"] * 100})
    binner = Binner(special_values={"x": [-9], "r": ["UNK"]}).fit(X, _y(400))
    assert binner.binnings_["x"].special_values == (-9.0,)
    assert binner.binnings_["r"].special_values == ("UNK",)
    assert binner.binnings_["r"].count[binner.binnings_["r"].n_regular] == 100


def test_user_splits_are_kept_exactly_for_numeric_and_categorical():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"age": rng.integers(18, 70, size=1000).astype(float),
                      "r": rng.choice(list("NSEW"), size=1000)})
    binner = Binner(user_splits={"age": [40, 25, 60], "r": [["N", "S"], ["E"]]}).fit(X, _y(1000))
    age, region = binner.binnings_["age"], binner.binnings_["r"]
    assert age.splits == (25.0, 40.0, 60.0) and age.monotonic_trend is None
    assert region.categories == (("N", "S"), ("E",), ("W",))
    assert region.unseen_bin == 2


def test_unseen_levels_go_to_the_pooled_rare_group():
    levels = np.array(["A"] * 500 + ["B"] * 480 + ["r1"] * 10 + ["r2"] * 10, dtype=object)
    y = np.r_[np.zeros(400), np.ones(100), np.zeros(300), np.ones(180), np.ones(20)].astype(int)
    binner = Binner(rare_level_share=0.05, min_bin_share=0.01).fit(
        pd.DataFrame({"lvl": levels}), y)
    b = binner.binnings_["lvl"]
    rare_bin = next(i for i, g in enumerate(b.categories) if "r1" in g)
    assert "r2" in b.categories[rare_bin]
    assert b.unseen_bin == rare_bin
    assert binner.transform(pd.DataFrame({"lvl": ["never-seen"]})).item() == rare_bin


def test_categorical_groups_are_ordered_by_event_rate():
    rng = np.random.default_rng(4)
    lvl = rng.choice(list("abcdef"), size=6000)
    risk = dict(zip("abcdef", [0.02, 0.3, 0.1, 0.5, 0.05, 0.2], strict=True))
    y = (rng.uniform(size=6000) < np.vectorize(risk.get)(lvl)).astype(int)
    b = Binner(min_bin_share=0.01).fit(pd.DataFrame({"lvl": lvl}), y).binnings_["lvl"]
    rate = b.n_event[: b.n_regular] / b.count[: b.n_regular]
    assert np.all(np.diff(rate) > 0)
    assert b.categories[0] == ("a",) and b.categories[-1] == ("d",)


def test_a_column_missing_at_transform_raises_feature_missing_naming_it():
    X = pd.DataFrame({"x": np.arange(100.0), "income": np.arange(100.0)})
    binner = Binner().fit(X, _y(100))
    with pytest.raises(FeatureMissing, match="income"):
        binner.transform(X[["x"]])


def test_numpy_input_names_features_x0_x1():
    rng = np.random.default_rng(5)
    binner = Binner().fit(rng.normal(size=(300, 2)), _y(300))
    assert list(binner.binnings_) == ["x0", "x1"]
    assert not hasattr(binner, "feature_names_in_")
    assert binner.transform(rng.normal(size=(4, 2))).shape == (4, 2)


def test_pandas_extension_dtypes_and_infinities():
    n = 400
    X = pd.DataFrame({
        "i": pd.array([1, 2, None, 4] * (n // 4), dtype="Int64"),
        "s": pd.array(["a", None, "b", "c"] * (n // 4), dtype="string"),
        "c": pd.Categorical(["u", "v", "u", None] * (n // 4)),
        "f": [1.0, np.inf, -np.inf, 2.0] * (n // 4),
        "flag": [True, False, True, True] * (n // 4),
    })
    binner = Binner().fit(X, _y(n))
    kinds = {k: b.kind for k, b in binner.binnings_.items()}
    assert kinds == {"i": "numeric", "s": "categorical", "c": "categorical",
                     "f": "numeric", "flag": "numeric"}
    out = binner.transform(X)
    assert out[2, 0] == binner.binnings_["i"].missing_bin
    assert out[1, 1] == binner.binnings_["s"].missing_bin
    assert out[3, 2] == binner.binnings_["c"].missing_bin
    assert out[1, 3] == binner.binnings_["f"].n_regular - 1 and out[2, 3] == 0


def test_parallel_fit_gives_the_same_binnings():
    rng = np.random.default_rng(6)
    X = pd.DataFrame(rng.normal(size=(2000, 5)), columns=list("abcde"))
    y = (rng.uniform(size=2000) < 1 / (1 + np.exp(-X["a"].to_numpy()))).astype(int)
    serial = Binner().fit(X, y).binnings_
    parallel = Binner(n_jobs=2).fit(X, y).binnings_
    assert [b.to_dict() for b in serial.values()] == [b.to_dict() for b in parallel.values()]


@pytest.mark.parametrize("param", [
    {"user_splits": {"agee": [30]}},
    {"special_values": {"agee": [-1]}},
    {"monotonic_trend": {"agee": "ascending"}},
    {"categorical_features": ["agee"]},
])
def test_a_per_feature_setting_for_an_unknown_column_is_refused(param):
    X = pd.DataFrame({"age": np.arange(100.0)})
    with pytest.raises(InvalidArgument, match="agee"):
        Binner(**param).fit(X, _y(100))


def test_per_feature_trend_overrides_auto():
    rng = np.random.default_rng(7)
    x = rng.normal(size=3000)
    y = (rng.uniform(size=3000) < 1 / (1 + np.exp(-(-1.5 + x)))).astype(int)
    X = pd.DataFrame({"x": x, "x2": x})
    fitted = Binner(monotonic_trend={"x2": None}).fit(X, y).binnings_
    assert fitted["x"].monotonic_trend == "ascending"
    assert fitted["x2"].monotonic_trend is None


def test_a_global_special_list_gives_numbers_to_numeric_and_strings_to_categorical():
    X = pd.DataFrame({"x": [1.0, -1.0, 3.0, 4.0] * 50, "r": ["a", "b", "n/a", "-1"] * 50})
    fitted = Binner(special_values=[-1, "n/a"]).fit(X, _y(200)).binnings_
    assert fitted["x"].special_values == (-1.0,)
    assert fitted["r"].special_values == ("n/a",)


def test_levels_with_the_same_string_form_are_one_level():
    X = pd.DataFrame({"code": pd.Series([1, "1", 1.0, 2, "2", 3] * 50, dtype=object)})
    b = Binner(categorical_features=["code"]).fit(X, _y(300)).binnings_["code"]
    levels = sorted(v for group in b.categories for v in group)
    assert levels == ["1", "2", "3"]
    assert b.count.sum() == 300
