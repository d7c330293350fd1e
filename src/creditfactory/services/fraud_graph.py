"""The live fraud graph kept in step with the store, and the neighbourhood a case page draws.

Every process deciding applications holds its own online fraud graph; each reads the store
before scoring (:func:`store_source`, one indexed range query on applications and one on
findings) so the graph holds every kept application whoever decided it, before and after a
restart. The graph stores only keyed hashes.

A submission computes its identity record once (:func:`submission_identity`), hands it to the
decision, keeps it with the application (:func:`stored_identity`, the ``fraud_identity``
column) and, once its write has committed, tells the graph the kept id
(:func:`identity_kept`): the graph's provisional node takes it at once and reading the row
back costs nothing. Other processes read the kept record as it is; only applications kept
without one (before the column existed) have their sealed personal values opened here to be
hashed, and those never leave this module.

A finding that the identity was not confirmed or the business is not real makes the
application a known bad: those two findings say the application was not what it claimed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import RowMapping

from creditfactory.fraud.identity import pack_identity, record_identity
from creditfactory.fraud.live import FRAUD_IDENTITY, LiveFraud
from creditfactory.fraud.live_source import CatchUp, CatchUpSource, KeptApplication, KnownBad
from creditfactory.fraud.settings import secret_key
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import ApplicationNotFound, DecisionUnavailable
from creditfactory.services.strategy_port import behind
from creditfactory.store import PersonalDataVault
from creditfactory.store.repo_fraud import FraudFeedRepository

__all__ = [
    "FRAUD_IDENTITY",
    "attach_store_source",
    "case_neighbourhood",
    "identity_kept",
    "kept_identity",
    "live_fraud_of",
    "store_source",
    "stored_identity",
    "submission_identity",
]

PAGE = 1_000


def submission_identity(ctx: ServiceContext, app: Mapping[str, Any]) -> dict[str, int] | None:
    """The identity record of an application being submitted, computed once for the decision
    (``app[FRAUD_IDENTITY]``), the store and the graph; ``None`` without a live fraud graph."""
    live = live_fraud_of(ctx.decider)
    return None if live is None else live.identity_of(app)


def stored_identity(identity: Mapping[str, int] | None) -> bytes | None:
    """What ``applications.fraud_identity`` keeps of an identity record."""
    return None if identity is None else pack_identity(identity)


def identity_kept(ctx: ServiceContext, identity: Mapping[str, int] | None,
                  application_id: int) -> None:
    """Tell the live graph that the application scored with ``identity`` is kept (call after
    the commit); nothing without a live graph or a record."""
    live = live_fraud_of(ctx.decider)
    if live is not None and identity is not None:
        live.kept(identity, application_id)


def kept_identity(row: RowMapping, vault: PersonalDataVault, key: bytes) -> dict[str, int]:
    """The graph's identity record of a kept application (hashes and time only), from its
    sealed values: for applications kept without their record."""
    app: dict[str, Any] = dict(row["fields"])
    app.setdefault("applied_at", row["applied_at"])
    app["resident_id"] = vault.decrypt(row["resident_id_enc"], "resident_id")
    app["phone"] = vault.decrypt(row["phone_enc"], "phone")
    app["bank_card"] = vault.decrypt(row["bank_card_enc"], "bank_card")
    app["contact_phones"] = vault.decrypt(row["contact_phones_enc"], "contact_phones")
    return record_identity(app, key)


def _kept(row: RowMapping, hashed: Mapping[int, dict[str, int]]) -> KeptApplication:
    """A kept application with its stored record, or the one hashed from its sealed values."""
    app_id = int(row["application_id"])
    packed = row["fraud_identity"]
    if packed is None:
        return KeptApplication(app_id, hashed[app_id])
    return KeptApplication(app_id, packed=bytes(packed))


def _known_bad(row: RowMapping) -> bool:
    return row["identity_confirmed"] is False or row["business_real"] is False


def store_source(ctx: ServiceContext, key: bytes | None = None,
                 page: int = PAGE) -> CatchUpSource:
    """The catch-up port over ``ctx``'s store (``key``: the identity key, from settings)."""
    identity_key = key if key is not None else secret_key()

    def read(after_application: int, after_finding: int) -> CatchUp:
        with ctx.uow(write=False) as uow:
            feed = FraudFeedRepository(uow.conn)
            apps = feed.applications_after(after_application, page)
            sealed = feed.sealed([r["application_id"] for r in apps if r["fraud_identity"] is None])
            found = feed.findings_after(after_finding, page)
        hashed = {int(r["application_id"]): kept_identity(r, ctx.vault, identity_key)
                  for r in sealed}
        return CatchUp(
            applications=[_kept(r, hashed) for r in apps],
            known_bads=[
                KnownBad(int(r["id"]), int(r["application_id"]),
                         int(r["recorded_at"].timestamp()))
                for r in found if _known_bad(r)
            ],
            finding_ids=[int(r["id"]) for r in found],
            more=len(apps) == page or len(found) == page,
        )

    return read


def live_fraud_of(target: Any) -> LiveFraud | None:
    """The live fraud scorer behind a decision port, decider or score provider, if any."""
    found: LiveFraud | None = behind(target, lambda o: isinstance(o, LiveFraud))
    return found


def attach_store_source(target: Any, ctx: ServiceContext,
                        source: Callable[[ServiceContext], CatchUpSource] = store_source,
                        ) -> LiveFraud | None:
    """Make the live fraud graph behind ``target`` read ``ctx``'s store, and catch up now.

    Call once per process after the decision port is built (the catch-up after a restart
    then happens at start-up rather than on the first request). ``None`` when the models
    have no live fraud graph.
    """
    live = live_fraud_of(target)
    if live is not None:
        live.attach_source(source(ctx))
        live.catch_up()
    return live


def case_neighbourhood(ctx: ServiceContext, application_id: int, hops: int = 2,
                       max_nodes: int = 200) -> dict[str, Any]:
    """The kept application's neighbourhood in the live fraud graph, for the case page.

    Nodes are applications (kept ones by id, training ones marked as such) with their hop,
    time, whether they share the centre's channel and when they became known bad; links name
    the kinds of value shared. No personal value appears, raw or hashed.
    """
    live = live_fraud_of(ctx.decider)
    if live is None:
        raise DecisionUnavailable("the decision service has no live fraud graph")
    found = live.neighbourhood(application_id, hops, max_nodes)
    if found is None:
        raise ApplicationNotFound(f"no application {application_id} in the fraud graph")
    return found
