"""Per-channel figures as SQL aggregates: volume, the decision's approvals, loans paid out, early
defaults on the book (a loan 30+ days past due within its first months on book, among loans
observed that long), and verification findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables_case import applications, cases, findings, loans
from creditfactory.store.tables_monitoring import monitoring_loan_months

__all__ = ["ChannelFigures"]


def _count_if(condition: Any) -> Any:
    return sa.func.sum(sa.case((condition, 1), else_=0))


class ChannelFigures:
    """Read-only per-channel aggregates for the channel pages."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def volumes(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per channel: ``applications``, ``recent`` (since ``since``), ``decided`` (a tier
        given), ``approved`` (not the reject tier) and ``paid_out`` (cases done). The
        application's channel comes from its index, the rest from the narrow cases table (a
        case opens when its application arrives)."""
        a, c = applications.c, cases.c
        q = (
            sa.select(
                a.channel_id,
                sa.func.count().label("applications"),
                _count_if(c.opened_at >= since).label("recent"),
                _count_if(c.tier != "pending").label("decided"),
                _count_if(c.tier.not_in(("pending", "reject"))).label("approved"),
                _count_if(c.status == "done").label("paid_out"),
            )
            .select_from(applications.join(cases, c.application_id == a.application_id))
            .group_by(a.channel_id)
        )
        return {
            str(r["channel_id"]): {k: int(r[k] or 0) for k in
                                   ("applications", "recent", "decided", "approved", "paid_out")}
            for r in self._c.execute(q).mappings()
        }

    def early_defaults(self, months: int, dpd: int) -> dict[str, dict[str, int]]:
        """Per channel: ``observed`` (loans seen at least ``months`` months on book by the
        monthly monitoring) and ``early`` (of those, at least ``dpd`` days past due in a month
        on book up to ``months``)."""
        m = monitoring_loan_months.c
        per_loan = (
            sa.select(
                m.loan_id,
                sa.func.max(m.mob).label("seen"),
                sa.func.max(sa.case((m.dpd >= dpd, 1), else_=0)).label("early"),
            )
            .where(m.mob <= months)
            .group_by(m.loan_id)
            .subquery()
        )
        a, ln = applications.c, loans.c
        q = (
            sa.select(
                a.channel_id,
                _count_if(per_loan.c.seen >= months).label("observed"),
                _count_if((per_loan.c.seen >= months) & (per_loan.c.early == 1)).label("early"),
            )
            .select_from(
                per_loan.join(loans, ln.id == per_loan.c.loan_id)
                .join(applications, a.application_id == ln.application_id))
            .group_by(a.channel_id)
        )
        return {str(r["channel_id"]): {"observed": int(r["observed"] or 0),
                                       "early": int(r["early"] or 0)}
                for r in self._c.execute(q).mappings()}

    def findings(self, channel_id: str) -> list[RowMapping]:
        """The channel's verification findings with the application's declared fields,
        oldest first (a channel's own, so a bounded read)."""
        f, a = findings.c, applications.c
        q = (
            sa.select(f.application_id, f.identity_confirmed, f.business_real,
                      f.verified_monthly_revenue, a.fields)
            .join(applications, a.application_id == f.application_id)
            .where(f.channel_id == channel_id)
            .order_by(f.id)
        )
        return list(self._c.execute(q).mappings())
