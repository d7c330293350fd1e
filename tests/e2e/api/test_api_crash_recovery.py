"""kill -9 in the middle of submissions: every 201 survives with its decision and case, and
the auto-approved cases waiting at their bank carry on to payout after the restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from conftest import Server

HERE = Path(__file__).parent


def _start(url: str, port: int, bureau_url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(HERE / "fake_decision_server.py"), url, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "CREDITFACTORY_BUREAU_URL": bureau_url})
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"server did not start: {proc.stderr.read().decode()[-2000:]}"
                                 if proc.stderr else "server did not start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


def _free_port() -> int:
    """A port nothing listens on now (the next one up from another server's may be taken)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_kill_9_mid_load_keeps_every_acknowledged_application_whole(server: Server) -> None:
    if server.ctx.engine.dialect.name != "sqlite":
        pytest.skip("one store is enough here; bench/api_load.py --crash covers PostgreSQL")
    url = str(server.ctx.engine.url)
    port = _free_port()
    proc = _start(url, port, server.bureau_url)
    base = f"http://127.0.0.1:{port}/api/v1"
    acked: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    stop = threading.Event()
    refused: list[int] = []

    def submit(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=5) as c:
            i = worker
            while not stop.is_set():
                body = server.application(50 + i % 300, amount=200000.0, declared_monthly_revenue=80000.0)
                key = uuid.uuid4().hex
                try:
                    r = c.post("/applications", json=body,
                               headers=server.h("account_manager", **{"Idempotency-Key": key}))
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    acked.append((key, body, r.json()))
                else:
                    refused.append(r.status_code)
                i += 4

    workers = [threading.Thread(target=submit, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    end = time.monotonic() + 30
    while len(acked) < 20 and time.monotonic() < end:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for w in workers:
        w.join()
    assert len(acked) > 5, refused[:5]
    with server.ctx.engine.connect() as c:
        orphans = c.execute(sa.text(
            "SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE "
            "d.application_id = a.application_id) OR NOT EXISTS (SELECT 1 FROM cases k WHERE "
            "k.application_id = a.application_id)")).scalar_one()
    assert orphans == 0
    proc = _start(url, port, server.bureau_url)
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            for _key, _body, answer in acked:
                view = c.get(f"/applications/{answer['application_id']}", headers=server.h("admin")).json()
                assert view["decision"]["tier"] == answer["decision"]["tier"]
                assert view["case"]["case_id"] == answer["case_id"]
            key, body, answer = acked[-1]
            again = c.post("/applications", json=body, headers=server.h("account_manager", **{"Idempotency-Key": key}))
            assert again.json() == answer

            def settled() -> list[str] | None:
                states = [c.get(f"/applications/{a['application_id']}", headers=server.h("admin")).json()["status"]
                          for _k, _b, a in acked]
                return states if "at_bank" not in states else None

            states = server.wait_for(settled, timeout=30)
            assert "paid_out" in states and set(states) <= {"paid_out", "declined"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
