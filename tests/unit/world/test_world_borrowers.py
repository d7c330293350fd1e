"""Simulated borrowers sign the digest they were shown with the code they received, after a
moment; a seeded share never signs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from creditfactory.services.notifications import SigningNotice
from creditfactory.world.borrowers import SimulatedBorrowers


def _notice(i: int) -> SigningNotice:
    return SigningNotice(i, f"CF{i:012d}", 100 + i, "138****0000", f"{i:064x}", "text",
                         f"{i:06d}", datetime.now(UTC) + timedelta(minutes=30))


def test_borrowers_sign_what_they_were_shown_once_their_moment_has_passed() -> None:
    borrowers = SimulatedBorrowers(sign_rate=1.0, delay=(1.0, 2.0), channel="sms_link")
    for i in range(5):
        borrowers.send_signing_code(_notice(i))
    assert borrowers.signatures_due(datetime.now(UTC)) == []
    later = borrowers.signatures_due(datetime.now(UTC) + timedelta(seconds=3))
    assert sorted((s.contract_id, s.digest, s.code, s.channel) for s in later) == [
        (i, f"{i:064x}", f"{i:06d}", "sms_link") for i in range(5)]
    assert borrowers.signatures_due(datetime.now(UTC) + timedelta(seconds=3)) == []


def test_a_seeded_share_never_signs_and_the_same_seed_repeats() -> None:
    def signed(seed: int) -> list[int]:
        b = SimulatedBorrowers(sign_rate=0.7, delay=(0, 0), seed=seed)
        for i in range(200):
            b.send_signing_code(_notice(i))
        return [s.contract_id for s in b.signatures_due(datetime.now(UTC) + timedelta(1))]

    first = signed(3)
    assert first == signed(3) and 110 < len(first) < 170


def test_odd_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        SimulatedBorrowers(sign_rate=1.5)
    with pytest.raises(ValueError):
        SimulatedBorrowers(delay=(2.0, 1.0))
