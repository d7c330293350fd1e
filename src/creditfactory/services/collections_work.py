"""A collector's work on the store: the queue, an account, contact outcomes, promises to pay,
and the dashboard of cure and roll-forward rates by team.

The queue is the last night's assignment for the collector's team (dealt to them or to nobody
yet), by priority; the account shows its loan (borrower masked for the reader's role), what is
left of its instalments, tonight's score with its source and reasons, the inferred reason with
each probability, and its history: the people's actions, the promises' follow-ups and each
change of treatment. Every write is one transaction with its line on the loan's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from creditfactory.collections.live_assignment import REASON_NAMES, TEAMS
from creditfactory.domain.money import round_money
from creditfactory.domain.personal import masked_fields
from creditfactory.services.collections_roles import (
    WORKERS,
    AccountNotFound,
    bank_scope,
    must_be,
    readable,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_state import money
from creditfactory.store import UnitOfWork

__all__ = ["CHANNELS", "DEFAULT_TEAM", "OUTCOMES", "TEAM_NAMES", "account_view", "dashboard",
           "queue_view", "record_contact", "record_promise", "set_team"]

CHANNELS = ("call", "sms", "visit", "letter")
OUTCOMES = ("reached", "no_answer", "wrong_number", "refused", "promised")
DEFAULT_TEAM = "phone"
TEAM_NAMES = tuple(sorted({t for t in TEAMS.values() if t not in ("none", "auto")}))
MAX_PROMISE_DAYS = 30
_EPOCH = date(1970, 1, 1)


def _team(uow: UnitOfWork, actor: Actor) -> str | None:
    if actor.role in WORKERS:
        return uow.collections.team_of(actor.username) or DEFAULT_TEAM
    return None


def set_team(ctx: ServiceContext, actor: Actor, username: str, team: str) -> None:
    """Put a collector in a team (administrators); the next night deals them its accounts."""
    must_be(actor, ("admin", "system"), "set collectors' teams")
    if team not in TEAM_NAMES:
        raise InvalidInput([("team", f"must be one of {', '.join(TEAM_NAMES)}")])
    with ctx.uow() as uow:
        uow.collections.set_team(username, team)
        uow.audit.append(actor.username, "collections.team_set", "user", username,
                         detail={"team": team})
        uow.commit()


def _people(uow: UnitOfWork, actor: Actor, loan_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The borrower's masked name and phone of each loan, as far as the role reads them."""
    fields = masked_fields(actor.role)
    cases = uow.collections.case_ids(loan_ids)
    uow.contracts.read_ahead(list(cases.values()))
    out = {}
    for loan_id, case_id in cases.items():
        party = uow.contracts.borrower(case_id)
        out[loan_id] = {"borrower": party.get("name_masked") or "" if "name" in fields else "",
                        "phone": party.get("phone_masked") or "" if "phone" in fields else "",
                        "case_id": case_id}
    return out


def queue_view(ctx: ServiceContext, actor: Actor, team: str | None = None, offset: int = 0,
               limit: int = 50) -> dict[str, Any]:
    """The actor's queue from the last assignment: a collector's team's accounts (theirs or
    not dealt), by priority; overseers any team's (every team without one)."""
    bank = bank_scope(actor)
    if team is not None and team not in TEAM_NAMES:
        raise InvalidInput([("team", f"must be one of {', '.join(TEAM_NAMES)}")])
    with ctx.uow(write=False) as uow:
        day = uow.collections.last_date()
        mine = _team(uow, actor)
        team = mine or team
        collector = actor.username if mine else None
        if day is None:
            return {"business_date": None, "team": team, "data": [], "count": 0}
        rows, total = uow.collections.queue(day, team, collector, bank, offset, limit)
        people = _people(uow, actor, [r["loan_id"] for r in rows])
    data = [{**_assignment(r), **people.get(r["loan_id"], {})} for r in rows]
    return {"business_date": day.isoformat(), "team": team, "data": data, "count": total}


def _assignment(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"loan_id": r["loan_id"], "business_date": r["business_date"].isoformat(),
            "bank_code": r["bank_code"], "dpd": r["dpd"], "bucket": r["bucket"],
            "balance": str(money(r["balance_fen"])), "cure_probability": r["cure_probability"],
            "score_source": r["score_source"],
            "score_reasons": [c for c in r["score_reasons"].split(";") if c],
            "band": r["band"], "reason": r["reason"],
            "reason_probabilities": {n: r[f"p_{n}"] for n in REASON_NAMES[:-1]},
            "strategy_treatment": r["strategy_treatment"], "treatment": r["treatment"],
            "attempts": r["attempts"], "team": r["team"], "collector": r["collector"],
            "priority": r["priority"], "rank": r["rank"]}


def _left(loan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The instalments with something left to pay (after any restructure), by due date."""
    dues = np.frombuffer(loan["dues"], np.int32).tolist()
    p = np.frombuffer(loan["principal_left"], np.int32).tolist()
    i = np.frombuffer(loan["interest_left"], np.int32).tolist()
    return [{"due_date": (_EPOCH + timedelta(days=d)).isoformat(), "principal": str(money(a)),
             "interest": str(money(b)), "total": str(money(a + b))}
            for d, a, b in zip(dues, p, i, strict=True) if a or b]


def _changes(assignments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nights the account's treatment or team changed, newest first."""
    out = []
    for k, a in enumerate(assignments):
        before = assignments[k + 1] if k + 1 < len(assignments) else None
        if before is None or (before["treatment"], before["team"]) != (a["treatment"], a["team"]):
            out.append({"business_date": a["business_date"], "action": "assigned",
                        "actor": "system",
                        "detail": f"{a['treatment']} ({a['team']}), {a['bucket']}, "
                                  f"band {a['band']}, {a['reason']}"})
    return out


def account_view(ctx: ServiceContext, actor: Actor, loan_id: int) -> dict[str, Any]:
    """An account for the collector's page and the API (see the module)."""
    with ctx.uow(write=False) as uow:
        loan = readable(actor, uow.servicing.account(loan_id), loan_id)
        episode = uow.collections.account(loan_id)
        assignments = uow.collections.assignments_of(loan_id)
        if episode is None and not assignments:
            raise AccountNotFound(f"loan {loan_id} was never in collections")
        business_date = uow.servicing.business_date()
        contacts = uow.collections.contacts(loan_id)
        promises = uow.collections.promises(loan_id)
        restructures = uow.collections.restructures(loan_id)
        history = uow.collections.history(loan_id)
        party = _people(uow, actor, [loan_id]).get(loan_id, {})
        schedule = uow.servicing.schedule(loan_id)
    events = [{"business_date": h["business_date"].isoformat(), "action": h["action"],
               "actor": h["actor"], "detail": h["detail"], "at": h["at"].isoformat()}
              for h in history]
    events += [{**c, "business_date": c["business_date"].isoformat(), "at": ""}
               for c in _changes(assignments)]
    events.sort(key=lambda e: (e["business_date"], e["at"]), reverse=True)
    return {
        "loan_id": loan_id, "bank_code": loan["bank_code"], "contract_no": loan["contract_no"],
        **party, "business_date": business_date and business_date.isoformat(),
        "status": loan["status"], "dpd": loan["dpd"], "bucket": loan["bucket"],
        "principal": str(loan["principal"]), "annual_rate": str(loan["rate"]),
        "term_months": loan["term_months"],
        "principal_outstanding": str(money(loan["principal_outstanding_fen"])),
        "overdue_principal": str(money(loan["overdue_principal_fen"])),
        "penalty_owed": str(money(loan["penalty_accrued_fen"] - loan["penalty_paid_fen"])),
        "received": str(money(loan["received_fen"])),
        "instalments_left": _left(loan),
        "schedule_as_booked": [{"number": r["number"], "due_date": r["due_date"].isoformat(),
                                "total": str(r["total"])} for r in schedule],
        "episode": _episode(episode),
        "assignment": _assignment(assignments[0]) if assignments else None,
        "contacts": [{**c, "business_date": c["business_date"].isoformat(),
                      "at": c["at"].isoformat()} for c in contacts],
        "promises": [{**p, "made_on": p["made_on"].isoformat(), "due_on": p["due_on"].isoformat(),
                      "amount": str(p["amount"]), "at": p["at"].isoformat(),
                      "settled_on": p["settled_on"] and p["settled_on"].isoformat()}
                     for p in promises],
        "restructures": [_restructure(r) for r in restructures],
        "history": events,
    }


def _episode(e: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items()
            if k not in ("loan_id", "bank_code")}


def _restructure(r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal)
                else v) for k, v in r.items()}


def _worked(uow: UnitOfWork, actor: Actor, loan_id: int) -> tuple[Mapping[str, Any], date]:
    """The loan a collector works now (active, in an open episode) and the business date."""
    must_be(actor, WORKERS, "work collections accounts")
    loan = readable(actor, uow.servicing.account(loan_id), loan_id)
    episode = uow.collections.account(loan_id)
    day = uow.servicing.business_date()
    if episode is None or not episode["open"] or day is None:
        raise AccountNotFound(f"loan {loan_id} is not in collections now")
    return loan, day


def record_contact(ctx: ServiceContext, actor: Actor, loan_id: int, channel: str,
                   outcome: str, note: str = "") -> dict[str, Any]:
    """A contact attempt's outcome on the account (a collector's)."""
    errors = []
    if channel not in CHANNELS:
        errors.append(("channel", f"must be one of {', '.join(CHANNELS)}"))
    if outcome not in OUTCOMES:
        errors.append(("outcome", f"must be one of {', '.join(OUTCOMES)}"))
    if len(note) > 500:
        errors.append(("note", "must be at most 500 characters"))
    must_be(actor, WORKERS, "record contacts")
    if errors:
        raise InvalidInput(errors)
    at = ctx.clock()
    with ctx.uow() as uow:
        _, day = _worked(uow, actor, loan_id)
        cid = uow.collections.add_contact(loan_id=loan_id, business_date=day, channel=channel,
                                          outcome=outcome, note=note, collector=actor.username,
                                          at=at)
        uow.collections.count_contact(loan_id, outcome not in ("no_answer", "wrong_number"))
        uow.collections.add_history(loan_id, day, "contact", actor.username,
                                    f"{channel}: {outcome}" + (f" - {note}" if note else ""), at)
        uow.audit.append(actor.username, "collections.contact", "loan", loan_id,
                         detail={"channel": channel, "outcome": outcome})
        uow.commit()
    return {"id": cid, "loan_id": loan_id, "business_date": day.isoformat(),
            "channel": channel, "outcome": outcome, "note": note}


def record_promise(ctx: ServiceContext, actor: Actor, loan_id: int, amount: Any,
                   due_on: Any) -> dict[str, Any]:
    """A promise to pay ``amount`` by ``due_on`` (within 30 days of the business date); kept
    or broken at the close of its due day (:mod:`.collections_assign`)."""
    must_be(actor, WORKERS, "record promises")
    errors: list[tuple[str, str]] = []
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or value <= 0 or round_money(value) != value:
            raise InvalidOperation
    except InvalidOperation:
        errors.append(("amount", "must be a positive amount in whole fen"))
        value = Decimal(0)
    try:
        due = due_on if isinstance(due_on, date) else date.fromisoformat(str(due_on))
    except ValueError:
        errors.append(("due_on", "must be a date YYYY-MM-DD"))
        due = None
    at = ctx.clock()
    with ctx.uow() as uow:
        loan, day = _worked(uow, actor, loan_id)
        if due is not None and not day < due <= day + timedelta(days=MAX_PROMISE_DAYS):
            errors.append(("due_on", f"must be after the business date {day} and within "
                                     f"{MAX_PROMISE_DAYS} days of it"))
        if errors:
            raise InvalidInput(errors)
        assert due is not None
        pid = uow.collections.add_promise(loan_id=loan_id, made_on=day, due_on=due, amount=value,
                                          received_fen_at=loan["received_fen"], status="open",
                                          collector=actor.username, at=at)
        uow.collections.count_promise(loan_id)
        uow.collections.add_history(loan_id, day, "promise", actor.username,
                                    f"{value} CNY by {due.isoformat()}", at)
        uow.audit.append(actor.username, "collections.promise", "loan", loan_id,
                         detail={"amount": str(value), "due_on": due.isoformat()})
        uow.commit()
    return {"id": pid, "loan_id": loan_id, "made_on": day.isoformat(),
            "due_on": due.isoformat(), "amount": str(value), "status": "open"}


def dashboard(ctx: ServiceContext, actor: Actor, window_days: int = 30) -> dict[str, Any]:
    """Cure and roll-forward rates by team: of the accounts each team was given on the night
    ``window_days`` before the last (the first night if later), the share no longer past due
    on the last night (cured), and the share in a worse bucket then (rolled forward)."""
    must_be(actor, (*WORKERS, "risk_analyst", "admin"), "read the collections dashboard")
    with ctx.uow(write=False) as uow:
        runs = uow.collections.runs(400)
        if not runs:
            return {"from": None, "to": None, "teams": [], "runs": []}
        last = runs[0]["business_date"]
        candidates = [r["business_date"] for r in runs
                      if r["business_date"] <= last - timedelta(days=window_days)]
        first = candidates[0] if candidates else runs[-1]["business_date"]
        before = uow.collections.assignments_on(first)
        after = {r["loan_id"]: r for r in uow.collections.assignments_on(last)}
        gone = [r["loan_id"] for r in before if r["loan_id"] not in after]
        written_off = {k for k, v in uow.servicing.loan_states(gone).items()
                       if v["status"] == "written_off"}
    teams: dict[str, dict[str, int]] = {}
    for r in before:
        t = teams.setdefault(r["team"], {"accounts": 0, "cured": 0, "rolled": 0})
        t["accounts"] += 1
        now = after.get(r["loan_id"])
        if now is None and r["loan_id"] not in written_off:
            t["cured"] += 1
        elif now is None or now["bucket"] > r["bucket"]:
            t["rolled"] += 1
    rows = [{"team": k, **v, "cure_rate": v["cured"] / v["accounts"] if first != last else None,
             "roll_forward_rate": v["rolled"] / v["accounts"] if first != last else None}
            for k, v in sorted(teams.items())]
    return {"from": first.isoformat(), "to": last.isoformat(), "teams": rows,
            "runs": [{"business_date": r["business_date"].isoformat(),
                      "accounts": r["accounts"], "score_source": r["score_source"]}
                     for r in runs[:30]]}

