"""Sealing the personal values an older schema kept in clear, with the service secret.

Migration 0008 cannot seal (it has no key): it moves those values to a holding table. Setup
and every start-up of a deciding process call :func:`seal_pending_personal` first, so a store
serves only once nothing is left in clear. Each page is sealed and removed in one transaction;
two processes starting together seal the same value twice at worst, to the same hash and mask.
"""

from __future__ import annotations

from collections import defaultdict

from creditfactory.services.application_input import contact_phones_hash, seal_values
from creditfactory.services.context import ServiceContext
from creditfactory.store.repo_personal import UnsealedPersonal

__all__ = ["seal_pending_personal"]

PAGE = 500


def seal_pending_personal(ctx: ServiceContext, page: int = PAGE) -> int:
    """Seal every waiting personal value into its row's columns; how many values were sealed
    (0 on a schema before migration 0008)."""
    with ctx.uow(write=False) as uow:  # most starts find nothing: no writer's lock then
        reads = UnsealedPersonal(uow.conn)
        if not reads.exists() or not reads.page(1):
            return 0
    sealed = 0
    while True:
        with ctx.uow() as uow:
            repo = UnsealedPersonal(uow.conn)
            waiting = repo.page(page)
            if not waiting:
                return sealed
            rows: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
            for w in waiting:
                rows[(w["table_name"], int(w["row_id"]))][w["field"]] = w["value"]
            for (table, row_id), values in rows.items():
                _seal_row(ctx, repo, table, row_id, values)
            repo.done([int(w["id"]) for w in waiting])
            uow.commit()
        sealed += len(waiting)


def _seal_row(ctx: ServiceContext, repo: UnsealedPersonal, table: str, row_id: int,
              values: dict[str, str]) -> None:
    """One row's waiting values sealed into its columns; a value its table has no columns
    for (a copy of one sealed elsewhere) is only removed."""
    known = repo.columns_of(table)
    columns = {k: v for k, v in seal_values(values, ctx.vault).items() if k in known}
    if table == "applications":
        contacts = repo.contact_phones(row_id)
        if contacts["contact_phones_hash"] is None and contacts["contact_phones_enc"]:
            phones = ctx.vault.decrypt(contacts["contact_phones_enc"], "contact_phones")
            columns["contact_phones_hash"] = contact_phones_hash(phones, ctx.vault)
    if columns:
        repo.seal(table, row_id, columns)
