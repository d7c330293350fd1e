"""The live fraud graph reads kept applications and fraud findings back from the store."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import (
    PACKED_COLUMNS,
    identity_table,
    record_identity,
    unpack_identity,
)
from creditfactory.fraud.live import Assessment, LiveFraud
from creditfactory.services.context import ServiceContext
from creditfactory.services.fraud_graph import (
    case_neighbourhood,
    catch_up,
    catch_up_if_due,
    read_kept,
)
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor, Decision
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.store.tables_case import applications
from creditfactory.store.types import utcnow
from creditfactory.world import generate

WEIGHTS = np.random.default_rng(1).random(len(FEATURES))


class RejectAll:
    """A strategy that rejects every application (so cases close at once)."""

    version = "reject-all"

    def decide(self, application: Any, scores: Any) -> Decision:
        return Decision("reject", Decimal("0.00"), Decimal("0"), "none", ("TEST",), None, {})


def _scorer(identity: Any) -> LiveFraud:
    live = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES, np.linspace(0, 40, 400),
                     DEV_SECRET_KEY.encode()).seed(identity, np.full(len(identity), np.iinfo(np.int64).max))
    live.background_refresh = False
    return live


def _restarted(ctx: ServiceContext, identity: Any) -> tuple[ServiceContext, LiveFraud]:
    """Another process on the same store: a new graph, caught up with what the store keeps."""
    graph = _scorer(identity)
    other = replace(ctx, fraud=graph)
    catch_up(other)
    return other, graph


def _assessed(ctx: ServiceContext, application: dict[str, Any]) -> Assessment:
    """The assessment a decision in ``ctx`` would make, catching up first when due."""
    assert ctx.fraud is not None
    catch_up_if_due(ctx)
    return ctx.fraud.assess(application)


def _factory(
    url: str, newcomers_seed: int, n: int, counterparts: Any, wire: Any, declared: Any
) -> tuple[Any, ServiceContext, LiveFraud, Any, list[dict[str, Any]]]:
    """A factory with a 1,500-application world, a live fraud graph caught up with its store,
    its bureau the newcomers' world, and ``n`` new applications to submit (the world's rows,
    the bureau fields and times the platform will fetch and stamp included): (engine, ctx, the
    running graph, identity, rows)."""
    world = generate(1_500, 12, seed=7)
    identity = identity_table(world.applications, DEV_SECRET_KEY.encode())
    outside = generate(600, 12, seed=newcomers_seed).applications
    rows = [{**r, **declared(r, i), "applied_at": r["applied_at"].to_pydatetime()}
            for i, r in enumerate(outside.tail(n).to_dict("records"))]
    for r in rows:
        r.pop("application_id")
    engine = make_engine(url)
    running = _scorer(identity)
    ctx = ServiceContext(engine, PersonalDataVault("k" * 40), RejectAll(), fraud=running)
    setup_service(ctx, url, "a-long-admin-password", world, train=False)
    catch_up(ctx)
    return engine, wire(ctx, counterparts(outside)), running, identity, rows


def _submit(ctx: ServiceContext, row: dict[str, Any], key: str, declared: Any) -> int:
    """Submit ``row`` as declared, replayed at its own time; the application id."""
    at = row["applied_at"]
    code, body, _ = submit_application(replace(ctx, clock=lambda: at),
                                       Actor("am", "account_manager"), declared(row), key)
    assert code == 201, body
    return int(body["application_id"])


def test_kept_applications_and_fraud_findings_reach_every_process(
    empty_db_url: str, counterparts: Any, wire: Any, declared: Any
) -> None:
    engine, ctx, running, identity, rows = _factory(empty_db_url, 8, 12, counterparts, wire,
                                                    declared)
    for row in rows[6:]:
        row["device_id"] = rows[0]["device_id"]
    try:
        ids = [_submit(ctx, row, f"k-{n}", declared) for n, row in enumerate(rows[:8])]
        restarted, graph = _restarted(ctx, identity)
        assert len(graph) == len(running) == 1_500 + 8
        assert _assessed(restarted, rows[8]) == _assessed(ctx, rows[8])

        with ctx.uow() as uow:
            uow.applications.add_finding(
                application_id=ids[0], channel_id=rows[0]["channel_id"], step="field_investigation",
                identity_confirmed=False, recorded_by="inv", recorded_at=utcnow())
            uow.commit()
        rows[9]["applied_at"] = max(r["applied_at"] for r in rows) + timedelta(hours=1)
        assert "BLACKLIST" in _assessed(restarted, rows[9]).codes.split(",")

        drawn = case_neighbourhood(ctx, ids[0])
        nodes = {n["key"]: n for n in drawn["nodes"]}
        assert drawn["center"] == f"store:{ids[0]}"
        assert nodes[drawn["center"]]["known_bad_since"] is not None
        assert {f"store:{ids[6]}", f"store:{ids[7]}"} <= set(nodes)
        assert all("device" in link["kinds"] for link in drawn["links"]
                   if drawn["center"] in (link["source"], link["target"]))
        text = json.dumps(drawn)
        assert rows[0]["device_id"] not in text and rows[0]["phone"] not in text
    finally:
        engine.dispose()


def _hashed(app: dict[str, Any]) -> dict[str, int]:
    return {c: v for c, v in record_identity(app, DEV_SECRET_KEY.encode()).items() if c in PACKED_COLUMNS}


def test_submissions_keep_their_identity_and_older_rows_are_hashed_from_sealed_values(
    empty_db_url: str, counterparts: Any, wire: Any, declared: Any
) -> None:
    engine, ctx, running, identity, rows = _factory(empty_db_url, 9, 8, counterparts, wire,
                                                    declared)
    try:
        catch_up(ctx)
        running.catch_up_every = 3_600.0  # no read while submitting (after the first)
        ids = [_submit(ctx, row, f"k-{n}", declared) for n, row in enumerate(rows[:6])]
        assert [running.graph.row_of(-i) for i in ids] == list(range(1_500, 1_506))

        with engine.connect() as conn:
            kept = dict(conn.execute(sa.select(applications.c.application_id,
                                               applications.c.fraud_identity)).all())
        assert [unpack_identity(bytes(kept[i])) for i in ids] == [_hashed(r) for r in rows[:6]]
        with engine.begin() as conn:  # as if kept before the record was
            conn.execute(sa.update(applications)
                         .where(applications.c.application_id.in_(ids[:3]))
                         .values(fraud_identity=None))
        read = {k.application_id: k for k in read_kept(ctx, running, 0, 0).applications}
        assert [read[i].packed is None for i in ids] == [True] * 3 + [False] * 3
        assert [{c: read[i].identity[c] for c in PACKED_COLUMNS} for i in ids] \
            == [_hashed(r) for r in rows[:6]]

        restarted, graph = _restarted(ctx, identity)
        assert [graph.graph.row_of(-i) for i in ids] == list(range(1_500, 1_506))
        assert _assessed(restarted, rows[6]) == _assessed(ctx, rows[6])
    finally:
        engine.dispose()
