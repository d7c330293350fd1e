"""The live fraud graph kept in step with the store, and the neighbourhood a case page draws.

Every process deciding applications holds its own live fraud graph (``ctx.fraud``). Before a
score, :func:`catch_up` reads what the store kept since the graph last read (one indexed
range query on applications and one on findings) and hands it to the graph, so the graph
holds every kept application whoever decided it, before and after a restart. The graph
stores only keyed hashes.

A submission computes its identity record once, hands it to the assessment, keeps it with
the application (:func:`stored_identity`, the ``fraud_identity`` column) and, once its write
has committed, tells the graph the kept id (:func:`identity_kept`): the graph's provisional
node takes it at once and reading the row back costs nothing. Other processes read the kept
record as it is; only applications kept without one (before the column existed) have their
sealed personal values opened here to be hashed, and those never leave this module.

A finding that the identity was not confirmed or the business is not real makes the
application a known bad: those two findings say the application was not what it claimed. The
loan book is the other source: an early default or a write-off never paid, recorded by the
month-end monitoring (``services.monitoring_store.record_book_bads``), marks the application
bad from the start of the month after the one it was seen in.

Once a month (:func:`sweep_ring_links`, run by the month-end monitoring) the whole graph of
kept identity records is built again to find the applications that came to share two kinds of
identity value with another -- a ring's members, whose mates often applied after them -- and
keeps them for collections, whose nights read the marks instead of rebuilding the graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import RowMapping

from creditfactory.collections.episodes import linked_since
from creditfactory.fraud.identity import identity_frame, pack_identity
from creditfactory.fraud.live import CatchUp, KeptApplication, KnownBad
from creditfactory.services.application_input import open_personal
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import ApplicationNotFound, DecisionUnavailable
from creditfactory.services.ports import FraudGraph
from creditfactory.store import PersonalDataVault, UnitOfWork
from creditfactory.store.repo_fraud import FraudFeedRepository
from creditfactory.store.repo_learning import LearningRepository

__all__ = [
    "PAGE",
    "case_neighbourhood",
    "catch_up",
    "catch_up_if_due",
    "identity_kept",
    "kept_identity",
    "read_kept",
    "stored_identity",
    "sweep_ring_links",
]

PAGE = 1_000


def stored_identity(identity: Mapping[str, int] | None) -> bytes | None:
    """What ``applications.fraud_identity`` keeps of an identity record."""
    return None if identity is None else pack_identity(identity)


def identity_kept(ctx: ServiceContext, identity: Mapping[str, int] | None,
                  application_id: int) -> None:
    """Tell the live graph that the application assessed with ``identity`` is kept (call after
    the commit); nothing without a live graph or a record."""
    if ctx.fraud is not None and identity is not None:
        ctx.fraud.kept(identity, application_id)


def kept_identity(row: RowMapping, vault: PersonalDataVault, graph: FraudGraph) -> dict[str, int]:
    """The graph's identity record of a kept application (hashes and time only), from its
    sealed values: for applications kept without their record."""
    app: dict[str, Any] = dict(row["fields"])
    app.setdefault("applied_at", row["applied_at"])
    app.update(open_personal(row, vault))
    return graph.identity_of(app)


def _kept(row: RowMapping, hashed: Mapping[int, dict[str, int]]) -> KeptApplication:
    """A kept application with its stored record, or the one hashed from its sealed values."""
    app_id = int(row["application_id"])
    packed = row["fraud_identity"]
    if packed is None:
        return KeptApplication(app_id, hashed[app_id])
    return KeptApplication(app_id, packed=bytes(packed))


def _known_bad(row: RowMapping) -> bool:
    return row["identity_confirmed"] is False or row["business_real"] is False


def read_kept(ctx: ServiceContext, graph: FraudGraph, after_application: int,
              after_finding: int, page: int = PAGE, after_book: int | None = None) -> CatchUp:
    """One page of what the store kept after the ids given: applications (as identity
    records) and findings, with the known bads those findings establish, and (with
    ``after_book``) the known bads the loan book established."""
    with ctx.uow(write=False) as uow:
        feed = FraudFeedRepository(uow.conn)
        apps = feed.applications_after(after_application, page)
        sealed = feed.sealed([r["application_id"] for r in apps if r["fraud_identity"] is None])
        found = feed.findings_after(after_finding, page)
        book = [] if after_book is None else feed.book_bads_after(after_book, page)
    hashed = {int(r["application_id"]): kept_identity(r, ctx.vault, graph) for r in sealed}
    return CatchUp(
        applications=[_kept(r, hashed) for r in apps],
        known_bads=[
            KnownBad(int(r["id"]), int(r["application_id"]), int(r["recorded_at"].timestamp()))
            for r in found if _known_bad(r)
        ],
        finding_ids=[int(r["id"]) for r in found],
        more=len(apps) == page or len(found) == page or len(book) == page,
        book_bads=[KnownBad(int(r["id"]), int(r["application_id"]),
                            int(r["known_at"].timestamp())) for r in book],
    )


def catch_up(ctx: ServiceContext, page: int = PAGE) -> int:
    """Hand the live graph everything the store kept since it last read; the number of
    applications added (0 without a live graph)."""
    graph = ctx.fraud
    if graph is None:
        return 0
    added = 0
    while True:
        batch = read_kept(ctx, graph, *graph.catch_up_position(), page=page,
                          after_book=graph.book_position())
        added += graph.take(batch)
        if not batch.more:
            return added


def catch_up_if_due(ctx: ServiceContext) -> None:
    """Catch the live graph up before a score, or not if it read less than its catch-up
    interval ago (a busy server reads once per interval instead of once per application)."""
    if ctx.fraud is not None and ctx.fraud.catch_up_due():
        catch_up(ctx)


def case_neighbourhood(ctx: ServiceContext, application_id: int, hops: int = 2,
                       max_nodes: int = 200) -> dict[str, Any]:
    """The kept application's neighbourhood in the live fraud graph, for the case page.

    Nodes are applications (kept ones by id, training ones marked as such) with their hop,
    time, whether they share the centre's channel and when they became known bad; links name
    the kinds of value shared. No personal value appears, raw or hashed.
    """
    if ctx.fraud is None:
        raise DecisionUnavailable("the decision service has no live fraud graph")
    catch_up(ctx)
    found = ctx.fraud.neighbourhood(application_id, hops, max_nodes)
    if found is None:
        raise ApplicationNotFound(f"no application {application_id} in the fraud graph")
    return found


def sweep_ring_links(uow: UnitOfWork, month: str, now: datetime) -> int:
    """Find, over every identity record kept by the end of ``month`` (``YYYY-MM``), the
    applications strongly linked to another by then; keep those not known before and the
    sweep itself. How many were new."""
    end = int((pd.Period(month, freq="M").end_time.normalize() + pd.Timedelta(days=1))
              .tz_localize(UTC).timestamp())
    ids, packed = FraudFeedRepository(uow.conn).identities()
    frame = identity_frame(ids, packed)
    frame = frame[frame["applied_at"].to_numpy() < end]
    since = linked_since(frame) if len(frame) else pd.Series(dtype=np.int64)
    found = since[since.to_numpy() < end]
    repo = LearningRepository(uow.conn)
    known = repo.ring_linked_ids()
    new = [{"application_id": a, "linked_at": datetime.fromtimestamp(t, UTC), "found_in": month}
           for a, t in zip(found.index.tolist(), found.tolist(), strict=True) if a not in known]
    repo.record_ring_sweep({"month": month, "applications": len(frame), "linked": len(found),
                            "through_application": int(frame["application_id"].max()) if len(frame) else 0,
                            "swept_at": now}, new)
    return len(new)
