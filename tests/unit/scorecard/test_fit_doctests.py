"""The examples in the fitting, scoring and export modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "_stats", "_fit_divergence", "_contribution", "_fit_logistic", "_card_fit", "_points",
    "_penalty_cv", "_compiled", "_scorecard", "_model_file", "_export_sql", "_export_pmml",
    "_bootstrap", "_tables",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"creditfactory.scorecard.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
