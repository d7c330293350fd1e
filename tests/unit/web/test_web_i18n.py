"""The pages' language choice, their catalogue, and how they write money, rates and times."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.web import i18n
from creditfactory.web.formatting import money, number, rate, when, words
from creditfactory.web.i18n_terms import findings, reason

CATALOGUE = resources.files("creditfactory.web") / "translations" / "zh_CN" / "LC_MESSAGES"


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [
        (None, None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh_CN"),
        ("en-GB,en;q=0.9,zh-CN;q=0.8", None, "en"),
        ("fr-FR,fr;q=0.9,zh-TW;q=0.5", None, "zh_CN"),
        ("en;q=0.2,zh;q=0.7", None, "zh_CN"),
        ("de", None, "en"),
        ("zh-CN", "en", "en"),
        ("en", "zh_CN", "zh_CN"),
        ("en", "klingon", "en"),
        ("zh;q=abc", None, "en"),
    ],
)
def test_the_language_is_the_users_choice_else_the_browsers_best_match(
        header: str | None, chosen: str | None, expected: str) -> None:
    assert i18n.negotiate(header, chosen) == expected


def test_the_shipped_compiled_catalogue_is_the_po_file() -> None:
    po = read_po(io.BytesIO((CATALOGUE / "messages.po").read_bytes()))
    mo = read_mo(io.BytesIO((CATALOGUE / "messages.mo").read_bytes()))
    def entries(catalogue: Any) -> dict[Any, Any]:  # a plural's ids and forms as tuples
        return {m.id if isinstance(m.id, str) else tuple(m.id):
                m.string if isinstance(m.string, str) else tuple(m.string)
                for m in catalogue if m.id}

    from_po, from_mo = entries(po), entries(mo)
    assert from_mo == from_po, "run: pybabel compile -d src/creditfactory/web/translations"
    assert all(v if isinstance(v, str) else all(v) for v in from_po.values()), [
        k for k, v in from_po.items() if not (v if isinstance(v, str) else all(v))]


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    import re

    po = read_po(io.BytesIO((CATALOGUE / "messages.po").read_bytes()))
    names = re.compile(r"%\((\w+)\)s")
    wrong = []
    for m in po:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[-1]  # a plural: its plural message
        forms = [m.string] if isinstance(m.string, str) else list(m.string)
        wrong += [m.id for form in forms if sorted(names.findall(form)) != sorted(names.findall(msgid))]
    assert wrong == []


def test_chinese_pages_read_times_in_beijing_time_and_rates_as_percentages() -> None:
    t = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    with i18n.reading(i18n.reader_for("zh_CN", "SZ01")):
        assert when(t) == "2026-12-07 07:30 北京时间"
        assert rate(Decimal("0.193800")) == "19.38%"
        assert words("remote_verification") == "免调查不免核"
        assert reason("P19_LOW_REVENUE") == "申报月营业额低于 20,000"
        assert findings({"identity_confirmed": True, "verdict": "pass"}) == "身份已确认：是；结论：通过"
    with i18n.reading(i18n.reader_for("en")):
        assert when(t) == "2026-12-07 07:30 Beijing time"
        assert when(datetime(2026, 12, 6, 23, 30)) == "2026-12-07 07:30 Beijing time"  # naive is UTC
        assert rate("0.1938") == "19.38 %"
        assert number(1234567) == "1,234,567"
        assert reason("NOT_A_CODE") == "NOT_A_CODE"
        assert findings({"identity_confirmed": True, "hidden_debt": "88000.00"}) == (
            "hidden debt (CNY): 88000.00; identity confirmed: yes")


def test_a_branch_listed_abroad_keeps_its_own_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(i18n.BRANCH_ZONES, "LDN", "Europe/London")
    with i18n.reading(i18n.reader_for("en", "LDN")):
        assert when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "2026-07-01 13:00 UTC+0100"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_reads_the_same_in_both_languages(value: Decimal) -> None:
    with i18n.reading(i18n.reader_for("zh_CN")):
        zh = money(value)
    assert zh == money(value) == f"{value:,.2f}"
