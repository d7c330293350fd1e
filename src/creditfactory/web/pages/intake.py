"""Intake for account managers: the application form checked field by field, an instant
pre-screen against the admission rules, the bureau consent, the six elements of the loan, a
brief on the applicant's industry, and the manager's own pipeline. A submission goes through
``services.intake.submit_application``, the function the API's submissions use."""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response

from creditfactory.domain.identity import mask_name
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.applications import ApplicationCreate
from creditfactory.services.application_input import check_application
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.four_eyes import check_submitter
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor
from creditfactory.services.prescreen import prescreen
from creditfactory.services.queries import list_cases
from creditfactory.web.forms import PostedForm, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
PIPELINE = 20
CHOICES: dict[str, tuple[str, ...]] = {  # the lending data's vocabularies (data contract)
    "product_requested": ("standard_business", "insurance_policy", "mortgage_holder", "repeat_customer"),
    "purpose": ("working_capital", "inventory", "equipment", "store_renovation", "expansion",
                "receivables_gap"),
    "gender": ("M", "F"),
    "education": ("junior_high", "high_school", "vocational", "college", "bachelor", "master"),
    "marital_status": ("single", "married", "divorced", "widowed"),
    "home_ownership": ("own_outright", "own_mortgage", "rent", "family"),
    "premises": ("owned_shop", "rented_shop", "market_stall", "home_based", "factory", "office"),
}
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (  # legend (message id), fields in order
    ("The loan", ("product_requested", "amount", "term_months", "purpose", "channel_id", "branch",
                  "city")),
    ("The applicant", ("name", "resident_id", "phone", "gender", "age", "education",
                       "marital_status", "years_in_city", "home_ownership", "home_address",
                       "contact_phones", "bank_card")),
    ("The business", ("business_name", "uscc", "industry", "years_in_business", "employees",
                      "premises", "declared_monthly_revenue", "business_address")),
    ("From the agent app", ("device_id", "ip")),
)
LABELS = {  # message ids (web/i18n_terms.py marks the shared ones)
    "product_requested": "Product", "amount": "Amount asked (CNY)", "term_months": "Term (months)",
    "purpose": "Purpose", "channel_id": "Channel", "branch": "Branch", "city": "City",
    "name": "Name", "resident_id": "Resident ID", "phone": "Phone", "gender": "Gender",
    "age": "Age", "education": "Education", "marital_status": "Marital status",
    "years_in_city": "Years in the city", "home_ownership": "Home", "home_address": "Home address",
    "contact_phones": "Contact phones", "bank_card": "Bank card",
    "business_name": "Business name", "uscc": "Unified social credit code", "industry": "Industry",
    "years_in_business": "Years in business", "employees": "Employees", "premises": "Premises",
    "declared_monthly_revenue": "Declared monthly revenue", "business_address": "Business address",
    "device_id": "Device", "ip": "IP", "bureau_consent_ref": "Consent reference",
    "consent": "Credit-report authorisation",
}
NUMBERS = frozenset({"amount", "declared_monthly_revenue"})
INTEGERS = frozenset({"term_months", "age", "years_in_city", "years_in_business", "employees"})


@cache
def industries() -> dict[str, dict[str, dict[str, str]]]:
    """The maintained industry list with its briefs (``web/intake_industries.yaml``)."""
    text = (resources.files("creditfactory.web") / "intake_industries.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def _values(form: dict[str, str]) -> dict[str, Any]:
    """The posted fields as the API's body would carry them (blank as missing)."""
    out: dict[str, Any] = {}
    for _, fields in GROUPS:
        for key in fields:
            value = form.get(key, "")
            if value == "":
                continue
            out[key] = value.replace(",", "") if key in NUMBERS | INTEGERS else value
    if form.get("bureau_consent_ref"):
        out["bureau_consent_ref"] = form["bureau_consent_ref"]
    return out


def _checked(values: dict[str, Any], consent: bool, submitting: bool) -> dict[str, str]:
    """Every field's error: the API's schema, the identifiers' check digits, the industry
    list and (to submit) the signed consent."""
    errors: dict[str, str] = {}
    body = dict(values)
    body.setdefault("bureau_consent_ref", "PENDING")  # the pre-screen comes before consent
    try:
        app = validated(ApplicationCreate, body).model_dump()
        check_application(app)
    except InvalidInput as exc:
        errors.update(field_errors(exc))
    code = values.get("industry")
    if code and code not in industries():
        errors["industry"] = "not an industry code of the list (GB/T 4754)"
    if submitting and not consent:
        errors["consent"] = "the applicant must sign the credit-report authorisation first"
    if submitting and not values.get("bureau_consent_ref"):
        errors["bureau_consent_ref"] = "the reference of the signed authorisation"
    return errors


def _key(form: dict[str, str]) -> str:
    """The form's idempotency key: a second press of the button replays the first answer."""
    key = form.get("idempotency_key", "")
    return key if 16 <= len(key) <= 64 and key.isalnum() else secrets.token_hex(16)


def _six_elements(values: dict[str, Any], screen: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("borrower", (mask_name(values["name"]) if values.get("name") else "",
                      values.get("business_name", ""))),
        ("amount", values.get("amount")),
        ("term", values.get("term_months")),
        ("rate", screen.get("rates")),
        ("purpose", values.get("purpose")),
        ("repayment", "equal_instalment"),
    ]


def _intake_page(request: Request, ctx: ServiceContext, actor: Actor, status: int = 200,
                 form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                 checked: bool = False) -> Response:
    check_submitter(ctx, actor)
    form = form or {}
    values = _values(form)
    screen = prescreen(ctx, actor, values) if checked else None
    pipeline, total = list_cases(ctx, actor, None, 0, PIPELINE)
    return page(
        request, "intake.html", actor, status,
        groups=GROUPS, choices=CHOICES, labels=LABELS, industries=industries(), form=form,
        errors=errors or {}, screen=screen,
        elements=_six_elements(values, screen) if screen else None,
        brief=industries().get(values.get("industry", "")),
        idempotency_key=_key(form),
        pipeline=pipeline, pipeline_total=total,
    )


@router.get("/intake")
def intake(request: Request, ctx: CtxDep) -> Response:
    """The empty form and the manager's pipeline."""
    return _intake_page(request, ctx, signed_in(request))


@router.post("/intake")
def intake_post(request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    """``action=check``: the pre-screen on the form as it stands; ``action=submit``: the
    submission, once every field and the consent check out."""
    actor = signed_in(request)
    submitting = form.get("action") == "submit"
    values = _values(form)
    errors = _checked(values, form.get("consent") == "yes", submitting)
    if errors or not submitting:
        return _intake_page(request, ctx, actor, 422 if errors else 200, form, errors, True)
    body = validated(ApplicationCreate, values).model_dump()
    status, answer, _ = submit_application(ctx, actor, body, _key(form))
    notice = "held" if status == 202 else "submitted"
    return redirect(f"/ui/cases/{answer['case_id']}?notice={notice}")
