"""The checks after a load: the bureau's outage (failing calls for a while, then every held
case decided) and a crash of the whole server mid-load (nothing accepted is lost or half
written, cases carry on)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from _load_client import run_load  # noqa: E402
from _load_setup import BUREAU_PROCESS, Store, on_channels_of, served  # noqa: E402

OUTAGE = {"fail_rate": 0.0, "seconds": 0.0}  # the bureau's failure during the load


async def _outage(start: float) -> None:
    """Fail ``OUTAGE['fail_rate']`` of the bureau's calls from the load's start for
    ``OUTAGE['seconds']``, then recover."""
    bureau = BUREAU_PROCESS[0]
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    await asyncio.to_thread(bureau.faults, fail_rate=OUTAGE["fail_rate"])
    await asyncio.sleep(max(0.0, start + OUTAGE["seconds"] - time.perf_counter()))
    await asyncio.to_thread(bureau.faults, fail_rate=0.0)


def outage_check(kind: str, store: Store, res: list[Any], within: float = 180.0) -> bool:
    """After the bureau recovered: no 5xx, every accepted application kept with its case, and
    every case decided (none still pending or held for data) within ``within`` seconds."""
    server_errors = sum(1 for r in res if r[1] >= 500 or r[1] == 0)
    accepted = {int(r[3]["application_id"]) for r in res if r[1] in (201, 202) and r[3]}
    held = sum(1 for r in res if r[1] == 202)
    waiting = ("SELECT count(*) FROM cases WHERE tier = 'pending' OR hold IN "
               "('bureau_unavailable', 'registry_unavailable', 'data_exceptions')")
    t0 = time.monotonic()
    while (left := store.sql(waiting)[0][0]) and time.monotonic() - t0 < within:
        time.sleep(1.0)
    kept = {int(r[0]) for r in store.sql("SELECT application_id FROM cases")}
    decided = {int(r[0]) for r in store.sql("SELECT DISTINCT application_id FROM decisions")}
    lost = len(accepted - kept)
    undecided = len(accepted - decided)
    ok = server_errors == 0 and lost == 0 and undecided == 0 and left == 0
    print(f"[{kind}] bureau outage check: {len(accepted)} accepted ({held} held with 202), 5xx or "
          f"no answer {server_errors}, cases lost {lost}, undecided {undecided}, still held "
          f"{left} after {time.monotonic() - t0:.0f}s; bureau calls {BUREAU_PROCESS[0].calls()}; "
          f"{'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def crash(kind: str, rate: float, seconds: float, bodies: list[dict[str, Any]]) -> bool:
    with served(kind) as (store, server):
        bodies = on_channels_of(store, bodies)
        token = server.token()

        async def killer(start: float) -> None:
            await asyncio.sleep(max(0.0, start + seconds / 2 - time.perf_counter()))
            server.kill9()
            print(f"[{kind}] kill -9 at {seconds / 2:.0f}s", flush=True)

        res = asyncio.run(run_load(server.base, token, bodies, rate, seconds, on_tick=killer))
        created = [(key, body) for _, code, key, body in res if code == 201 and body is not None]
        waiting = [row[0] for row in store.sql(
            "SELECT id FROM bank_submissions WHERE status = 'pending'")]
        print(f"[{kind}] {len(created)} got 201 before the crash, {len(waiting)} waiting for a bank's "
              f"answer; restart in {server.start():.1f}s", flush=True)
        token = server.token()
        h = {"Authorization": f"Bearer {token}"}
        missing = 0
        with httpx.Client(base_url=server.base, timeout=30) as c:
            for _key, body in created:
                r = c.get(f"/applications/{body['application_id']}", headers=h)
                if r.status_code != 200 or r.json()["decision"]["tier"] != body["decision"]["tier"] \
                        or r.json()["case"] is None:
                    missing += 1
            replayed = sum(
                c.post("/applications", json=bodies[int(key.split("-")[1]) % len(bodies)],
                       headers={**h, "Idempotency-Key": key}).json() == body
                for key, body in created[:50])
        half = store.sql(
            "SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM decisions d "
            "WHERE d.application_id = a.application_id) OR NOT EXISTS (SELECT 1 FROM cases c "
            "WHERE c.application_id = a.application_id)")[0][0]
        stuck = carried_on(store, waiting)
        ok = missing == 0 and half == 0 and replayed == min(50, len(created)) and stuck == 0
        print(f"[{kind}] crash check: 201s missing after restart {missing}; applications without "
              f"decision or case {half}; idempotent replays equal {replayed}/{min(50, len(created))}; "
              f"of {len(waiting)} cases waiting for a bank at the crash, still waiting or not moved on "
              f"{stuck}; {'PASS' if ok else 'FAIL'}", flush=True)
        return ok


def carried_on(store: Store, submissions: list[int], within: float = 30.0) -> int:
    """How many of the bank submissions that were waiting when the server died are, ``within``
    seconds after the restart, still unanswered, or approved without their case moving on."""
    if not submissions:
        return 0
    ids = ", ".join(str(i) for i in submissions)
    query = (f"SELECT count(*) FROM bank_submissions s JOIN cases c ON c.id = s.case_id "
             f"WHERE s.id IN ({ids}) AND (s.status = 'pending' "
             f"OR (s.status = 'approved' AND c.step = 'bank_approval'))")
    deadline = time.monotonic() + within
    while (stuck := store.sql(query)[0][0]) and time.monotonic() < deadline:
        time.sleep(0.5)
    return stuck
