"""A case held at a step it could not do: it stays there, refuses to be released or moved on,
and when resumed does the held step again before walking on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from creditfactory.domain.case import Case
from creditfactory.domain.errors import IllegalCaseMove
from creditfactory.domain.route import Route, route_of
from creditfactory.factory import Step, load_process

ROUTE: Route[Step] = route_of(load_process().steps)
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _held_at_bureau_pull() -> tuple[Case, list[str]]:
    case = Case.open(7, "auto_approve", ROUTE, AT)
    done: list[str] = []

    def effect(step: Step) -> bool:
        if step.id == "bureau_pull":
            case.put_on_hold("bureau_unavailable", "bureau timed out", AT)
            return False
        done.append(step.id)
        return True

    passed, stop = case.walk(ROUTE, None, effect)
    assert stop is None and "bureau_pull" not in passed
    return case, done


def test_a_step_that_cannot_be_done_holds_the_case_there_with_its_queue_and_reason() -> None:
    case, done = _held_at_bureau_pull()
    assert (case.step, case.hold, case.hold_reason, case.held_at) == (
        "bureau_pull", "bureau_unavailable", "bureau timed out", AT)
    assert done[-1] == "data_check" and case.is_open and case.waits_at(ROUTE)
    with pytest.raises(IllegalCaseMove, match="waits at bureau_pull"):
        case.move_on(ROUTE)
    with pytest.raises(IllegalCaseMove, match="on hold in bureau_unavailable"):
        case.release("bureau_pull", ROUTE)


def test_resuming_does_the_held_step_again_and_walks_on_to_the_next_wait() -> None:
    case, _ = _held_at_bureau_pull()
    seen: list[str] = []
    passed, stop = case.walk_again(ROUTE, lambda s: seen.append(s.id) or True)
    assert seen[0] == "bureau_pull" and passed[0] == "bureau_pull"
    assert stop is not None and stop.id == "bank_approval" == case.step
    assert (case.hold, case.hold_reason, case.held_at) == (None, None, None)


def test_moving_a_hold_to_another_queue_keeps_its_reason_new_and_its_time_fresh() -> None:
    case, _ = _held_at_bureau_pull()
    case.put_on_hold("bureau_unavailable", "still timing out", LATER)
    assert case.held_at == AT  # same queue: held since the first time
    case.put_on_hold("data_exceptions", "past the step's SLA", LATER)
    assert (case.hold, case.hold_reason, case.held_at) == (
        "data_exceptions", "past the step's SLA", LATER)


def test_only_a_held_open_case_resumes_and_closing_ends_the_hold() -> None:
    case = Case.open(7, "auto_approve", ROUTE, AT)
    with pytest.raises(IllegalCaseMove, match="not on hold"):
        case.resume()
    with pytest.raises(IllegalCaseMove, match="needs a queue and a reason"):
        case.put_on_hold("bureau_unavailable", "", AT)
    case, _ = _held_at_bureau_pull()
    case.close("rejected", LATER)
    assert case.hold is None and case.status == "rejected"
    with pytest.raises(IllegalCaseMove):
        case.put_on_hold("bureau_unavailable", "late", LATER)
