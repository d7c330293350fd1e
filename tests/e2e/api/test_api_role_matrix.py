"""Every API operation for every role, with the exact status each gets.

The operations are read from the running server's OpenAPI document: a route without an entry
in :data:`MATRIX` (or an entry without its route) fails, so a new route is never left
unchecked. Each request is well-formed and aimed at a real resource, so its status reflects
who asks: 2xx (or 404 when the resource belongs to another bank) for the roles that may, 403
for the others, 401 without a token. A cell that should succeed gets a fresh resource of its
own (a task, a bank package, a user), so every change is made by the role under test. The
resources are made by :mod:`role_matrix_scene`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from creditfactory.domain.roles import ROLES

from .role_matrix_scene import IDENTITIES, PASSWORD, Phones, Scene

if TYPE_CHECKING:
    from conftest import Server

CASE_READERS = ("account_manager", "verifier", "investigator", "approver", "risk_analyst",
                "admin", "bank_officer")
CHANNEL_READERS = ("channel_manager", "risk_analyst", "admin")
CHANNEL_MANAGERS = ("channel_manager", "admin")
COLLECTION_READERS = ("collector", "risk_analyst", "admin", "bank_officer", "bank_system")


def grid(allowed: Iterable[str] | dict[str, int], ok: int = 200, *, others: int = 403,
         anonymous: int = 401) -> dict[str, int]:
    """The status of each identity: ``ok`` for ``allowed`` (or the statuses a dict gives),
    ``others`` for the rest, ``anonymous`` without a token."""
    given = allowed if isinstance(allowed, dict) else dict.fromkeys(allowed, ok)
    unknown = set(given) - set(IDENTITIES)
    assert not unknown, f"not identities: {unknown}"
    return {who: anonymous if who == "anonymous" else given.get(who, others)
            for who in IDENTITIES}


EVERYONE = tuple(w for w in IDENTITIES if w != "anonymous")


Call = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Op:
    """The status per identity, and the request for one identity (``fresh``: it should
    succeed, so it gets a resource of its own)."""

    expect: dict[str, int]
    call: Callable[[Scene, str, bool], Call]


PLACES: dict[str, Callable[[Scene], object]] = {
    "app": lambda s: s.shared["app"], "case": lambda s: s.shared["case"],
    "channel": lambda s: s.channel, "user": lambda s: s.spare_user,
    "contract": lambda s: s.contract["contract"], "contract_case": lambda s: s.contract["case"],
    "loan": lambda s: s.loan["loan"],
}


class _Places(dict[str, object]):
    """The scene's resources by the names a path gives them, made as first named."""

    def __init__(self, scene: Scene) -> None:
        super().__init__()
        self.scene = scene

    def __missing__(self, key: str) -> object:
        return PLACES[key](self.scene)


def _at(path: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    """The same request for everyone, at ``path`` with the scene's resources filled in."""
    return lambda scene, who, fresh: (path.format_map(_Places(scene)), dict(kw))


def _login(scene: Scene, who: str, fresh: bool) -> Call:
    return "/auth/token", {"data": {"username": "officer_cmb", "password": PASSWORD}}


def _logout(scene: Scene, who: str, fresh: bool) -> Call:
    token = IDENTITIES[who]
    return "/auth/logout", {"headers": scene.server.fresh(token) if token else {}}


def _submit(scene: Scene, who: str, fresh: bool) -> Call:
    return "/applications", {"json": scene.row(),
                             "headers": {"Idempotency-Key": uuid.uuid4().hex}}


def _task(action: str, body: dict[str, Any] | None = None) -> Callable[[Scene, str, bool], Call]:
    def call(scene: Scene, who: str, fresh: bool) -> Call:
        task = scene.open_task() if fresh else scene.shared_task
        return f"/tasks/{task}/{action}", {} if body is None else {"json": body}
    return call


def _decision(scene: Scene, who: str, fresh: bool) -> Call:
    sub = scene.bank_package() if fresh else scene.shared
    return (f"/bank-submissions/{sub['submission']}/decision",
            {"json": {"approve": who == "bank_officer", "reason": "within policy"}})


def _new_user(scene: Scene, who: str, fresh: bool) -> Call:
    name = f"m_{uuid.uuid4().hex[:12]}"
    return "/users", {"json": {"username": name, "password": PASSWORD, "role": "bank_system",
                               "bank_code": scene.server.manual_bank}}


def _signature(scene: Scene, who: str, fresh: bool) -> Call:
    signed = scene.signature()
    return (f"/contracts/{signed['contract']}/signature",
            {"json": {"digest": signed["digest"], "code": signed["code"], "channel": "app"}})


def _blacklist_phone() -> str:
    return "136" + f"{uuid.uuid4().int % 10**8:08d}"


def _blacklist_add(scene: Scene, who: str, fresh: bool) -> Call:
    return "/blacklists", {"json": {"kind": "phone", "value": _blacklist_phone(),
                                    "reason": "role matrix"}}


def _blacklist_entry(scene: Scene, who: str, fresh: bool) -> Call:
    entry = 1
    if fresh:  # a live entry of its own for each role that may remove one
        r = scene.client.post("/blacklists", headers=scene.server.h("risk_analyst"),
                              json={"kind": "phone", "value": _blacklist_phone(),
                                    "reason": "role matrix"})
        assert r.status_code == 201, r.text
        entry = r.json()["id"]
    return f"/blacklists/{entry}/remove", {"json": {"reason": "role matrix"}}


def _repayment(scene: Scene, who: str, fresh: bool) -> Call:
    return (f"/loans/{scene.loan['loan']}/repayments",
            {"json": {"reference": f"RM-{uuid.uuid4().hex[:12]}", "kind": "repayment",
                      "value_date": scene.loan["value_date"], "amount": "100.00"}})


CONTRACT_READS = grid({**dict.fromkeys(("account_manager", "approver", "risk_analyst",
                                        "bank_officer", "bank_system", "admin"), 200),
                       "other_bank_officer": 404})
REASON = {"json": {"reason": "role matrix"}}
MATRIX: dict[tuple[str, str], Op] = {
    ("GET", "/health"): Op(grid(EVERYONE, anonymous=200), _at("/health")),
    ("POST", "/auth/token"): Op(grid(EVERYONE, anonymous=200), _login),
    ("POST", "/auth/logout"): Op(grid(EVERYONE, 204), _logout),
    ("POST", "/applications"): Op(grid(["account_manager"], 201), _submit),
    ("GET", "/applications/{application_id}"): Op(
        grid({**dict.fromkeys(CASE_READERS, 200), "other_bank_officer": 404}),
        _at("/applications/{app}")),
    ("GET", "/applications/{application_id}/personal-data"): Op(
        grid(["verifier", "investigator"]),
        _at("/applications/{app}/personal-data", params={"purpose": "call back"})),
    ("GET", "/stations"): Op(grid(EVERYONE), _at("/stations")),
    ("GET", "/stations/{station}/tasks"): Op(
        grid(["verifier", "risk_analyst", "admin"]), _at("/stations/phone_verification/tasks")),
    ("POST", "/tasks/{task_id}/claim"): Op(grid(["verifier"]), _task("claim")),
    ("POST", "/tasks/{task_id}/complete"): Op(
        grid(["verifier"]), _task("complete", {"identity_confirmed": True})),
    ("GET", "/cases"): Op(grid([*CASE_READERS, "other_bank_officer"]), _at("/cases")),
    ("GET", "/cases/{case_id}"): Op(
        grid({**dict.fromkeys(CASE_READERS, 200), "other_bank_officer": 404}),
        _at("/cases/{case}")),
    ("GET", "/cases/{case_id}/audit"): Op(
        grid(["approver", "risk_analyst", "admin"]), _at("/cases/{case}/audit")),
    ("GET", "/bank-submissions"): Op(
        grid(["bank_officer", "bank_system", "other_bank_officer", "risk_analyst", "admin"]),
        _at("/bank-submissions")),
    ("POST", "/bank-submissions/{submission_id}/decision"): Op(
        grid({"bank_officer": 200, "bank_system": 200, "other_bank_officer": 404}), _decision),
    ("GET", "/channels"): Op(grid(CHANNEL_READERS), _at("/channels")),
    ("GET", "/channels/{channel_id}"): Op(grid(CHANNEL_READERS), _at("/channels/{channel}")),
    ("POST", "/channels/{channel_id}/suspend"): Op(grid(CHANNEL_MANAGERS),
                                                   _at("/channels/{channel}/suspend", **REASON)),
    ("POST", "/channels/{channel_id}/reactivate"): Op(grid(CHANNEL_MANAGERS),
                                                      _at("/channels/{channel}/reactivate", **REASON)),
    ("GET", "/channels/{channel_id}/deposit-movements"): Op(
        grid(CHANNEL_READERS), _at("/channels/{channel}/deposit-movements")),
    ("POST", "/channels/{channel_id}/deposit-movements"): Op(
        grid(CHANNEL_MANAGERS, 201),
        _at("/channels/{channel}/deposit-movements",
                 json={"kind": "post", "amount": "100.00", "reason": "role matrix"})),
    ("GET", "/blacklists"): Op(grid(["risk_analyst", "admin"]), _at("/blacklists")),
    ("POST", "/blacklists"): Op(grid(["risk_analyst"], 201), _blacklist_add),
    ("POST", "/blacklists/{entry_id}/remove"): Op(grid(["risk_analyst"]), _blacklist_entry),
    ("GET", "/users"): Op(grid(["admin"]), _at("/users")),
    ("POST", "/users"): Op(grid(["admin"], 201), _new_user),
    ("GET", "/users/me"): Op(grid(EVERYONE), _at("/users/me")),
    ("POST", "/users/{username}/deactivate"): Op(grid(["admin"]), _at("/users/{user}/deactivate")),
    ("POST", "/users/{username}/reactivate"): Op(grid(["admin"]), _at("/users/{user}/reactivate")),
    ("PUT", "/users/{username}/role"): Op(grid(["admin"]), _at("/users/{user}/role", json={"role": "approver"})),
    ("GET", "/contracts"): Op(CONTRACT_READS, _at("/contracts?case_id={contract_case}")),
    ("GET", "/contracts/{contract_id}"): Op(CONTRACT_READS, _at("/contracts/{contract}")),
    ("GET", "/contracts/{contract_id}/text"): Op(CONTRACT_READS, _at("/contracts/{contract}/text")),
    ("GET", "/contracts/{contract_id}/html"): Op(CONTRACT_READS, _at("/contracts/{contract}/html")),
    ("POST", "/contracts/{contract_id}/signing-code"): Op(
        grid(["account_manager"]), _at("/contracts/{contract}/signing-code")),
    # the borrower signs with no account: anyone holding the digest and the code, alike
    ("POST", "/contracts/{contract_id}/signature"): Op(grid(EVERYONE, 201, anonymous=201),
                                                       _signature),
    # a loan is its bank's: read by its accounts and the overseers, repaid by its accounts
    ("GET", "/loans/{loan_id}"): Op(
        grid({"bank_officer": 200, "bank_system": 200, "other_bank_officer": 404,
              "risk_analyst": 200, "admin": 200}), _at("/loans/{loan}")),
    ("POST", "/loans/{loan_id}/repayments"): Op(
        grid({"bank_officer": 201, "bank_system": 201, "other_bank_officer": 404}), _repayment),
    # the monthly monitoring's early-warning alerts: the overseers read them
    ("GET", "/alerts"): Op(grid(["risk_analyst", "admin"]), _at("/alerts?level=red")),
    # collections: collectors work, risk analysts decide restructures; the scene's loan is not
    # past due, so the roles let through find no account in collections (404)
    ("GET", "/collections/queue"): Op(grid([*COLLECTION_READERS, "other_bank_officer"]),
                                      _at("/collections/queue")),
    ("GET", "/collections/accounts/{loan_id}"): Op(
        grid(dict.fromkeys([*COLLECTION_READERS, "other_bank_officer"], 404)),
        _at("/collections/accounts/{loan}")),
    ("POST", "/collections/accounts/{loan_id}/contacts"): Op(
        grid({"collector": 404}), _at("/collections/accounts/{loan}/contacts",
                                      json={"channel": "call", "outcome": "reached"})),
    ("POST", "/collections/accounts/{loan_id}/promises"): Op(
        grid({"collector": 404}), _at("/collections/accounts/{loan}/promises",
                                      json={"amount": "100.00", "due_on": "2030-01-01"})),
    ("POST", "/collections/accounts/{loan_id}/restructures"): Op(
        grid({"collector": 404}), _at("/collections/accounts/{loan}/restructures",
                                      json={"term_months": 48, "reason": "shortfall"})),
    ("GET", "/collections/restructures"): Op(grid(["risk_analyst", "admin"]),
                                            _at("/collections/restructures")),
    ("POST", "/collections/restructures/{restructure_id}/decision"): Op(
        grid({"risk_analyst": 404}), _at("/collections/restructures/999999999/decision",
                                         json={"approve": True})),
    ("GET", "/collections/dashboard"): Op(grid(["collector", "risk_analyst", "admin"]),
                                          _at("/collections/dashboard")),
}


def _routes(client: httpx.Client) -> set[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return {(method.upper(), path.removeprefix("/api/v1"))
            for path, operations in spec["paths"].items() for method in operations}


@pytest.fixture(scope="module")
def scene(server: Server) -> Iterator[Scene]:
    channel = server.ctx.borrowers
    server.ctx.borrowers = Phones(channel)
    with httpx.Client(base_url=server.base, timeout=30) as c:
        made = Scene(server, c)
        yield made
        server.ctx.borrowers = channel
        if "channel" in made.__dict__:  # leave the channel able to refer
            c.post(f"/channels/{made.channel}/reactivate", headers=server.h("channel_manager"),
                   json={"reason": "role matrix done"})


def test_every_role_has_a_column() -> None:
    assert set(ROLES) <= set(IDENTITIES), f"roles without a column: {set(ROLES) - set(IDENTITIES)}"


def test_every_route_has_an_entry_and_every_entry_a_route(client: httpx.Client) -> None:
    routes = _routes(client)
    unknown = sorted(routes - MATRIX.keys())
    assert not unknown, (
        "routes without an entry in the role matrix (tests/e2e/api/test_api_role_matrix.py): "
        + ", ".join(f"{m} {p}" for m, p in unknown)
        + " -- give each one the exact status every role gets"
    )
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"matrix entries whose route is gone: {stale}"


@pytest.mark.parametrize("route", list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_each_role_gets_exactly_its_status(scene: Scene, route: tuple[str, str]) -> None:
    method, _ = route
    op = MATRIX[route]
    wrong = []
    for who, expected in op.expect.items():
        url, kw = op.call(scene, who, 200 <= expected < 300)
        headers = {**scene.headers(who), **kw.pop("headers", {})}
        r = scene.client.request(method, url, headers=headers, **kw)
        if r.status_code != expected:
            wrong.append(f"{who}: {r.status_code}, expected {expected} ({r.text[:160]})")
    assert not wrong, f"{method} {url}:\n" + "\n".join(wrong)
