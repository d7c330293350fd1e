"""Feed a fitted :class:`~creditfactory.scorecard.Scorecard` into :func:`build_report`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from creditfactory.scorecard.errors import FeatureMissing, ScorecardNotFitted
from creditfactory.scorecard.report._data import ScorecardReport, build_report

__all__ = ["card_parameters", "report_for_card"]

_PARAMS = ("objective", "selection", "min_contribution", "min_iv", "max_features", "penalty",
           "monotone_weights", "rounding", "n_bags", "random_state")


def card_parameters(card: Any) -> dict[str, Any]:
    """What a validator needs to re-create the card: objective, scaling, intercept, features."""
    params = card.get_params(deep=False) if hasattr(card, "get_params") else {}
    out: dict[str, Any] = {k: params[k] for k in _PARAMS if k in params}
    scaling = card.scaling_
    out.update({
        "points to double the odds (PDO)": scaling.pdo,
        "base score": scaling.base_score,
        "base odds (goods per bad)": scaling.base_odds,
        "factor (points per log-odds)": round(scaling.factor, 6),
        "offset (points at even odds)": round(scaling.offset, 6),
        "intercept (log-odds of good)": round(float(card.intercept_), 6),
        "features on the card": ", ".join(card.features_),
    })
    constant = float(getattr(getattr(card, "scorer_", None), "constant", 0.0))
    if constant:
        out["constant points"] = constant
    for key, value in getattr(card, "metadata_", {}).items():
        if isinstance(value, int | float | str | bool):
            out[f"model file: {key}"] = value
    selection = getattr(card, "selection_", None)
    if isinstance(selection, pd.DataFrame) and len(selection):
        dropped = selection[selection["status"] != "kept"]
        out["candidates"] = len(selection)
        out["dropped"] = "; ".join(f"{r.feature}: {r.reason}" for r in dropped.itertuples())
    return out


def report_for_card(
    card: Any,
    data: pd.DataFrame,
    y: ArrayLike,
    *,
    base_data: pd.DataFrame | None = None,
    title: str = "Scorecard report",
    n_bands: int = 10,
    n_boot: int = 0,
) -> ScorecardReport:
    """All figures of ``card`` on ``data`` with outcomes ``y`` (1 = bad).

    With ``base_data`` (e.g. the development sample), PSI of the score and CSI of every
    characteristic against it are added.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from creditfactory.scorecard._scorecard import Scorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(size=2000), "age": rng.normal(size=2000)})
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(2 + X["income"]))).astype(int)
    >>> card = Scorecard().fit(X, y)
    >>> r = report_for_card(card, X, y)
    >>> r.summary["auc"] > 0.6, [c.name for c in r.characteristics] == card.features_
    (True, True)
    """
    if not hasattr(card, "scorer_"):
        raise ScorecardNotFitted("the card is not fitted; call fit first")
    absent = [f for f in card.features_ if f not in data.columns]
    if absent:
        raise FeatureMissing(f"the report data lacks the card's feature(s): {', '.join(absent)}")
    table = card.points_table_
    points = {
        name: table.loc[table["feature"] == name].sort_values("bin_index")["points"].to_numpy()
        for name in card.features_
    }
    base_score = None if base_data is None else card.points(base_data)
    return build_report(
        binnings=[card.binnings_[f] for f in card.features_],
        points=points,
        data=data,
        y=np.asarray(y, dtype=np.float64),
        score=card.points(data),
        parameters=card_parameters(card),
        base_data=base_data,
        base_score=base_score,
        title=title,
        n_bands=n_bands,
        n_boot=n_boot,
    )
