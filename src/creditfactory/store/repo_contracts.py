"""Contracts (document, digest, signing code, signature) and the re-checks before payout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, cases
from creditfactory.store.tables_contracts import contracts, payout_checks

__all__ = ["ContractRepository"]

_PARTIES = (
    sa.select(cases.c.id.label("case_id"), applications.c.application_id,
              applications.c.applicant_id, applications.c.phone_masked,
              applications.c.bank_card_masked, applications.c.fields,
              applicants.c.name_masked, applicants.c.resident_id_masked,
              applicants.c.resident_id_hash, contracts.c.id.label("contract_id"))
    .join(applications, applications.c.application_id == cases.c.application_id)
    .join(applicants, applicants.c.id == applications.c.applicant_id)
    .outerjoin(contracts, contracts.c.case_id == cases.c.id)
)


class ContractRepository:
    """One contract per case, written once and then only its code and signature columns;
    the payout re-checks of a case, in order."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._parties: dict[int, dict[str, Any]] = {}

    def read_ahead(self, case_ids: list[int]) -> None:
        """Read the borrower of each case (masked and hashed only) and whether it has a
        contract, one statement for any number; :meth:`borrower` and :meth:`of_case` use them
        for the rest of the unit of work (a batch of bank answers reaches the contract step
        for each of its cases)."""
        if case_ids:
            q = _PARTIES.where(cases.c.id.in_(case_ids))
            self._parties.update({int(r["case_id"]): dict(r)
                                  for r in self._c.execute(q).mappings()})

    def borrower(self, case_id: int) -> dict[str, Any]:
        """The borrower's masked and hashed fields, applicant and application of a case."""
        if case_id not in self._parties:
            self.read_ahead([case_id])
        return self._parties[case_id]

    def add(self, **values: Any) -> int:
        q = sa.insert(contracts).values(**values).returning(contracts.c.id)
        contract_id = int(self._c.execute(q).scalar_one())
        if values["case_id"] in self._parties:
            self._parties[values["case_id"]]["contract_id"] = contract_id
        return contract_id

    def get(self, contract_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        q = sa.select(contracts).where(contracts.c.id == contract_id)
        if for_update:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def of_case(self, case_id: int) -> dict[str, Any] | None:
        known = self._parties.get(case_id)
        if known is not None and known["contract_id"] is None:
            return None  # read ahead with no contract, and this unit of work wrote none since
        row = self._c.execute(
            sa.select(contracts).where(contracts.c.case_id == case_id)).mappings().first()
        return None if row is None else dict(row)

    def awaiting_signature(self, limit: int, *, unsent: bool = False) -> list[dict[str, Any]]:
        """Contracts not signed yet (``unsent``: only those no code was sent for), oldest
        first."""
        q = sa.select(contracts).where(contracts.c.status == "awaiting_signature")
        if unsent:
            q = q.where(contracts.c.code_sent_at.is_(None))
        q = q.order_by(contracts.c.id).limit(limit)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def update(self, contract_id: int, **values: Any) -> None:
        self._c.execute(sa.update(contracts).where(contracts.c.id == contract_id).values(**values))

    def count_attempt(self, contract_id: int) -> None:
        """One more attempt at the signing code (the caller commits it before refusing)."""
        self._c.execute(sa.update(contracts).where(contracts.c.id == contract_id)
                        .values(code_attempts=contracts.c.code_attempts + 1))

    def add_check(self, case_id: int, at: datetime, outcome: str,
                  evidence: dict[str, Any]) -> int:
        q = sa.insert(payout_checks).values(case_id=case_id, checked_at=at, outcome=outcome,
                                            evidence=evidence).returning(payout_checks.c.id)
        return int(self._c.execute(q).scalar_one())

    def checks(self, case_id: int) -> list[dict[str, Any]]:
        q = sa.select(payout_checks).where(payout_checks.c.case_id == case_id).order_by(
            payout_checks.c.id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def clear_check(self, check_id: int, by: str, at: datetime) -> None:
        self._c.execute(sa.update(payout_checks).where(payout_checks.c.id == check_id)
                        .values(outcome="cleared", cleared_by=by, cleared_at=at))
