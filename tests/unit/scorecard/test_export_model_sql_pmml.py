"""Model files round trip exactly; SQL and PMML exports reproduce the card's points."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard import Binner, Scorecard
from creditfactory.scorecard._model_file import card_from_dict, card_to_dict, load_card, save_card
from creditfactory.scorecard.errors import ModelFileInvalid
from creditfactory.scorecard.export._pmml import PMML_NAMESPACE, pmml_document
from creditfactory.scorecard.export._sql import sql_select


def _data(seed: int, n: int = 1200) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({
        "amount": rng.lognormal(12, 0.5, n).round(-2),
        "age": rng.integers(18, 70, n).astype(float),
        "city": rng.choice(["Shanghai", "Chengdu", "Xi'an", "O\"Neil"], n),
    })
    x.loc[rng.random(n) < 0.05, "age"] = np.nan
    x.loc[rng.random(n) < 0.03, "age"] = -1.0
    x.loc[rng.random(n) < 0.03, "city"] = None
    logit = -2 + 0.04 * (40 - x["age"].fillna(30)) + (x["city"] == "Chengdu") * 0.7
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).to_numpy().astype(int)
    return x, y


def _card(seed: int, objective: str, rounding: bool) -> tuple[Scorecard, pd.DataFrame]:
    x, y = _data(seed)
    card = Scorecard(objective=objective, rounding=rounding, selection="none",
                     binner=Binner(special_values={"age": [-1.0]}, max_bins=5)).fit(x, y)
    fresh, _ = _data(seed + 1, n=300)
    fresh.loc[0, "city"] = "Beijing"
    return card, fresh


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 500), objective=st.sampled_from(["logistic", "divergence"]),
       rounding=st.booleans())
def test_json_round_trip_scores_identically(tmp_path_factory, seed, objective, rounding):
    card, fresh = _card(seed, objective, rounding)
    path = tmp_path_factory.mktemp("m") / "card.json"
    save_card(card, path, metadata={"target": "bad"})
    back = load_card(path)
    assert np.array_equal(back.points(fresh), card.points(fresh))
    assert np.array_equal(back.predict_proba(fresh), card.predict_proba(fresh))
    assert back.points_table_.equals(card.points_table_)
    assert back.metadata_ == {"target": "bad"}
    assert card_to_dict(back, {"target": "bad"}) == json.loads(path.read_text())


def test_unknown_schema_version_is_refused():
    card, _ = _card(0, "logistic", False)
    data = card_to_dict(card)
    data["schema_version"] = 99
    with pytest.raises(ModelFileInvalid, match="schema_version 99"):
        card_from_dict(data)
    with pytest.raises(ModelFileInvalid, match="not a creditfactory"):
        card_from_dict({"hello": 1})


@pytest.mark.parametrize("objective", ["logistic", "divergence"])
def test_sql_export_scores_identically_in_sqlite(objective):
    card, fresh = _card(3, objective, False)
    con = sqlite3.connect(":memory:")
    fresh.to_sql("apps", con, index=False)
    got = np.array([row[0] for row in con.execute(sql_select(card, "apps"))])
    assert np.array_equal(got, card.points(fresh))


def _pmml_value(pred: ET.Element, record: dict, ns: dict) -> bool:
    tag = pred.tag.split("}")[1]
    if tag == "True":
        return True
    v = record.get(pred.get("field"))
    missing = v is None or (isinstance(v, float) and np.isnan(v))
    if tag == "SimplePredicate":
        op = pred.get("operator")
        if op == "isMissing":
            return missing
        if missing:
            return False
        target = float(pred.get("value"))
        return {"equal": v == target, "lessThan": v < target}[op]
    arr = pred.find("p:Array", ns)
    values = [s.replace('\\"', '"') for s in re.findall(r'"((?:[^"\\]|\\.)*)"', arr.text)]
    return (not missing) and v in values


def _pmml_score(doc: str, record: dict) -> float:
    ns = {"p": PMML_NAMESPACE}
    model = ET.fromstring(doc).find("p:Scorecard", ns)
    total = float(model.get("initialScore"))
    for char in model.find("p:Characteristics", ns):
        for attr in char.findall("p:Attribute", ns):
            if _pmml_value(attr[0], record, ns):
                total += float(attr.get("partialScore"))
                break
    return total


@pytest.mark.parametrize("objective", ["logistic", "divergence"])
def test_pmml_export_is_a_scorecard_document_reproducing_the_points(objective):
    card, fresh = _card(5, objective, True)
    doc = pmml_document(card)
    root = ET.fromstring(doc)
    assert root.get("version") == "4.4"
    records = fresh.head(40).to_dict("records")
    expected = card.points(fresh.head(40))
    got = [_pmml_score(doc, r) for r in records]
    assert got == pytest.approx(expected.tolist(), abs=1e-9)
