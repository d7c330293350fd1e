"""A fitted card as a PMML 4.4 ``Scorecard`` document.

Every feature becomes a ``Characteristic`` whose ``Attribute`` elements are tried in order, the
first true predicate giving its ``partialScore``: missing first, then special values, then the
regular bins, then (categorical) a ``True`` fall-back for unseen levels. The score is
``initialScore`` plus the partial scores; reason codes use "points below" the feature's best.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from creditfactory.scorecard._compiled import CompiledFeature

__all__ = ["PMML_NAMESPACE", "pmml_document"]

PMML_NAMESPACE = "http://www.dmg.org/PMML-4_4"


def _num(value: float) -> str:
    return repr(float(value))


def _simple(parent: ET.Element, field: str, operator: str, value: str | None = None) -> None:
    attrs = {"field": field, "operator": operator}
    if value is not None:
        attrs["value"] = value
    ET.SubElement(parent, "SimplePredicate", attrs)


def _attribute(parent: ET.Element, points: float, reason: str) -> ET.Element:
    return ET.SubElement(parent, "Attribute", {"partialScore": _num(points), "reasonCode": reason})


def _characteristic(parent: ET.Element, f: CompiledFeature) -> None:
    pts = f.points
    char = ET.SubElement(parent, "Characteristic", {
        "name": f"{f.name}_points", "reasonCode": f.name, "baselineScore": _num(pts.max())})
    _simple(_attribute(char, pts[f.missing_bin], f.name), f.name, "isMissing")
    if f.numeric:
        for special, b in f.specials:
            if not isinstance(special, str):
                _simple(_attribute(char, pts[b], f.name), f.name, "equal", _num(float(special)))
        for k, split in enumerate(f.splits):
            _simple(_attribute(char, pts[k], f.name), f.name, "lessThan", _num(split))
        ET.SubElement(_attribute(char, pts[len(f.splits)], f.name), "True")
        return
    by_bin: dict[int, list[str]] = {}
    for level, b in f.levels.items():
        by_bin.setdefault(b, []).append(level)
    for b in sorted(by_bin):
        values = sorted(by_bin[b])
        pred = ET.SubElement(_attribute(char, pts[b], f.name), "SimpleSetPredicate",
                             {"field": f.name, "booleanOperator": "isIn"})
        arr = ET.SubElement(pred, "Array", {"n": str(len(values)), "type": "string"})
        arr.text = " ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                            for v in values)
    ET.SubElement(_attribute(char, pts[f.unseen_bin], f.name), "True")


def pmml_document(card: Any, model_name: str = "creditfactory_scorecard") -> str:
    """The PMML 4.4 text of a fitted card (``card.scorer_`` is read).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from creditfactory.scorecard._scorecard import Scorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=400)})
    >>> y = (rng.random(400) < 1 / (1 + np.exp(1 + X["x"]))).astype(int)
    >>> doc = ET.fromstring(pmml_document(Scorecard().fit(X, y)))
    >>> doc.tag, len(doc.findall(".//{http://www.dmg.org/PMML-4_4}Characteristic"))
    ('{http://www.dmg.org/PMML-4_4}PMML', 1)
    """
    scorer = card.scorer_
    root = ET.Element("PMML", {"xmlns": PMML_NAMESPACE, "version": "4.4"})
    header = ET.SubElement(root, "Header", {"description": "Scorecard: points, higher is safer"})
    ET.SubElement(header, "Application", {"name": "creditfactory"})
    dictionary = ET.SubElement(root, "DataDictionary",
                               {"numberOfFields": str(len(scorer.features) + 1)})
    for f in scorer.features:
        if f.numeric:
            ET.SubElement(dictionary, "DataField",
                          {"name": f.name, "optype": "continuous", "dataType": "double"})
        else:
            ET.SubElement(dictionary, "DataField",
                          {"name": f.name, "optype": "categorical", "dataType": "string"})
    ET.SubElement(dictionary, "DataField",
                  {"name": "score", "optype": "continuous", "dataType": "double"})
    model = ET.SubElement(root, "Scorecard", {
        "modelName": model_name, "functionName": "regression", "useReasonCodes": "true",
        "reasonCodeAlgorithm": "pointsBelow", "initialScore": _num(scorer.constant),
        "baselineMethod": "max"})
    schema = ET.SubElement(model, "MiningSchema")
    for f in scorer.features:
        ET.SubElement(schema, "MiningField", {"name": f.name, "usageType": "active",
                                              "invalidValueTreatment": "asMissing"})
    ET.SubElement(schema, "MiningField", {"name": "score", "usageType": "target"})
    output = ET.SubElement(model, "Output")
    ET.SubElement(output, "OutputField", {"name": "points", "feature": "predictedValue",
                                          "dataType": "double", "optype": "continuous"})
    for rank in range(1, min(4, len(scorer.features)) + 1):
        ET.SubElement(output, "OutputField", {"name": f"reason_{rank}", "rank": str(rank),
                                              "feature": "reasonCode", "dataType": "string",
                                              "optype": "categorical"})
    chars = ET.SubElement(model, "Characteristics")
    for f in scorer.features:
        _characteristic(chars, f)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
