"""The examples in the fitting, scoring and export modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "_stats", "fitting._divergence", "selection._contribution", "fitting._logistic",
    "fitting._card", "_points", "fitting._penalty_cv", "_compiled", "_scorecard", "_model_file",
    "export._sql", "export._pmml", "fitting._bootstrap", "_tables",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"creditfactory.scorecard.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
