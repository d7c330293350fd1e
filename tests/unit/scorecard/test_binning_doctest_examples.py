"""The doctest examples of the binning, WoE and selection modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "creditfactory.scorecard._bins",
    "creditfactory.scorecard.binning._binner",
    "creditfactory.scorecard.binning._numeric",
    "creditfactory.scorecard.binning._optimal",
    "creditfactory.scorecard.binning._refine",
    "creditfactory.scorecard.binning._woe",
    "creditfactory.scorecard.selection._selector",
    "creditfactory.scorecard.selection._statistics",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctest_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
