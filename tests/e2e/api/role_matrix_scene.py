"""The resources the role matrix aims its requests at, made through the API as first needed:
who asks, the applicants, tasks, bank packages, contracts, a loan, a channel and a user."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx
import sqlalchemy as sa

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
    "collector": "collector",
}
FIELD_WORK = (
    ("phone_verification", "verifier", {"identity_confirmed": True}),
    ("online_verification", "verifier", {"business_real": True}),
    ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                             "verified_monthly_revenue": "150000.00"}),
    ("investigation_review", "approver", {"verdict": "pass"}),
)


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
