"""Scorecard model files: JSON with a schema version, never pickle.

A file holds the binning of every feature on the card (``FeatureBinning.to_dict``), the points
and log-odds weight of every bin, the scaling (PDO, base score, base odds), the objective and
the free-form metadata the caller adds (target, bad value, training rows...). Reading a file
gives back a fitted :class:`Scorecard` that scores exactly as the one written: floats are
written with Python's shortest round-trip repr. :func:`load_scorer` reads only the scoring
tables (a :class:`CompiledScorer`), without importing the estimator and scikit-learn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
from creditfactory.scorecard._points import Scaling
from creditfactory.scorecard.errors import ModelFileInvalid

if TYPE_CHECKING:
    from creditfactory.scorecard._scorecard import Scorecard

__all__ = ["SCHEMA_VERSION", "card_from_dict", "card_to_dict", "load_card", "load_scorer",
           "save_card", "scorer_from_dict"]

SCHEMA_VERSION = 1
KIND = "creditfactory.scorecard"
_SCALAR_PARAMS = ("objective", "selection", "min_contribution", "chance_adjusted",
                  "chance_dof", "min_iv",
                  "max_features", "penalty", "monotone_weights", "pdo", "base_score",
                  "base_odds", "rounding", "n_bags", "random_state")
_LATER_DEFAULTS = {"chance_dof": "bins"}


def _label(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def card_to_dict(card: Scorecard, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON-safe dict of a fitted card.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=500)})
    >>> y = (rng.random(500) < 1 / (1 + np.exp(1 + X["x"]))).astype(int)
    >>> from creditfactory.scorecard import Scorecard
    >>> d = card_to_dict(Scorecard().fit(X, y))
    >>> d["schema_version"], d["objective"], [f["binning"]["name"] for f in d["features"]]
    (1, 'logistic', ['x'])
    """
    if not hasattr(card, "scorer_"):
        raise ModelFileInvalid("only a fitted scorecard can be written")
    params = card.get_params(deep=False)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "objective": card.objective,
        "classes": [_label(c) for c in card.classes_],
        "scaling": card.scaling_.to_dict(),
        "intercept": card.intercept_,
        "constant": card.scorer_.constant,
        "features": [
            {
                "binning": card.binnings_[f.name].to_dict(),
                "weights": [float(w) for w in card.weights_[f.name]],
                "points": [float(p) for p in f.points],
            }
            for f in card.scorer_.features
        ],
        # a parameter added later is written only when set, so files of cards that do not
        # use it stay byte for byte what earlier versions wrote (bundle digests included)
        "params": {k: _label(params[k]) for k in _SCALAR_PARAMS
                   if k not in _LATER_DEFAULTS or params[k] != _LATER_DEFAULTS[k]},
        "metadata": dict(metadata or {}),
    }


def _check_header(data: Any) -> None:
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ModelFileInvalid("not a creditfactory scorecard model file")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ModelFileInvalid(f"model schema_version {version!r} is not supported "
                               f"(this version reads {SCHEMA_VERSION})")


def _tables(data: dict[str, Any]) -> tuple[list[FeatureBinning], list[np.ndarray],
                                            list[np.ndarray]]:
    binnings = [FeatureBinning.from_dict(f["binning"]) for f in data["features"]]
    weights = [np.asarray(f["weights"], dtype=np.float64) for f in data["features"]]
    points = [np.asarray(f["points"], dtype=np.float64) for f in data["features"]]
    for b, w, p in zip(binnings, weights, points, strict=True):
        if w.shape != (b.n_bins,) or p.shape != (b.n_bins,):
            raise ModelFileInvalid(f"feature {b.name!r}: points do not match its bins")
    return binnings, weights, points


def _malformed(exc: Exception) -> ModelFileInvalid:
    return ModelFileInvalid(f"model file is malformed: {exc!r}")


def card_from_dict(data: dict[str, Any]) -> Scorecard:
    """A fitted :class:`Scorecard` from :func:`card_to_dict` output."""
    from creditfactory.scorecard._scorecard import Scorecard

    _check_header(data)
    try:
        params = {k: v for k, v in data["params"].items() if k in _SCALAR_PARAMS}
        card = Scorecard(**params)
        binnings, weights, points = _tables(data)
        card.classes_ = np.asarray(data["classes"])
        card._set_fitted(binnings, weights, points, float(data["intercept"]),
                         Scaling.from_dict(data["scaling"]), float(data["constant"]))
    except ModelFileInvalid:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise _malformed(exc) from exc
    card.n_features_in_ = len(binnings)
    card.feature_names_in_ = np.asarray(card.features_, dtype=object)
    card.metadata_ = dict(data.get("metadata", {}))
    return card


def scorer_from_dict(data: dict[str, Any]) -> CompiledScorer:
    """The :class:`CompiledScorer` of :func:`card_to_dict` output (scoring tables only)."""
    _check_header(data)
    try:
        binnings, _, points = _tables(data)
        return CompiledScorer(
            [CompiledFeature.build(b, p) for b, p in zip(binnings, points, strict=True)],
            Scaling.from_dict(data["scaling"]), float(data["constant"]))
    except ModelFileInvalid:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise _malformed(exc) from exc


def save_card(card: Scorecard, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
    """Write ``card`` as JSON to ``path``."""
    out = Path(path)
    out.write_text(json.dumps(card_to_dict(card, metadata), indent=1, allow_nan=False) + "\n",
                   encoding="utf-8")
    return out


def _read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileInvalid(f"model file {str(p)!r} does not exist") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileInvalid(f"model file {str(p)!r} is not valid JSON: {exc}") from exc


def load_card(path: str | Path) -> Scorecard:
    """Read a card written by :func:`save_card`."""
    return card_from_dict(_read_json(path))


def load_scorer(path: str | Path) -> CompiledScorer:
    """Read only the scoring tables of a card written by :func:`save_card`.

    Examples
    --------
    >>> import tempfile, numpy as np, pandas as pd
    >>> from creditfactory.scorecard import Scorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=500)})
    >>> y = (rng.random(500) < 1 / (1 + np.exp(1 + X["x"]))).astype(int)
    >>> card = Scorecard().fit(X, y)
    >>> path = save_card(card, tempfile.mkdtemp() + "/card.json")
    >>> bool(np.array_equal(load_scorer(path).score(X), card.points(X)))
    True
    """
    return scorer_from_dict(_read_json(path))
