"""Every API operation for every role, with the exact status each gets.

The operations are read from the running server's OpenAPI document: a route without an entry
in :data:`MATRIX` (or an entry without its route) fails, so a new route is never left
unchecked. Each request is well-formed and aimed at a real resource, so its status reflects
who asks: 2xx (or 404 when the resource belongs to another bank) for the roles that may, 403
for the others, 401 without a token. A cell that should succeed gets a fresh resource of its
own (a task, a bank package, a user), so every change is made by the role under test.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa

from creditfactory.domain.roles import ROLES

if TYPE_CHECKING:
    from conftest import Server

PASSWORD = "s3cret-pass"
# who asks -> the token it presents (``None``: none); every role, another bank's officer and
# nobody
IDENTITIES: dict[str, str | None] = {
    "anonymous": None,
    "account_manager": "account_manager",
    "verifier": "verifier",
    "investigator": "investigator",
    "approver": "approver",
    "risk_analyst": "risk_analyst",
    "channel_manager": "channel_manager",
    "bank_officer": "officer_cmb",
    "bank_system": "system_cmb",
    "other_bank_officer": "officer_icbc",
    "admin": "admin",
}
CASE_READERS = ("account_manager", "verifier", "investigator", "approver", "risk_analyst",
                "admin", "bank_officer")
CHANNEL_READERS = ("channel_manager", "risk_analyst", "admin")
CHANNEL_MANAGERS = ("channel_manager", "admin")
FIELD_WORK = (
    ("phone_verification", "verifier", {"identity_confirmed": True}),
    ("online_verification", "verifier", {"business_real": True}),
    ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                             "verified_monthly_revenue": "150000.00"}),
    ("investigation_review", "approver", {"verdict": "pass"}),
)


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


class Phones:
    """The borrowers' phones: the signing notices sent (passed on to the channel it stands in
    front of, when the server had one)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.notices = inner, []

    def send_signing_code(self, notice: Any) -> None:
        self.notices.append(notice)
        if self.inner is not None:
            self.inner.send_signing_code(notice)


class Scene:
    """The resources the requests aim at, made through the API as they are first needed."""

    def __init__(self, server: Server, client: httpx.Client) -> None:
        self.server, self.client = server, client
        self._rows = itertools.count(120)

    def headers(self, who: str) -> dict[str, str]:
        token = IDENTITIES[who]
        return {} if token is None else self.server.h(token)

    def row(self) -> dict[str, Any]:
        """A fresh applicant from the world, referred by a channel other than the scene's."""
        while True:
            body = self.server.application(next(self._rows))
            if body["channel_id"] != self.channel:
                return body

    def submit(self, **overrides: Any) -> dict[str, Any]:
        r = self.client.post("/applications", json={**self.row(), **overrides},
                             headers=self.server.h("account_manager",
                                                   **{"Idempotency-Key": uuid.uuid4().hex}))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def case(self, app_id: int) -> dict[str, Any]:
        r = self.client.get(f"/applications/{app_id}", headers=self.server.h("risk_analyst"))
        assert r.status_code == 200, r.text
        return r.json()["case"]  # type: ignore[no-any-return]

    def open_task(self) -> int:
        """A new case's phone verification task, open."""
        sub = self.submit(amount=350000.0, declared_monthly_revenue=90000.0)
        return next(t["task_id"] for t in self.case(sub["application_id"])["tasks"]
                    if t["step"] == "phone_verification" and t["status"] == "open")

    def bank_package(self) -> dict[str, int]:
        """A field case worked through its stations, its package pending at the manual bank."""
        sub = self.submit(amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
        for step, role, body in FIELD_WORK:
            task = next(t for t in self.case(sub["application_id"])["tasks"]
                        if t["step"] == step and t["status"] != "done")
            r = self.client.post(f"/tasks/{task['task_id']}/complete", json=body,
                                 headers=self.server.h(role))
            assert r.status_code == 200, r.text
        case = self.case(sub["application_id"])
        assert case["step"] == "bank_approval" and case["bank_code"] == self.server.manual_bank
        pending = [s for s in case["bank_submissions"] if s["status"] == "pending"]
        return {"app": sub["application_id"], "case": case["case_id"],
                "submission": pending[0]["submission_id"]}

    @cached_property
    def shared_task(self) -> int:
        return self.open_task()

    @cached_property
    def shared(self) -> dict[str, int]:
        """A case at the manual bank, worked by the verifier, investigator and approver."""
        return self.bank_package()

    def approved_contract(self) -> dict[str, int]:
        """The contract of a case its bank approved, waiting for the borrower's signature."""
        sub = self.bank_package()
        r = self.client.post(f"/bank-submissions/{sub['submission']}/decision",
                             headers=self.server.h("officer_cmb"),
                             json={"approve": True, "reason": "within policy"})
        assert r.status_code == 200, r.text
        r = self.client.get("/contracts", params={"case_id": sub["case"]},
                            headers=self.server.h("risk_analyst"))
        assert r.status_code == 200 and r.json()["status"] != "signed", r.text
        return {"contract": r.json()["contract_id"], "case": sub["case"]}

    @cached_property
    def contract(self) -> dict[str, int]:
        return self.approved_contract()

    def signature(self) -> dict[str, Any]:
        """What the borrower of a new contract signs with: its digest and the code sent."""
        approved = self.approved_contract()
        contract = approved["contract"]
        phones = self.server.ctx.borrowers
        assert isinstance(phones, Phones)
        if not any(n.contract_id == contract for n in phones.notices):
            r = self.client.post(f"/contracts/{contract}/signing-code",
                                 headers=self.server.h("account_manager"))
            assert r.status_code == 200, r.text
        notice = [n for n in phones.notices if n.contract_id == contract][-1]
        return {**approved, "digest": notice.digest, "code": notice.code}

    @cached_property
    def loan(self) -> dict[str, Any]:
        """A loan of the manual bank, paid out once its borrower signed, and its first day."""
        signed = self.signature()
        r = self.client.post(f"/contracts/{signed['contract']}/signature",
                             json={"digest": signed["digest"], "code": signed["code"],
                                   "channel": "app"})
        assert r.status_code == 201, r.text
        query = sa.text("SELECT id FROM loans WHERE case_id = :case")

        def paid_out() -> int | None:
            with self.server.ctx.engine.connect() as c:
                return c.execute(query, {"case": signed["case"]}).scalar()

        loan_id = self.server.wait_for(paid_out)
        r = self.client.get(f"/loans/{loan_id}", headers=self.server.h("risk_analyst"))
        assert r.status_code == 200, r.text
        day = date.fromisoformat(r.json()["start_date"]) + timedelta(days=1)
        return {"loan": loan_id, "value_date": day.isoformat()}

    @cached_property
    def channel(self) -> str:
        """An intermediary channel the scene alone suspends and moves deposits of."""
        r = self.client.get("/channels", params={"limit": 500}, headers=self.server.h("admin"))
        ids = sorted(c["channel_id"] for c in r.json()["data"]
                     if c["channel_type"] == "intermediary")
        return ids[-1]

    @cached_property
    def spare_user(self) -> str:
        return self.new_user()

    def new_user(self) -> str:
        name = f"m_{uuid.uuid4().hex[:12]}"
        r = self.client.post("/users", headers=self.server.h("admin"),
                             json={"username": name, "password": PASSWORD, "role": "verifier"})
        assert r.status_code == 201, r.text
        return name


Call = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Op:
    """The status per identity, and the request for one identity (``fresh``: it should
    succeed, so it gets a resource of its own)."""

    expect: dict[str, int]
    call: Callable[[Scene, str, bool], Call]


def _static(url: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (url, dict(kw))


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


def _shared(path: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (path.format(**scene.shared), dict(kw))


def _channel(path: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (f"/channels/{scene.channel}{path}", dict(kw))


def _user(path: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (f"/users/{scene.spare_user}{path}", dict(kw))


def _new_user(scene: Scene, who: str, fresh: bool) -> Call:
    name = f"m_{uuid.uuid4().hex[:12]}"
    return "/users", {"json": {"username": name, "password": PASSWORD, "role": "bank_system",
                               "bank_code": scene.server.manual_bank}}


def _contract(path: str, **kw: Any) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (path.format(id=scene.contract["contract"]), dict(kw))


def _case_contract(scene: Scene, who: str, fresh: bool) -> Call:
    return "/contracts", {"params": {"case_id": scene.contract["case"]}}


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


def _loan(path: str) -> Callable[[Scene, str, bool], Call]:
    return lambda scene, who, fresh: (f"/loans/{scene.loan['loan']}{path}", {})


def _repayment(scene: Scene, who: str, fresh: bool) -> Call:
    return (f"/loans/{scene.loan['loan']}/repayments",
            {"json": {"reference": f"RM-{uuid.uuid4().hex[:12]}", "kind": "repayment",
                      "value_date": scene.loan["value_date"], "amount": "100.00"}})


CONTRACT_READS = grid({**dict.fromkeys(("account_manager", "approver", "risk_analyst",
                                        "bank_officer", "bank_system", "admin"), 200),
                       "other_bank_officer": 404})
REASON = {"json": {"reason": "role matrix"}}
MATRIX: dict[tuple[str, str], Op] = {
    ("GET", "/health"): Op(grid(EVERYONE, anonymous=200), _static("/health")),
    ("POST", "/auth/token"): Op(grid(EVERYONE, anonymous=200), _login),
    ("POST", "/auth/logout"): Op(grid(EVERYONE, 204), _logout),
    ("POST", "/applications"): Op(grid(["account_manager"], 201), _submit),
    ("GET", "/applications/{application_id}"): Op(
        grid({**dict.fromkeys(CASE_READERS, 200), "other_bank_officer": 404}),
        _shared("/applications/{app}")),
    ("GET", "/applications/{application_id}/personal-data"): Op(
        grid(["verifier", "investigator"]),
        _shared("/applications/{app}/personal-data", params={"purpose": "call back"})),
    ("GET", "/stations"): Op(grid(EVERYONE), _static("/stations")),
    ("GET", "/stations/{station}/tasks"): Op(
        grid(["verifier", "risk_analyst", "admin"]), _static("/stations/phone_verification/tasks")),
    ("POST", "/tasks/{task_id}/claim"): Op(grid(["verifier"]), _task("claim")),
    ("POST", "/tasks/{task_id}/complete"): Op(
        grid(["verifier"]), _task("complete", {"identity_confirmed": True})),
    ("GET", "/cases"): Op(grid([*CASE_READERS, "other_bank_officer"]), _static("/cases")),
    ("GET", "/cases/{case_id}"): Op(
        grid({**dict.fromkeys(CASE_READERS, 200), "other_bank_officer": 404}),
        _shared("/cases/{case}")),
    ("GET", "/cases/{case_id}/audit"): Op(
        grid(["approver", "risk_analyst", "admin"]), _shared("/cases/{case}/audit")),
    ("GET", "/bank-submissions"): Op(
        grid(["bank_officer", "bank_system", "other_bank_officer", "risk_analyst", "admin"]),
        _static("/bank-submissions")),
    ("POST", "/bank-submissions/{submission_id}/decision"): Op(
        grid({"bank_officer": 200, "bank_system": 200, "other_bank_officer": 404}), _decision),
    ("GET", "/channels"): Op(grid(CHANNEL_READERS), _static("/channels")),
    ("GET", "/channels/{channel_id}"): Op(grid(CHANNEL_READERS), _channel("")),
    ("POST", "/channels/{channel_id}/suspend"): Op(grid(CHANNEL_MANAGERS),
                                                   _channel("/suspend", **REASON)),
    ("POST", "/channels/{channel_id}/reactivate"): Op(grid(CHANNEL_MANAGERS),
                                                      _channel("/reactivate", **REASON)),
    ("GET", "/channels/{channel_id}/deposit-movements"): Op(
        grid(CHANNEL_READERS), _channel("/deposit-movements")),
    ("POST", "/channels/{channel_id}/deposit-movements"): Op(
        grid(CHANNEL_MANAGERS, 201),
        _channel("/deposit-movements",
                 json={"kind": "post", "amount": "100.00", "reason": "role matrix"})),
    ("GET", "/blacklists"): Op(grid(["risk_analyst", "admin"]), _static("/blacklists")),
    ("POST", "/blacklists"): Op(grid(["risk_analyst"], 201), _blacklist_add),
    ("POST", "/blacklists/{entry_id}/remove"): Op(grid(["risk_analyst"]), _blacklist_entry),
    ("GET", "/users"): Op(grid(["admin"]), _static("/users")),
    ("POST", "/users"): Op(grid(["admin"], 201), _new_user),
    ("GET", "/users/me"): Op(grid(EVERYONE), _static("/users/me")),
    ("POST", "/users/{username}/deactivate"): Op(grid(["admin"]), _user("/deactivate")),
    ("POST", "/users/{username}/reactivate"): Op(grid(["admin"]), _user("/reactivate")),
    ("PUT", "/users/{username}/role"): Op(grid(["admin"]), _user("/role", json={"role": "approver"})),
    ("GET", "/contracts"): Op(CONTRACT_READS, _case_contract),
    ("GET", "/contracts/{contract_id}"): Op(CONTRACT_READS, _contract("/contracts/{id}")),
    ("GET", "/contracts/{contract_id}/text"): Op(CONTRACT_READS, _contract("/contracts/{id}/text")),
    ("GET", "/contracts/{contract_id}/html"): Op(CONTRACT_READS, _contract("/contracts/{id}/html")),
    ("POST", "/contracts/{contract_id}/signing-code"): Op(
        grid(["account_manager"]), _contract("/contracts/{id}/signing-code")),
    # the borrower signs with no account: anyone holding the digest and the code, alike
    ("POST", "/contracts/{contract_id}/signature"): Op(grid(EVERYONE, 201, anonymous=201),
                                                       _signature),
    # a loan is its bank's: read by its accounts and the overseers, repaid by its accounts
    ("GET", "/loans/{loan_id}"): Op(
        grid({"bank_officer": 200, "bank_system": 200, "other_bank_officer": 404,
              "risk_analyst": 200, "admin": 200}), _loan("")),
    ("POST", "/loans/{loan_id}/repayments"): Op(
        grid({"bank_officer": 201, "bank_system": 201, "other_bank_officer": 404}), _repayment),
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
