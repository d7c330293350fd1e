"""Stations, tasks, cases, the audit trail and bank answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from creditfactory.http.schemas.text import PRINTABLE


class TaskPublic(BaseModel):
    task_id: int
    case_id: int
    step: str
    station: str
    role: str
    status: str
    assignee: str | None
    created_at: datetime
    due_at: datetime
    sla: Literal["on_time", "at_risk", "breached"]
    outcome: dict[str, Any] | None
    case_status: str | None = None
    case_step: str | None = None


class TasksPublic(BaseModel):
    data: list[TaskPublic]
    count: int


class TaskComplete(BaseModel):
    """What the worker found; each finding is optional (``None``: not looked at).

    Verifiers and investigators answer ``pass`` or ``reject``. At the approval steps
    (``investigation_review``, ``committee_approval``) an approver also may ``approve`` at the
    engine's terms, ``approve_changed`` with ``limit`` and ``rate_percent``, ``decline`` with
    ``reasons`` (the human decline codes) or ``refer`` to the committee with a ``note``; the
    service refuses a verdict its station does not take, naming the field."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["pass", "reject", "approve", "approve_changed", "decline", "refer"] = "pass"
    limit: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)] | None = None
    rate_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=8, decimal_places=4)] | None = (
        None
    )
    reasons: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=8)] | None = None
    identity_confirmed: bool | None = None
    business_real: bool | None = None
    purpose_confirmed: bool | None = None
    hidden_debt: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    verified_monthly_revenue: (
        Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None
    ) = None
    note: Annotated[str, Field(max_length=2000, pattern=PRINTABLE)] | None = None


class StationPublic(BaseModel):
    station: str
    role: str | None


class CaseSummary(BaseModel):
    id: int
    application_id: int
    tier: str
    step: str
    status: str
    bank_code: str | None
    exception: bool
    hold: str | None = None
    opened_at: datetime
    updated_at: datetime


class CasesPublic(BaseModel):
    data: list[CaseSummary]
    count: int


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


class AuditPublic(BaseModel):
    data: list[AuditEntry]
    count: int


class BankDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class BankDecisionPublic(BaseModel):
    submission_id: int
    status: str
    case_id: int
    case_status: str
    case_step: str


class SubmissionPublic(BaseModel):
    submission_id: int
    case_id: int
    bank_code: str
    status: str
    package: dict[str, Any]
    submitted_at: datetime
    answered_at: datetime | None
    reason: str | None


class SubmissionsPublic(BaseModel):
    data: list[SubmissionPublic]
    count: int
