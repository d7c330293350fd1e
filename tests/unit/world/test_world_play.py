"""The world-play driver against a hand-written fake of the platform: applicants apply at their
own times with only what they declare, the borrowers pay on their loans' monthly dates through
their banks' daily files, every day is closed once, and the same seed plays the same."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from creditfactory.data.io import read_table
from creditfactory.domain.external_data import BUREAU_FIELDS
from creditfactory.servicing.schedules import add_months
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.play import PlayConfig, PlayWorld, play

INSTALMENT = 500_000  # fen


@dataclass
class Due:
    owed: int
    payoff: int
    written_off: bool = False
    closed: bool = False


class FakePlatform:
    """Books every application the day it is worked, at a flat instalment, two banks."""

    def __init__(self) -> None:
        self.apps: list[tuple[dict[str, Any], datetime]] = []
        self.loans: list[dict[str, Any]] = []
        self.files: list[tuple[str, str, list[list[str]]]] = []
        self.prepaid: list[tuple[str, int, str, date, int]] = []
        self.closed: list[date] = []

    def submit(self, application: dict[str, Any], at: datetime, key: str) -> int | None:
        self.apps.append((application, at))
        return len(self.apps)

    def work(self, at: datetime) -> int:
        new = range(len(self.loans) + 1, len(self.apps) + 1)
        for n in new:
            term = int(self.apps[n - 1][0]["term_months"])
            self.loans.append({"loan_id": n, "application_id": n, "bank_code": f"B{n % 2}",
                               "contract_no": f"C{n:04d}", "start_date": at.date(),
                               "term_months": term, "instalments_fen": [INSTALMENT] * term})
        return len(new)

    def booked(self, after: int) -> list[dict[str, Any]]:
        return [x for x in self.loans if x["loan_id"] > after]

    def statements(self, bank: str, loan_ids: Any, day: date) -> dict[int, Due]:
        return {i: Due(INSTALMENT, INSTALMENT * 10) for i in loan_ids}

    def bank_file(self, bank: str, path: Path, at: datetime) -> tuple[int, int]:
        with path.open(encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.files.append((bank, path.name, rows))
        return len(rows) - 1, 0

    def prepay(self, bank: str, loan_id: int, reference: str, day: date, amount_fen: int,
               at: datetime) -> None:
        self.prepaid.append((bank, loan_id, reference, day, amount_fen))

    def close(self, day: date, at: datetime) -> None:
        self.closed.append(day)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> PlayWorld:
    out = tmp_path_factory.mktemp("w")
    write_world(WorldConfig(1200, 6, seed=4), out)
    return PlayWorld(read_table(out, "applications", money="float"),
                     read_table(out, "truth", money="float"),
                     read_table(out, "performance", money="float",
                                columns=["application_id", "mob"]),
                     json.loads((out / "meta.json").read_text()))


def _play(world: PlayWorld, tmp: Path, seed: int = 3) -> FakePlatform:
    platform = FakePlatform()
    play(world, platform, PlayConfig(months=4, per_month=15, seed=seed), tmp)
    return platform


def test_applicants_apply_at_their_times_with_only_what_they_declare(
        world: PlayWorld, tmp_path: Path) -> None:
    p = _play(world, tmp_path)
    assert len(p.apps) == 60
    times = [at for _, at in p.apps]
    assert times == sorted(times) and date(2019, 1, 1) <= times[0].date()
    assert times[-1].date() <= date(2019, 4, 30)
    assert all(at.tzinfo is not None for at in times)
    for app, _ in p.apps:
        assert not {"application_id", "applied_at", *BUREAU_FIELDS} & set(app)
        assert not set(app) & set(world.truth.columns) - {"application_id"}


def test_borrowers_pay_on_monthly_dates_through_their_banks_daily_files(
        world: PlayWorld, tmp_path: Path) -> None:
    p = _play(world, tmp_path)
    assert p.closed == sorted(set(p.closed)) and len(p.closed) == 120  # Jan to April 2019
    start = {x["contract_no"]: x["start_date"] for x in p.loans}
    bank = {x["contract_no"]: x["bank_code"] for x in p.loans}
    rows = 0
    for file_bank, name, content in p.files:
        assert content[0] == ["reference", "loan", "date", "amount"]
        for ref, contract, on, amount in content[1:]:
            day = date.fromisoformat(on)
            assert name == f"{file_bank}-{on}.csv" and bank[contract] == file_bank
            k = int(ref.rsplit("-", 1)[1])
            assert day == add_months(start[contract], k) and k >= 1
            assert int(amount.replace(".", "")) > 0 and len(amount.split(".")[1]) == 2
            rows += 1
    assert rows > len(p.loans)  # most borrowers pay most months
    assert all(day == add_months(start[f"C{loan:04d}"], int(ref[-3:-1]))
               for _, loan, ref, day, _ in p.prepaid)


def test_the_same_seed_plays_the_same_and_another_seed_other_applicants(
        world: PlayWorld, tmp_path: Path) -> None:
    a, b = _play(world, tmp_path / "a"), _play(world, tmp_path / "b")
    assert [f[2] for f in a.files] == [f[2] for f in b.files] and a.prepaid == b.prepaid
    c = _play(world, tmp_path / "c", seed=4)
    assert [x for _, x in a.apps] != [x for _, x in c.apps]
