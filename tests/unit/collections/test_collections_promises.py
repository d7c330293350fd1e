"""The promise-to-pay lifecycle: made, due, kept or broken, counted, replaced."""

from __future__ import annotations

import numpy as np

from creditfactory.collections.promises import BROKEN, KEPT, NONE, OPEN, PromiseBook


def test_a_promise_is_kept_when_paid_by_its_due_step_and_broken_otherwise() -> None:
    book = PromiseBook(3)
    book.make(np.array([0, 1]), step=10, due_in=2)
    idx = np.arange(3)
    assert book.is_open(idx).tolist() == [True, True, False]
    assert book.settle(idx, 11, np.array([False, False, False])).tolist() == [OPEN, OPEN, NONE]
    assert book.settle(idx, 12, np.array([True, False, False])).tolist() == [KEPT, BROKEN, NONE]
    assert book.kept.tolist() == [1, 0, 0] and book.broken.tolist() == [0, 1, 0]
    assert not book.is_open(idx).any()
    assert book.settle(idx, 13, np.array([True, True, True])).tolist() == [NONE, NONE, NONE]


def test_paying_before_the_due_step_keeps_the_promise() -> None:
    book = PromiseBook(1)
    book.make(np.array([0]), step=0, due_in=5)
    assert book.settle(np.array([0]), 1, np.array([True])).tolist() == [KEPT]
    assert book.made.tolist() == [1] and book.kept.tolist() == [1]


def test_a_new_promise_replaces_the_open_one_and_counts() -> None:
    book = PromiseBook(1)
    book.make(np.array([0]), step=0, due_in=2)
    book.make(np.array([0]), step=1, due_in=2)
    assert book.made.tolist() == [2]
    assert book.settle(np.array([0]), 2, np.array([False])).tolist() == [OPEN]
    assert book.settle(np.array([0]), 3, np.array([False])).tolist() == [BROKEN]
