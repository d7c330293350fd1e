"""Fuzz every operation of the published OpenAPI schema over loopback: count 5xx answers.

    .venv/bin/python bench/api_fuzz.py [--examples 50] [--store sqlite|postgresql]

A fresh database (setup without trained models: the real `default` strategy deciding with no
scores), a real uvicorn server on a free port, schemathesis-generated requests (valid and
invalid) per operation, sent with an admin token. Exit status 1 if any answer is a 5xx.
The peer figure is the count of 4xx (rejected input) beside 2xx per operation.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from typing import Any

import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err

from creditfactory.http.security import TokenSigner
from creditfactory.server import create_app
from creditfactory.services.bootstrap import bootstrap, store_context
from creditfactory.services.ports import Actor
from creditfactory.services.setup import setup_service
from creditfactory.settings import load_settings
from creditfactory.store import make_engine
from creditfactory.world import generate

PG_URL = os.environ.get("CREDITFACTORY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def fuzz_operation(op: Any, token: str, examples: int, errors: list[str]) -> Counter[int]:
    """Send ``examples`` generated requests to one operation; note every 5xx in ``errors``."""
    codes: Counter[int] = Counter()

    @given(case=op.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def fuzz(case: Any) -> None:
        r = case.call(headers={"Authorization": f"Bearer {token}",
                               "Idempotency-Key": uuid.uuid4().hex}, timeout=15)
        codes[r.status_code] += 1
        if r.status_code >= 500:
            errors.append(f"{op.method.upper()} {op.path} -> {r.status_code}: {r.text[:200]}")

    fuzz()
    return codes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=50)
    ap.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    schema_name = None
    if a.store == "sqlite":
        url = f"sqlite:///{tmp}/fuzz.db"
    else:
        schema_name = f"cf_fuzz_{uuid.uuid4().hex[:8]}"
        with make_engine(PG_URL).begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema_name}")
        url = f"{PG_URL}?options=-csearch_path%3D{schema_name}"
    st = load_settings(db_url=url, env="test")
    setup_ctx = store_context(st)
    setup_service(setup_ctx, st.db_url, "fuzz-admin-pass", generate(2000, 12, seed=7),
                  train=False)
    setup_ctx.engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = bootstrap(st)
    server = uvicorn.Server(uvicorn.Config(create_app(st, ctx), host="127.0.0.1",
                                           port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    signer = TokenSigner(st.token_secrets, 60)
    api = schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/api/v1/openapi.json")
    errors: list[str] = []
    for result in api.get_all_operations():
        if isinstance(result, Err):  # an operation the schema describes wrongly: ours to mend
            raise result.err()
        op = result.ok()
        # a session per operation: fuzzing POST /auth/logout ends the one it is sent with
        token = signer.issue(ctx, Actor("admin", "admin"))
        codes = fuzz_operation(op, token, a.examples, errors)
        print(f"{op.method.upper():6} {op.path:55} {dict(sorted(codes.items()))}", flush=True)
    server.should_exit = True
    thread.join(timeout=30)
    if schema_name:
        with make_engine(PG_URL).begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema_name} CASCADE")
    print(f"{len(errors)} server errors")
    for e in errors[:20]:
        print("  ", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
