"""The doctest examples of the binning, WoE and selection modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "creditfactory.scorecard._bins",
    "creditfactory.scorecard._binning",
    "creditfactory.scorecard._binning_numeric",
    "creditfactory.scorecard._binning_optimal",
    "creditfactory.scorecard._binning_refine",
    "creditfactory.scorecard._woe",
    "creditfactory.scorecard._selection",
    "creditfactory.scorecard._selection_stats",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctest_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
