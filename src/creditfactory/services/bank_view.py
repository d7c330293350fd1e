"""What a bank reads with each package waiting for its answer: the platform's score and
recommendation (in the package) and the verification findings recorded on the case.

The findings are read only for the packages the bank may see (``bank_queue`` filters by the
account's bank); a verifier's free-text note is left out, since it is not written for a bank.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditfactory.services.bank_answers import bank_queue
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.store.tables_case import findings

__all__ = ["pending_with_findings", "ANSWERS"]

ANSWERS = ("identity_confirmed", "business_real", "purpose_confirmed", "hidden_debt",
           "verified_monthly_revenue")


def pending_with_findings(ctx: ServiceContext, actor: Actor, limit: int) -> list[dict[str, Any]]:
    """The packages waiting for ``actor``'s bank (every bank's for overseers), each with
    ``findings``: per verification or investigation step, its answers, oldest first."""
    pending = bank_queue(ctx, actor, None, limit)
    ids = [int(s["package"]["application_id"]) for s in pending
           if s["package"].get("application_id") is not None]
    by_app: dict[int, list[dict[str, Any]]] = {}
    if ids:
        f = findings.c
        q = (sa.select(f.application_id, f.step, f.recorded_at, *(f[k] for k in ANSWERS))
             .where(f.application_id.in_(ids)).order_by(f.id))
        with ctx.uow(write=False) as uow:
            for row in uow.conn.execute(q).mappings():
                answers = {k: row[k] for k in ANSWERS if row[k] is not None}
                by_app.setdefault(int(row["application_id"]), []).append(
                    {"step": row["step"], "recorded_at": row["recorded_at"], "answers": answers})
    return [{**s, "findings": by_app.get(int(s["package"].get("application_id") or 0), [])}
            for s in pending]
