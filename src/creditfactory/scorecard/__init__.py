"""The scorecard toolkit: binning, WoE/IV, selection, fitting, points, scoring, reports, exports.

Everything outside this package uses the names below (or a sub-package's public names:
``binning``, ``selection``, ``fitting``, ``report``, ``export``, ``metrics``). Names are
loaded on first use, so a command that only scores a file (``load_scorer``, ``read_table``)
does not import scikit-learn and the fitting code.

>>> from creditfactory.scorecard import Scorecard, load_card, save_card
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from creditfactory.scorecard._bins import FeatureBinning
    from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
    from creditfactory.scorecard._model_file import (
        card_from_dict,
        card_to_dict,
        load_card,
        load_scorer,
        save_card,
        scorer_from_dict,
    )
    from creditfactory.scorecard._points import Scaling
    from creditfactory.scorecard._scorecard import Scorecard
    from creditfactory.scorecard._tables import (
        read_table,
        score_table,
        split_target,
        write_table,
    )
    from creditfactory.scorecard.binning import Binner, WoETransformer
    from creditfactory.scorecard.export import pmml_document, sql_score_expression, sql_select
    from creditfactory.scorecard.fitting import BootstrapValidation, bootstrap_validate
    from creditfactory.scorecard.selection import (
        FeatureSelector,
        divergence_score,
        marginal_contributions,
    )

_WHERE = {
    "Binner": "creditfactory.scorecard.binning",
    "WoETransformer": "creditfactory.scorecard.binning",
    "FeatureSelector": "creditfactory.scorecard.selection",
    "divergence_score": "creditfactory.scorecard.selection",
    "marginal_contributions": "creditfactory.scorecard.selection",
    "BootstrapValidation": "creditfactory.scorecard.fitting",
    "bootstrap_validate": "creditfactory.scorecard.fitting",
    "pmml_document": "creditfactory.scorecard.export",
    "sql_score_expression": "creditfactory.scorecard.export",
    "sql_select": "creditfactory.scorecard.export",
    "FeatureBinning": "creditfactory.scorecard._bins",
    "CompiledFeature": "creditfactory.scorecard._compiled",
    "CompiledScorer": "creditfactory.scorecard._compiled",
    "Scaling": "creditfactory.scorecard._points",
    "Scorecard": "creditfactory.scorecard._scorecard",
    "card_from_dict": "creditfactory.scorecard._model_file",
    "card_to_dict": "creditfactory.scorecard._model_file",
    "load_card": "creditfactory.scorecard._model_file",
    "load_scorer": "creditfactory.scorecard._model_file",
    "save_card": "creditfactory.scorecard._model_file",
    "scorer_from_dict": "creditfactory.scorecard._model_file",
    "read_table": "creditfactory.scorecard._tables",
    "score_table": "creditfactory.scorecard._tables",
    "split_target": "creditfactory.scorecard._tables",
    "write_table": "creditfactory.scorecard._tables",
}

__all__ = [
    "Binner",
    "BootstrapValidation",
    "CompiledFeature",
    "CompiledScorer",
    "FeatureBinning",
    "FeatureSelector",
    "Scaling",
    "Scorecard",
    "WoETransformer",
    "bootstrap_validate",
    "card_from_dict",
    "card_to_dict",
    "divergence_score",
    "load_card",
    "load_scorer",
    "marginal_contributions",
    "pmml_document",
    "read_table",
    "save_card",
    "score_table",
    "scorer_from_dict",
    "split_target",
    "sql_score_expression",
    "sql_select",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
