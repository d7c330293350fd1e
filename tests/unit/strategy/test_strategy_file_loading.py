"""A strategy file loads when well formed and fails with its line and reason when not."""

from __future__ import annotations

import pytest

from creditfactory.strategy import StrategyInvalid, StrategyNotFound, load_strategy, parse_strategy
from creditfactory.strategy.loader import shipped_text


def _default() -> str:
    return shipped_text("default")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", ["default", "policy_only"])
def test_shipped_strategies_load_and_compile(name: str) -> None:
    s = load_strategy(name)
    assert s.name == name
    assert len(s.policy_codes) == 21
    assert len(s.digest) == 16


def test_unknown_field_is_named_with_its_line() -> None:
    text = _default().replace("  debt_service_cap: 0.55\n", "  debt_service_cap: 0.55\n  debt_cap_typo: 1\n")
    with pytest.raises(StrategyInvalid) as err:
        parse_strategy(text, source="edited.yaml")
    assert "unknown field 'debt_cap_typo'" in str(err.value)
    assert err.value.line == _line_of(text, "debt_cap_typo")
    assert str(err.value).startswith(f"edited.yaml:{err.value.line}:")


def test_unknown_field_inside_a_rule_points_at_the_rule() -> None:
    text = _default().replace("{code: P02_AGE_MAX, reason:", "{code: P02_AGE_MAX, severity: 1, reason:")
    with pytest.raises(StrategyInvalid, match="unknown field 'severity'") as err:
        parse_strategy(text)
    assert err.value.line == _line_of(text, "P02_AGE_MAX")


def test_wrong_value_type_fails_with_line_and_reason() -> None:
    text = _default().replace("  income_margin: 0.5\n", "  income_margin: lots\n")
    with pytest.raises(StrategyInvalid, match="limit.income_margin") as err:
        parse_strategy(text)
    assert err.value.line == _line_of(text, "income_margin: lots")


def test_yaml_syntax_error_reports_the_line() -> None:
    text = _default().replace("  minimum: 100000\n", "  minimum: [100000\n", 1)
    with pytest.raises(StrategyInvalid, match="not valid YAML") as err:
        parse_strategy(text)
    assert err.value.line is not None and err.value.line >= _line_of(text, "minimum: [100000")


def test_duplicate_key_is_refused() -> None:
    text = _default().replace("  margin: 0.04\n", "  margin: 0.04\n  margin: 0.05\n")
    with pytest.raises(StrategyInvalid, match="duplicate key 'margin'") as err:
        parse_strategy(text)
    assert err.value.line == text.splitlines().index("  margin: 0.05") + 1


def test_condition_on_an_unknown_input_fails_at_load() -> None:
    text = _default().replace("{field: age, op: \"<\", value: 22}", "{field: agee, op: \"<\", value: 22}")
    with pytest.raises(StrategyInvalid, match="unknown input field 'agee'") as err:
        parse_strategy(text)
    assert err.value.line == _line_of(text, "agee")


def test_tier_naming_an_unknown_grade_fails() -> None:
    text = _default().replace("grades: [A, B], fraud_bands: [low], max_amount", "grades: [A, Z], fraud_bands: [low], max_amount")
    with pytest.raises(StrategyInvalid, match="unknown grade 'Z'"):
        parse_strategy(text)


def test_list_operator_needs_a_list() -> None:
    text = _default().replace("op: in, value: [K, J, B, R, K70, J66, J67, J69, B06, B07, R90, R93]", "op: in, value: K")
    with pytest.raises(StrategyInvalid, match="needs a list"):
        parse_strategy(text)


def test_reject_tier_without_reason_fails() -> None:
    text = _default().replace("{tier: reject, reason: RISK_BEYOND_APPETITE}", "{tier: reject}")
    with pytest.raises(StrategyInvalid, match="reject row needs a reason"):
        parse_strategy(text)


def test_unknown_strategy_name_is_not_found() -> None:
    with pytest.raises(StrategyNotFound, match="no strategy named 'nope'"):
        load_strategy("nope")


def test_strategy_file_by_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.yaml"
    path.write_text(_default().replace('version: "1.2.0"', 'version: "1.3.0"'), "utf-8")
    s = load_strategy(path)
    assert s.version == "1.3.0"
    assert s.digest != load_strategy("default").digest
