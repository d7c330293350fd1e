"""The process file declares four eyes (``not_by``); a wrong declaration fails to load."""

from __future__ import annotations

import pytest

from creditfactory.factory import load_process
from creditfactory.factory.errors import ProcessInvalid
from creditfactory.factory.process import parse_process

HEAD = """steps:
  - {id: entry, name: E, office: front, station: desk, mode: intake, role: account_manager, sla_minutes: 5}
  - {id: score, name: S, office: middle, station: engine, mode: automatic, sla_minutes: 1}
  - {id: verify, name: V, office: middle, station: v, mode: staffed, role: verifier, sla_minutes: 5}
"""


def _with(line: str) -> str:
    return HEAD + "  - " + line + "\n"


def test_the_shipped_process_bars_the_verifier_of_a_case_from_approving_it() -> None:
    p = load_process()
    verification = {"phone_verification", "online_verification"}
    assert verification <= set(p.step("investigation_review").not_by)
    assert verification <= set(p.step("committee_approval").not_by)
    assert "investigation_review" in p.step("committee_approval").not_by
    assert "field_investigation" in p.step("investigation_review").not_by
    assert p.step("phone_verification").not_by == ()


def test_a_declaration_of_earlier_people_steps_is_kept_in_order() -> None:
    p = parse_process(_with("{id: approve, name: A, office: middle, station: a, mode: staffed, "
                            "role: approver, sla_minutes: 5, not_by: [verify, entry, verify]}"))
    assert p.step("approve").not_by == ("verify", "entry")


@pytest.mark.parametrize(
    ("not_by", "message"),
    [
        ("[nowhere]", "not_by names an unknown step 'nowhere'"),
        ("[approve]", "not_by names itself 'approve'"),
        ("[later]", "not_by names a later step 'later'"),
        ("[score]", "not_by names 'score', which no person does (mode automatic"),
        ("verify", "not_by must be a list of step ids"),
        ("[1]", "not_by must be a list of step ids"),
    ],
)
def test_a_wrong_declaration_is_a_load_error(not_by: str, message: str) -> None:
    text = _with(f"{{id: approve, name: A, office: middle, station: a, mode: staffed, "
                 f"role: approver, sla_minutes: 5, not_by: {not_by}}}")
    text += ("  - {id: later, name: L, office: middle, station: l, mode: staffed, "
             "role: approver, sla_minutes: 5}\n")
    with pytest.raises(ProcessInvalid, match=r"step 4 \(approve\): " + message.replace("(", r"\(")):
        parse_process(text)


def test_only_a_step_that_waits_for_someone_declares_four_eyes() -> None:
    with pytest.raises(ProcessInvalid, match="not_by applies only to staffed or bank steps"):
        parse_process(_with("{id: auto, name: A, office: middle, station: e, mode: automatic, "
                            "sla_minutes: 1, not_by: [verify]}"))


def test_the_intake_roles_are_who_submits() -> None:
    assert load_process().roles_of("intake") == {"account_manager"}
