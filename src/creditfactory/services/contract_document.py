"""The loan contract as a document: the six elements of a loan from the decision, in one
canonical JSON form (what is stored and digested) and a readable rendering of it.

The six elements (贷款六要素): the borrower -- only masked and by keyed hash, never in clear,
so the stored document and its digest hold no personal value --, the amount, the term, the
annual rate, the purpose, and the repayment method with its schedule
(:func:`creditfactory.servicing.repayment_schedule`, due dates from the contract date). The
digest is SHA-256 over the canonical JSON bytes (keys sorted, no spaces, UTF-8): what the
borrower is shown and signs.

The money is paid out later than the contract is signed, and the term and interest run from
the payout (the drawdown, 借据), so the schedule as booked is dated from the payout date. The
signed document is never regenerated (its text and digest stay what was signed): once paid
out, the drawdown -- its date and the booked schedule -- is shown beside it
(:func:`drawdown_view`), as a lender's drawdown notice follows the facility contract.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from creditfactory.domain.application import ApplicationTerms, RecordedDecision
from creditfactory.domain.case import Case
from creditfactory.servicing import Schedule, repayment_schedule

__all__ = ["SCHEMA", "canonical", "contract_document", "digest_of", "drawdown_view", "render_html",
           "render_text"]

SCHEMA = "creditfactory.contract/1"
REPAYMENT_METHOD = "equal_instalment"
_METHOD_NAMES = {"equal_instalment": "equal instalment (等额本息)",
                 "equal_principal": "equal principal (等额本金)",
                 "interest_first": "interest first, principal at the end (先息后本)"}


def contract_document(case: Case, contract_no: str, borrower: Mapping[str, Any],
                      terms: ApplicationTerms, decision: RecordedDecision,
                      at: datetime) -> dict[str, Any]:
    """The contract of ``case`` from its latest decision; ``borrower``: the masked and hashed
    fields of its applicant and application (``ContractRepository.borrower``)."""
    amount = decision.loan_amount(terms)
    schedule = repayment_schedule(amount, decision.rate, terms.term_months, REPAYMENT_METHOD,
                                  start=at.date())
    fields = borrower.get("fields") or {}
    return {
        "schema": SCHEMA,
        "contract_no": contract_no,
        "case_id": case.id,
        "application_id": case.application_id,
        "bank": case.bank_code,
        "dated": at.date().isoformat(),
        "borrower": {
            "applicant_id": borrower["applicant_id"],
            "name": borrower.get("name_masked"),
            "resident_id": borrower["resident_id_masked"],
            "resident_id_hash": borrower["resident_id_hash"],
            "phone": borrower["phone_masked"],
            "payout_card": borrower["bank_card_masked"],
        },
        "amount": str(amount),
        "currency": "CNY",
        "term_months": terms.term_months,
        "annual_rate": str(decision.rate),
        "purpose": fields.get("purpose"),
        "product": decision.product,
        "decision_seq": decision.seq,
        "repayment_method": REPAYMENT_METHOD,
        "schedule": schedule.as_dict(),
    }


def drawdown_view(doc: Mapping[str, Any], paid_out_on: date, booked: Schedule) -> dict[str, Any]:
    """The drawdown of a signed contract ``doc``: the payout date, how many days after the
    contract date it came, and the schedule as booked (due dates from the payout)."""
    signed = date.fromisoformat(doc["dated"])
    return {"paid_out_on": paid_out_on.isoformat(), "days_after_contract": (paid_out_on - signed).days,
            "schedule": booked.as_dict()}


def canonical(document: dict[str, Any]) -> str:
    """The canonical JSON text of a document (sorted keys, no spaces, UTF-8 characters)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(text: str) -> str:
    """SHA-256 (hex) of the canonical text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(doc: dict[str, Any]) -> list[tuple[str, str]]:
    b = doc["borrower"]
    rate = f"{float(doc['annual_rate']) * 100:.2f} % a year"
    return [
        ("Contract", f"{doc['contract_no']} dated {doc['dated']}, lender: bank {doc['bank']}"),
        ("Borrower", f"{b['name'] or '-'}, resident ID {b['resident_id']}, phone {b['phone']}, "
                     f"payout to card {b['payout_card']}"),
        ("Amount", f"{doc['amount']} {doc['currency']}"),
        ("Term", f"{doc['term_months']} months"),
        ("Rate", rate),
        ("Purpose", str(doc["purpose"] or "-")),
        ("Repayment", _METHOD_NAMES.get(doc["repayment_method"], doc["repayment_method"])),
        ("Total interest", f"{doc['schedule']['total_interest']} {doc['currency']}"),
    ]


_COLUMNS = ("number", "due_date", "principal", "interest", "total", "opening_balance",
            "closing_balance")


def _drawdown_lines(doc: Mapping[str, Any], drawdown: Mapping[str, Any]) -> tuple[str, str]:
    s = drawdown["schedule"]
    title = f"Drawdown {drawdown['paid_out_on']}: the schedule as booked"
    note = (f"Paid out on {drawdown['paid_out_on']}, {drawdown['days_after_contract']} day(s) after the "
            f"contract date {doc['dated']}: the term and interest run from the payout, so the due "
            f"dates below replace those above, which ran from the contract date. Total interest "
            f"{s['total_interest']} {doc['currency']}. The contract above is as signed.")
    return title, note


def render_text(doc: dict[str, Any], digest: str, drawdown: Mapping[str, Any] | None = None) -> str:
    """A readable plain-text rendering, ending with the digest the borrower signs; with the
    ``drawdown`` (:func:`drawdown_view`) the booked schedule follows the signed text."""
    out = [f"LOAN CONTRACT {doc['contract_no']}", ""]
    out += [f"{k:15s} {v}" for k, v in _lines(doc)]
    out += ["", "Schedule:", "  ".join(f"{c:>15s}" for c in _COLUMNS)]
    out += ["  ".join(f"{str(i[c]):>15s}" for c in _COLUMNS)
            for i in doc["schedule"]["instalments"]]
    out += ["", f"Document digest (SHA-256): {digest}"]
    if drawdown is not None:
        title, note = _drawdown_lines(doc, drawdown)
        out += ["", title.upper(), note, "", "  ".join(f"{c:>15s}" for c in _COLUMNS)]
        out += ["  ".join(f"{str(i[c]):>15s}" for c in _COLUMNS)
                for i in drawdown["schedule"]["instalments"]]
    return "\n".join(out) + "\n"


def _schedule_table(instalments: Any) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in _COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{e(str(i[c]))}</td>" for c in _COLUMNS) + "</tr>"
                   for i in instalments)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(doc: dict[str, Any], digest: str, drawdown: Mapping[str, Any] | None = None) -> str:
    """The same as a small self-contained HTML page (every value escaped)."""
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _lines(doc))
    after = ""
    if drawdown is not None:
        title, note = _drawdown_lines(doc, drawdown)
        after = (f"<h2>{e(title)}</h2><p>{e(note)}</p>"
                 f"{_schedule_table(drawdown['schedule']['instalments'])}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Contract "
            f"{e(doc['contract_no'])}</title></head><body><h1>Loan contract "
            f"{e(doc['contract_no'])}</h1><table>{rows}</table><h2>Schedule</h2>"
            f"{_schedule_table(doc['schedule']['instalments'])}"
            f"<p>Document digest (SHA-256): <code>{e(digest)}</code></p>{after}</body></html>")
