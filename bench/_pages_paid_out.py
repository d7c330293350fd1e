"""The demo's promise timed on a served factory: an auto-approved application shows as paid
out on the pages within 10 s of its submission.

A fresh SQLite store (`creditfactory setup`), the world's bureau on loopback (20 ms a call),
`creditfactory serve --simulate-banks` (the demo's banks and borrowers). Applications of the
world are submitted through the API until one is auto-approved; from just before that
submission, the account manager's case list and the risk analyst's dashboard are read every
100 ms until the case's row reads "done" (paid out and booked) and the dashboard's
"Applied and paid out" count for today has grown by one. Repeated ``tries`` times.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from _load_setup import (
    BUREAU,
    CLI,
    Bureau,
    Server,
    Store,
    env,
    on_channels_of,
    payloads,
    prepare,
    write_payload_world,
)

RA_PASSWORD = "bench-analyst-pass"
TARGET_S = 10.0


class SimulatingServer(Server):
    """`serve --simulate-banks`, as the demo serves its factory."""

    def start(self) -> float:
        t = time.perf_counter()
        self.proc = subprocess.Popen([CLI, "serve", "--db", self.store.url, "--port",
                                      str(self.port), "--simulate-banks"],
                                     env=env(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return time.perf_counter() - t
            except httpx.HTTPError:
                time.sleep(0.2)


def _token(base: str, user: str, password: str) -> str:
    r = httpx.post(base + "/auth/token", data={"username": user, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


def _paid_out_today(html: str) -> int:
    m = re.search(r'data-key="paid-out"><th>[^<]*</th><td class="num">([\d,]+)</td>', html)
    return int(m.group(1).replace(",", "")) if m else -1


def _row_done(html: str, case_id: int) -> bool:
    m = re.search(rf'<tr data-case="{case_id}">(.*?)</tr>', html, re.S)
    return bool(m) and "<td>done</td>" in m.group(1)  # type: ignore[union-attr]


def _one(client: httpx.Client, base: str, am: str, ra: str, body: dict[str, Any],
         root: str) -> dict[str, float] | None:
    ui = {"Accept-Language": "en"}
    before = _paid_out_today(client.get(root + "/ui/dashboard", headers=ui,
                                        cookies={"cf_session": ra}).text)
    t0 = time.perf_counter()
    r = client.post(base + "/applications", json=body,
                    headers={"Authorization": f"Bearer {am}", "Idempotency-Key": uuid.uuid4().hex})
    answer = r.json()
    tier = ((answer.get("decision") or {}).get("tier")) if r.status_code == 201 else None
    if tier != "auto_approve":
        return None
    case_id = int(answer["case_id"])
    seen: dict[str, float] = {"answered": time.perf_counter() - t0}
    while len(seen) < 3 and time.perf_counter() - t0 < 120:
        if "case list" not in seen and _row_done(
                client.get(root + "/ui/cases", headers=ui, cookies={"cf_session": am}).text,
                case_id):
            seen["case list"] = time.perf_counter() - t0
        if "dashboard" not in seen and _paid_out_today(
                client.get(root + "/ui/dashboard", headers=ui,
                           cookies={"cf_session": ra}).text) > before:
            seen["dashboard"] = time.perf_counter() - t0
        time.sleep(0.1)
    return seen


def measure(tries: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = write_payload_world(500, Path(tmp) / "world")
        bureau = Bureau(world, 20.0)
        BUREAU["url"] = bureau.url
        store = Store("sqlite", Path(tmp))
        server = SimulatingServer(store)
        try:
            prepare(store)
            subprocess.run([CLI, "users", "add", "ra", "--role", "risk_analyst", "--db",
                            store.url], input=RA_PASSWORD + "\n", text=True, check=True,
                           env=env(), stdout=subprocess.DEVNULL)
            print(f"serve --simulate-banks ready in {server.start():.1f} s", flush=True)
            root = server.base.removesuffix("/api/v1")
            am = _token(server.base, "am", "bench-am-pass")
            ra = _token(server.base, "ra", RA_PASSWORD)
            bodies = on_channels_of(store, payloads(400, world))
            results: list[dict[str, float]] = []
            with httpx.Client(timeout=30) as client:
                for body in bodies:
                    seen = _one(client, server.base, am, ra, body, root)
                    if seen is None:
                        continue
                    results.append(seen)
                    print("auto-approved: " + ", ".join(f"{k} {v:.2f} s"
                                                        for k, v in seen.items()), flush=True)
                    if len(results) == tries:
                        break
            for what in ("case list", "dashboard"):
                got = [r[what] for r in results if what in r]
                if got:
                    print(f"{what}: paid out shown after median {statistics.median(got):.2f} s, "
                          f"max {max(got):.2f} s over {len(got)} of {len(results)} "
                          f"(target ≤ {TARGET_S:.0f} s)")
        finally:
            server.stop()
            bureau.stop()
            store.drop()
