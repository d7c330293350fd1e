"""A bank officer's queue never widens to every bank."""

from __future__ import annotations

from typing import Any

import pytest

from creditfactory.services.bank_answers import bank_queue
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor


class _NoStore:
    def uow(self, write: bool = True) -> Any:
        raise AssertionError("the store must not be read")


@pytest.mark.parametrize("role, bank", [("bank_officer", None), ("bank_officer", ""),
                                        ("verifier", None), ("account_manager", "CMB_GZ")])
def test_queue_refused_before_the_store_is_read(role: str, bank: str | None) -> None:
    with pytest.raises(RoleNotAllowed):
        bank_queue(_NoStore(), Actor("someone", role, bank), None, 10)  # type: ignore[arg-type]
