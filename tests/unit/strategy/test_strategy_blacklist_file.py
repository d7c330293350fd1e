"""A back-test reads its blacklist from a file; without one the blacklist rule knocks no one out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.strategy import decide_frame, decide_one, load_strategy
from creditfactory.strategy.blacklist_file import mark_blacklisted, read_blacklist

_DEFAULT = load_strategy("default")


def _frame(good_app: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {**good_app, "application_id": 1},
        {**good_app, "application_id": 2, "phone": "13800000000"},
        {**good_app, "application_id": 3, "ip": "10.1.2.3", "device_id": "dv-ring-0001"},
        {**good_app, "application_id": 4, "phone": "13800000001", "ip": None},
    ]
    return pd.DataFrame(rows)


def test_rows_carrying_a_listed_identifier_are_knocked_out_in_both_evaluators(
    tmp_path: Path, good_app: dict[str, Any], good_scores: dict[str, Any]
) -> None:
    path = tmp_path / "blacklist.csv"
    path.write_text("kind,value\nphone,138 0000 0000\ndevice,dv-ring-0001\n", encoding="utf-8")
    apps = mark_blacklisted(_frame(good_app), read_blacklist(path))
    assert apps["blacklisted"].tolist() == [False, True, True, False]
    scores = pd.DataFrame([good_scores] * len(apps))
    batch = decide_frame(_DEFAULT, apps, scores)
    hit = ["P21_BLACKLIST" in str(h).split(";") for h in batch["policy_hits"]]
    assert hit == [False, True, True, False]
    for row, expected in zip(apps.to_dict("records"), hit, strict=True):
        assert ("P21_BLACKLIST" in decide_one(_DEFAULT, row, good_scores).policy_hits) == expected


def test_without_a_blacklist_no_row_is_knocked_out_by_it(good_app: dict[str, Any],
                                                         good_scores: dict[str, Any]) -> None:
    apps = _frame(good_app)
    batch = decide_frame(_DEFAULT, apps, pd.DataFrame([good_scores] * len(apps)))
    assert not any("P21_BLACKLIST" in str(h) for h in batch["policy_hits"])


@pytest.mark.parametrize(("text", "message"), [
    ("kind,value\nemail,a@b.c\n", "line 2: kind must be one of"),
    ("kind,value\nphone,13800000000\nphone,123\n", "line 3: value is not an 11-digit"),
])
def test_a_bad_row_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidArgument, match=message):
        read_blacklist(path)
