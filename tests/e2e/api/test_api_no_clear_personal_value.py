"""After a demo-like run, no clear personal value is anywhere it should not be.

The factory runs end to end on a small simulated world, through the service as the demo runs
it (real models, fraud graph, strategy, simulated banks), then through a real server: staff
work the staffed tasks, verifiers and investigators reveal what their task needs. Then every
table (every column, as text), every log record of the run and every page and API read
(every GET route, for every user of every role, every id) is searched for each submitted
name, resident ID, phone, bank card, contact phone, address, device id and IP. The only
clear values served are the reveals, to whoever holds or completed the case's task.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute

from creditfactory.domain.personal import PERSONAL_FIELDS, REVEALED_FOR
from creditfactory.factory import load_banks
from creditfactory.http.schemas.applications import ApplicationCreate
from creditfactory.models.training import train_lending_models
from creditfactory.server import create_app
from creditfactory.services.bank_answers import simulate_bank_answers
from creditfactory.services.bootstrap import store_context, with_decisions
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.sample_run import run_sample
from creditfactory.services.setup import setup_service
from creditfactory.services.users import add_user
from creditfactory.settings import load_settings
from creditfactory.world import generate

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

PASSWORD = "leak-check-password"
SAMPLE = 24
STAFF = {
    "am": "account_manager",
    "verifier": "verifier",
    "verifier2": "verifier",
    "investigator": "investigator",
    "investigator2": "investigator",
    "approver": "approver",
    "approver2": "approver",
    "analyst": "risk_analyst",
    "channels": "channel_manager",
    "admin": "admin",
}
FINDINGS = {
    "phone_verification": {"identity_confirmed": True},
    "online_verification": {"business_real": True},
    "field_investigation": {"business_real": True, "purpose_confirmed": True},
    "investigation_review": {"verdict": "pass"},
    "committee_approval": {"verdict": "pass"},
}
REVEAL = "personal-data"


@dataclass
class Run:
    """What the run left behind: the clear values submitted and every place to search."""

    values: dict[str, set[str]]
    tables: dict[str, str]
    logs: list[str]
    reads: list[tuple[str, str, int, str]]  # (user, url, status, body)
    reveals: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    assigned: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (user, app) -> task roles
    submitted: int = 0
    tasks_done: int = 0
    bank_of_case: dict[int, str | None] = field(default_factory=dict)
    unfillable: list[str] = field(default_factory=list)
    outcome: dict[str, int] = field(default_factory=dict)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("creditfactory.world"):
            return  # the simulated counterparts (the bureau is asked by resident ID)
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "creditfactory", "sqlalchemy")


def _submission_rows(world: Any) -> list[dict[str, Any]]:
    """The world's newest applications as the API takes them (what the demo submits)."""
    rows = []
    for n, r in enumerate(world.applications.tail(SAMPLE).to_dict("records")):
        body = {k: v for k, v in r.items() if k in ApplicationCreate.model_fields}
        if "bureau_consent_ref" in ApplicationCreate.model_fields:
            body.setdefault("bureau_consent_ref", f"consent-{n:04d}")
        if "applied_at" not in ApplicationCreate.model_fields:  # the server's clock stamps it
            body["age"] = _age_today(str(r["resident_id"]))
        rows.append(ApplicationCreate.model_validate(body).model_dump())
    return rows


def _age_today(resident_id: str) -> int:
    born = date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _clear_values(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in PERSONAL_FIELDS}
    for r in rows:
        for key in PERSONAL_FIELDS:
            out[key].add(str(r[key]))
        out["contact_phones"] |= {p for p in str(r["contact_phones"]).split(",") if p}
    return out


def _as_text(value: Any) -> str:
    """A stored value as searchable text: bytes decoded, JSON with its characters unescaped."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "ignore")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    if "\\u" in text:
        try:
            text += " " + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _dump(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as c:
        return {
            name: "\n".join(" | ".join(_as_text(v) for v in row)
                            for row in c.execute(sa.text(f'SELECT * FROM "{name}"')))
            for name in sa.inspect(c).get_table_names()
        }


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any, Any]:
    world = generate(1_500, 24, seed=7)
    key = load_settings(env="test").identity_key
    return world, train_lending_models(world, key=key), generate(600, 24, seed=8)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def run(request: pytest.FixtureRequest, fresh_database: Any, serve: Any,
        trained: tuple[Any, Any, Any]) -> Iterator[Run]:
    world, models, newcomers = trained
    bureau = contextlib.ExitStack()  # closed last: it also drops the database
    url = bureau.enter_context(fresh_database(request.param, "leak"))
    try:  # where the platform pulls bureau reports itself, the newcomers' world serves them
        from creditfactory.world.bureau_server import BureauServer, WorldRecords, running_bureau
    except ImportError:
        bureau_url = None
    else:
        bureau_url = bureau.enter_context(running_bureau(BureauServer(WorldRecords(newcomers.applications)))).url
    records = _Records()  # after the bureau's server configured uvicorn's loggers
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(records)
        logger.setLevel(logging.DEBUG)
    settings = load_settings(db_url=url, env="test", login_attempts_per_minute=1000,
                             simulate_banks=True, bureau_url=bureau_url)
    ctx = store_context(settings)
    serving = contextlib.ExitStack()
    try:
        setup_service(ctx, url, PASSWORD, world, models=models)
        ctx = with_decisions(ctx, settings.identity_key)
        for user, role in STAFF.items():
            if user != "admin":  # setup made the admin
                add_user(ctx, SYSTEM, user, PASSWORD, role)
        banks = [b.code for b in load_banks()]
        for code in banks:
            add_user(ctx, SYSTEM, f"officer_{code.lower()}", PASSWORD, "bank_officer", code)
        rows = _submission_rows(newcomers)
        sample = run_sample(ctx, rows, Actor("am", "account_manager"), wait_seconds=4)
        app = create_app(settings, ctx)
        base = serving.enter_context(serve(app, log_level="info", access_log=True, log_config=None))
        out = Run(_clear_values(rows), {}, records.lines, [], submitted=sample.submitted,
                  outcome={**sample.tiers, **sample.outcome, **sample.errors})
        with httpx.Client(base_url=base, timeout=30) as client:
            tokens = {u: _login(client, u) for u in [*STAFF, *(f"officer_{c.lower()}" for c in banks)]}
            _work_tasks(ctx, client, tokens, out)
            simulate_bank_answers(ctx, limit=500)
            _read_everything(app, ctx, client, tokens, out)
        out.tables = _dump(ctx.engine)
        yield out
    finally:
        serving.close()
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(records)
            logging.getLogger(name).setLevel(levels[name])
        ctx.engine.dispose()
        bureau.close()


def _login(client: httpx.Client, user: str) -> str:
    r = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _as(tokens: dict[str, str], user: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {tokens[user]}", "Cookie": f"cf_session={tokens[user]}"}}


def _work_tasks(ctx: Any, client: httpx.Client, tokens: dict[str, str], out: Run) -> None:
    """Staff take the staffed tasks in turn; a verifier or investigator reveals what the task
    needs before completing it. Rounds until no task moves."""
    staffed = [(s.id, s.station, s.role) for s in ctx.process.steps if s.mode == "staffed"]
    users = {role: [u for u, r in STAFF.items() if r == role] for role in set(STAFF.values())}
    for _ in range(8):
        moved = False
        for step, station, role in staffed:
            r = client.get(f"/api/v1/stations/{station}/tasks", params={"limit": 200}, **_as(tokens, "admin"))
            assert r.status_code == 200, r.text
            for task in r.json()["data"]:
                if task["step"] != step or task["status"] == "done":
                    continue
                moved |= _do(client, tokens, out, task, role, users[role])
        simulate_bank_answers(ctx, limit=500)
        if not moved:
            return


def _do(client: httpx.Client, tokens: dict[str, str], out: Run, task: dict[str, Any], role: str,
        users: list[str]) -> bool:
    case = client.get(f"/api/v1/cases/{task['case_id']}", **_as(tokens, "admin")).json()
    app_id = int(case["application_id"])
    for user in users:
        if client.post(f"/api/v1/tasks/{task['task_id']}/claim", **_as(tokens, user)).status_code != 200:
            continue
        out.assigned.setdefault((user, app_id), set()).add(role)
        if role in REVEALED_FOR:
            r = client.get(f"/api/v1/applications/{app_id}/{REVEAL}", params={"purpose": f"{task['step']} call"},
                           **_as(tokens, user))
            assert r.status_code == 200, r.text
            out.reveals[(user, app_id)] = r.json()
        done = client.post(f"/api/v1/tasks/{task['task_id']}/complete", json=FINDINGS[task["step"]],
                           **_as(tokens, user))
        assert done.status_code == 200, done.text
        out.tasks_done += 1
        return True
    return False


def _route_values(ctx: Any) -> dict[str, list[str]]:
    with ctx.engine.connect() as c:
        apps = [str(i) for i in c.execute(sa.text("SELECT application_id FROM applications ORDER BY 1")).scalars()]
        cases = c.execute(sa.text("SELECT id, bank_code FROM cases ORDER BY 1")).all()
        channels = [str(i) for i in c.execute(sa.text("SELECT DISTINCT channel_id FROM applications")).scalars()]
        users = [str(u) for u in c.execute(sa.text("SELECT username FROM users")).scalars()]
        subs = [str(i) for i in c.execute(sa.text("SELECT id FROM bank_submissions")).scalars()]
        tasks = [str(i) for i in c.execute(sa.text("SELECT id FROM tasks")).scalars()]
        contracts = ([str(i) for i in c.execute(sa.text("SELECT id FROM contracts")).scalars()]
                     if sa.inspect(c).has_table("contracts") else [])
        loans = [str(i) for i in c.execute(sa.text("SELECT loan_id FROM loan_accounts")).scalars()]
    return {"application_id": apps, "case_id": [str(c[0]) for c in cases], "channel_id": channels,
            "station": list(ctx.process.stations()), "username": users, "submission_id": subs,
            "task_id": tasks, "bank_code": [b.code for b in load_banks()], "contract_id": contracts,
            "loan_id": loans}


def _get_paths(app: Any) -> list[str]:
    """The path of every GET route of the app's API and pages (not the OpenAPI documents)."""
    paths = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI >= 0.16x)
            routes = [(r.path, r.methods) for r in route.effective_route_contexts()]
        elif isinstance(route, APIRoute):
            routes = [(route.path, route.methods)]
        else:
            continue
        paths += [path for path, methods in routes if "GET" in (methods or ())]
    return paths


def _read_everything(app: Any, ctx: Any, client: httpx.Client, tokens: dict[str, str], out: Run) -> None:
    """Every GET route, every id, as every user (API by bearer token, pages by session cookie)."""
    values = _route_values(ctx)
    with ctx.engine.connect() as c:
        out.bank_of_case = dict(c.execute(sa.text("SELECT application_id, bank_code FROM cases")).all())
    urls: list[str] = []
    for path in _get_paths(app):
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        missing = [n for n in names if n not in values]
        if missing:
            out.unfillable.append(f"{path} ({', '.join(missing)})")
            continue
        for combo in itertools.product(*(values[n] for n in names)):
            url = path
            for name, v in zip(names, combo, strict=True):
                url = re.sub(r"\{" + name + r"(?::\w+)?\}", v, url)
            urls.append(url)
    for user in tokens:
        for url in urls:
            r = client.get(url, params={"purpose": "leak check", "limit": 500}, **_as(tokens, user),
                           follow_redirects=False)
            body = r.text
            if r.headers.get("content-type", "").startswith("application/json"):
                body += " " + json.dumps(r.json(), ensure_ascii=False)
            out.reads.append((user, url, r.status_code, body))


def _found(values: dict[str, set[str]], text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in values.items() for v in vs if v in text]


def test_the_run_went_end_to_end_and_was_read_by_every_role(run: Run) -> None:
    assert run.submitted == SAMPLE
    assert run.tasks_done >= 3 and run.reveals, run.outcome
    assert any(run.bank_of_case.values())  # some reached a bank (and its officer reads them)
    assert not run.unfillable, f"GET routes with a path parameter the test cannot fill: {run.unfillable}"
    ok = {user for user, _, status, _ in run.reads if status == 200}
    assert ok >= set(STAFF), collections.Counter((url.split("/")[3], status) for _, url, status, _ in run.reads)
    assert len(run.reads) > 1_000
    assert all(run.values[k] for k in PERSONAL_FIELDS)


def test_no_column_of_any_table_holds_a_clear_personal_value(run: Run) -> None:
    assert {"applicants", "applications", "audit_log", "decisions", "idempotency_keys"} <= set(run.tables)
    leaks = [(table, *hit) for table, text in run.tables.items() for hit in _found(run.values, text)]
    assert not leaks, leaks[:10]
    assert run.tables["unsealed_personal"] == ""


def test_no_log_record_of_the_run_holds_a_clear_personal_value(run: Run) -> None:
    assert any("uvicorn.access" in line for line in run.logs), collections.Counter(line.split(":")[0] for line in run.logs)
    leaks = [hit for line in run.logs for hit in _found(run.values, line)]
    assert not leaks, leaks[:10]


def test_no_page_or_api_read_of_any_role_shows_a_clear_personal_value(run: Run) -> None:
    leaks = [
        (user, url, *hit)
        for user, url, status, body in run.reads
        if not (url.endswith(REVEAL) and status == 200)
        for hit in _found(run.values, body)
    ]
    assert not leaks, leaks[:10]


def test_clear_values_go_only_to_whoever_holds_the_case_and_only_what_the_task_needs(run: Run) -> None:
    revealed = {(user, int(url.split("/")[-2])) for user, url, status, _ in run.reads
                if url.endswith(REVEAL) and status == 200}
    assert revealed == {k for k, roles in run.assigned.items() if roles & set(REVEALED_FOR)}
    for (user, _), body in run.reveals.items():
        role = STAFF[user]
        shown = {k for k, v in body.items() if v is not None}
        assert shown == REVEALED_FOR[role], (user, shown)
        assert shown & run.values.keys() and all(body[k] in run.values[k] for k in shown)


def test_a_bank_officer_reads_its_own_banks_cases_only(run: Run) -> None:
    for user, url, status, _ in run.reads:
        if not user.startswith("officer_") or not re.fullmatch(r"/api/v1/applications/\d+", url):
            continue
        app_id = int(url.rsplit("/", 1)[1])
        own = (run.bank_of_case.get(app_id) or "").lower() == user.removeprefix("officer_")
        assert (status == 200) == own, (user, url, status)
