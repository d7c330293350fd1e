"""Where a case stands: passed, skipped by its tier, waiting here, closed here, or ahead."""

from __future__ import annotations

from creditfactory.factory import load_process
from creditfactory.web.process_track import step_track


def _states(**case: object) -> dict[str, str]:
    base = {"tier": "remote_verification", "exception": False, "status": "open"}
    return {s.id: s.state for s in step_track(load_process(), {**base, **case})}


def test_remote_case_waiting_at_online_verification() -> None:
    states = _states(step="online_verification")
    assert states["scoring"] == "passed" and states["phone_verification"] == "passed"
    assert states["online_verification"] == "here"
    assert states["field_investigation"] == "skipped" and states["committee_approval"] == "skipped"
    assert states["bank_approval"] == "ahead" and states["payout"] == "ahead"
    assert len(states) == len(load_process().steps)


def test_exception_case_stops_at_committee_and_field_tier_does_fieldwork() -> None:
    states = _states(tier="field_investigation", exception=True, step="committee_approval")
    assert states["field_investigation"] == "passed" and states["committee_approval"] == "here"


def test_closed_case_ends_where_it_closed() -> None:
    states = _states(tier="reject", step="tier_routing", status="rejected")
    assert states["tier_routing"] == "ended" and states["policy"] == "passed"
    assert states["phone_verification"] == "unreached" and states["product"] == "unreached"
