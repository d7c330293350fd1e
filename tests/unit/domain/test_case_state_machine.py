"""The case's path through the 24 steps: the legal walk of each tier, and every illegal move
refused with ``IllegalCaseMove`` and the case left as it was."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.domain.case import CLOSED, Case
from creditfactory.domain.errors import DomainError, IllegalCaseMove, UnknownStep
from creditfactory.domain.route import Route, route_of
from creditfactory.errors import CreditFactoryError
from creditfactory.factory import TIERS, Step, load_process

ROUTE: Route[Step] = route_of(load_process().steps)
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VERIFY = ["phone_verification", "online_verification"]
INVESTIGATE = ["field_investigation", "investigation_review"]


def _walk(case: Case) -> list[str]:
    """Walk a case to its end as the flow would if every wait ended well; where it waited."""
    waited = []
    case.start(ROUTE)
    while True:
        if case.waits_at(ROUTE):
            waited.append(case.step)
            case.release(case.step, ROUTE)
        if ROUTE.after(case.step) is None:
            case.close("done", AT)
            return waited
        case.move_on(ROUTE)


@pytest.mark.parametrize(
    ("tier", "exception", "stops"),
    [
        ("auto_approve", False, ["bank_approval"]),
        ("remote_verification", False, [*VERIFY, "bank_approval"]),
        ("field_investigation", False, [*VERIFY, *INVESTIGATE, "bank_approval"]),
        ("auto_approve", True, ["committee_approval", "bank_approval"]),
        ("field_investigation", True, [*VERIFY, *INVESTIGATE, "committee_approval",
                                       "bank_approval"]),
    ],
)
def test_each_tier_waits_where_the_process_says_and_nowhere_else(
    tier: str, exception: bool, stops: list[str]
) -> None:
    case = Case.open(7, tier, ROUTE, AT)
    case.exception = exception
    assert (case.step, case.status) == ("referral", "open")
    assert _walk(case) == stops == ROUTE.stops(tier, exception)
    assert (case.step, case.status, case.closed_at) == ("booking_and_enrolment", "done", AT)


def test_an_auto_approved_case_passes_verification_by() -> None:
    case = Case.open(1, "auto_approve", ROUTE, AT)
    case.start(ROUTE)
    while case.step != "tier_routing":
        case.move_on(ROUTE)
    assert case.move_on(ROUTE).id == "phone_verification"
    assert not case.waits_at(ROUTE)
    assert case.move_on(ROUTE).id == "online_verification"


def test_a_rejected_case_stops_at_tier_routing_for_good() -> None:
    case = Case.open(1, "reject", ROUTE, AT)
    case.start(ROUTE)
    while case.step != "tier_routing":
        case.move_on(ROUTE)
    case.close("rejected", AT)
    with pytest.raises(IllegalCaseMove, match="is rejected"):
        case.move_on(ROUTE)
    with pytest.raises(IllegalCaseMove):
        case.close("done", AT)


def _at(step: str, tier: str = "remote_verification") -> Case:
    return Case(3, tier, step, "open", None, False, AT, AT, id=3)


def test_a_waiting_case_moves_on_only_once_its_wait_is_released() -> None:
    case = _at("phone_verification")
    with pytest.raises(IllegalCaseMove, match="waits at phone_verification"):
        case.move_on(ROUTE)
    case.release("phone_verification", ROUTE)
    assert case.move_on(ROUTE).id == "online_verification"
    assert case.waits_at(ROUTE)  # the release was for the step it left
    with pytest.raises(IllegalCaseMove):
        case.move_on(ROUTE)


@pytest.mark.parametrize(
    ("step", "release", "message"),
    [
        ("online_verification", "phone_verification", "is at online_verification"),
        ("data_check", "data_check", "does not wait at data_check"),
        ("bank_package", "bank_package", "does not wait at bank_package"),
    ],
)
def test_a_release_must_be_of_the_step_the_case_waits_at(
    step: str, release: str, message: str
) -> None:
    case = _at(step)
    with pytest.raises(IllegalCaseMove, match=message):
        case.release(release, ROUTE)
    assert not case.released


def test_field_steps_do_not_hold_a_remote_verification_case() -> None:
    with pytest.raises(IllegalCaseMove, match="does not wait"):
        _at("field_investigation").release("field_investigation", ROUTE)
    _at("field_investigation", "field_investigation").release("field_investigation", ROUTE)


def test_no_case_moves_past_the_last_step_or_starts_twice() -> None:
    with pytest.raises(IllegalCaseMove, match="last step"):
        _at("booking_and_enrolment").move_on(ROUTE)
    with pytest.raises(IllegalCaseMove, match="started before"):
        _at("data_check").start(ROUTE)


def test_a_case_goes_to_a_bank_only_at_or_just_before_a_bank_step() -> None:
    for step in ("bank_package", "bank_approval"):
        case = _at(step)
        case.send_to_bank("ICBC-SZ", ROUTE)
        assert case.bank_code == "ICBC-SZ"
    for step in ("product", "contract", "payout"):
        with pytest.raises(IllegalCaseMove, match="not at a bank step"):
            _at(step).send_to_bank("ICBC-SZ", ROUTE)


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_case_makes_no_move(status: str) -> None:
    case = _at("bank_approval")
    case.close(status, AT)
    moves = [
        lambda: case.move_on(ROUTE),
        lambda: case.release("bank_approval", ROUTE),
        lambda: case.send_to_bank("X", ROUTE),
        case.mark_exception,
        lambda: case.close("done", AT),
        lambda: case.start(ROUTE),
    ]
    for move in moves:
        with pytest.raises(IllegalCaseMove):
            move()
    assert (case.status, case.closed_at) == (status, AT)


def test_a_case_closes_only_with_a_known_ending() -> None:
    case = _at("policy")
    with pytest.raises(IllegalCaseMove, match="not a way to close"):
        case.close("open", AT)
    assert case.is_open


def test_the_errors_are_domain_errors_and_credit_factory_errors() -> None:
    assert issubclass(IllegalCaseMove, DomainError)
    assert issubclass(DomainError, CreditFactoryError)
    with pytest.raises(UnknownStep):
        _at("nowhere").move_on(ROUTE)


def test_a_route_refuses_duplicate_or_no_steps_and_is_built_once() -> None:
    steps = load_process().steps
    with pytest.raises(ValueError, match="unique"):
        Route((*steps, steps[0]))
    with pytest.raises(ValueError, match="at least one"):
        Route(())
    assert route_of(steps) is route_of(steps)
    assert ROUTE.after("booking_and_enrolment") is None
    assert ROUTE.index("referral") == 0 and len(ROUTE.steps) == 24


MOVES = st.lists(
    st.one_of(
        st.just(("move_on",)),
        st.tuples(st.just("release"), st.sampled_from([s.id for s in ROUTE.steps])),
        st.tuples(st.just("close"), st.sampled_from([*CLOSED, "open", "waiting"])),
        st.just(("exception",)),
        st.tuples(st.just("bank"), st.sampled_from(["B1", "B2"])),
    ),
    max_size=60,
)


@given(tier=st.sampled_from(TIERS), moves=MOVES)
def test_any_sequence_of_moves_goes_forward_never_past_a_wait_and_fails_cleanly(
    tier: str, moves: list[tuple[str, ...]]
) -> None:
    case = Case.open(9, tier, ROUTE, AT)
    case.start(ROUTE)
    at = AT
    for move in moves:
        before = copy.copy(case)
        waited = case.waits_at(ROUTE)
        at += timedelta(minutes=1)
        try:
            if move[0] == "move_on":
                case.move_on(ROUTE)
            elif move[0] == "release":
                case.release(move[1], ROUTE)
            elif move[0] == "close":
                case.close(move[1], at)
            elif move[0] == "exception":
                case.mark_exception()
            else:
                case.send_to_bank(move[1], ROUTE)
        except IllegalCaseMove:
            assert case == before and case.released == before.released  # refused: unchanged
            continue
        assert before.is_open  # a closed case never moved
        i, j = ROUTE.index(before.step), ROUTE.index(case.step)
        assert j in (i, i + 1)  # forward, one step at a time
        if j == i + 1:
            assert move[0] == "move_on" and (not waited or before.released)
        if not case.is_open:
            assert case.status in CLOSED and case.closed_at == at


@given(
    tier=st.sampled_from(TIERS[:3]),
    exception=st.booleans(),
    flag_at=st.sampled_from([None, "limit_and_pricing"]),
    end_at=st.sampled_from([None, "tier_routing", "bank_package", "payout"]),
)
def test_a_walk_makes_the_same_moves_as_single_steps(
    tier: str, exception: bool, flag_at: str | None, end_at: str | None
) -> None:
    """``walk`` passes, stops and ends where start/release and move_on step by step would."""
    walked = Case.open(5, tier, ROUTE, AT)
    walked.exception = exception
    stepped = copy.copy(walked)

    def effect(case: Case, step_id: str) -> bool:
        if step_id == flag_at and case.is_open:
            case.mark_exception()
        if step_id == end_at:
            case.close("rejected", AT)
        return step_id != "booking_and_enrolment" or (case.close("done", AT) or True)

    after: str | None = None
    while walked.is_open:
        passed, stop = walked.walk(ROUTE, after, lambda s: effect(walked, s.id))
        expected: list[str] = []
        if after is None:
            stepped.start(ROUTE)
        else:
            stepped.release(after, ROUTE)
            stepped.move_on(ROUTE)
        while not stepped.waits_at(ROUTE):
            expected.append(stepped.step)
            if not effect(stepped, stepped.step) or not stepped.is_open:
                break
            stepped.move_on(ROUTE)
        assert passed == expected and walked == stepped
        assert (stop is None) == (not stepped.waits_at(ROUTE))
        after = None if stop is None else stop.id
        if stop is None:
            break
    assert not walked.is_open


def test_a_walk_from_a_step_the_case_does_not_wait_at_is_refused() -> None:
    case = _at("online_verification")
    with pytest.raises(IllegalCaseMove, match="is at online_verification"):
        case.walk(ROUTE, "phone_verification", lambda s: True)
    assert case.step == "online_verification"
