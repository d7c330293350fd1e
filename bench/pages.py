"""Server time of every staff page with N applications in the store, on SQLite and PostgreSQL,
and the demo's time from submission to "paid out" on the pages.

Pages: every GET route of the page modules under ``web/pages`` when the bench runs (so new
pages are picked up; a page not served answers 404 and is left out), path parameters filled from the store (a paid-out case,
its loan, the busiest channel, ...), a deep page (``?page=1000``) added for the pages that
page; each measured for every role it answers 200 to. Server time: the request handled
in-process by the app (ASGI, the client's own cost under a millisecond), one warm-up then
``--requests`` timed (the first is shown apart: a page that keeps its result for a few
seconds, as the dashboard does, is cheap only after it); target p95 ≤ 300 ms.

The store: see ``bench/_pages_store.py`` (the demo's factory multiplied to N applications).

Paid out (``--paid-out``): `creditfactory setup` on a fresh SQLite store, the world's bureau,
`creditfactory serve --simulate-banks` (as the demo serves); applications of the world are
submitted through the API until one is auto-approved; then the case list (``/ui/cases``) and
the dashboard are read every 100 ms until the case shows as paid out. Target ≤ 10 s.

Run: .venv/bin/python bench/pages.py --store both [--applications 100000] [--requests 10]
         [--sample /tmp/cf_pages/demo/factory.db] [--only cases] [--profile /ui/cases]
     .venv/bin/python bench/pages.py --paid-out [--tries 5]
PostgreSQL: a database of its own (default postgresql://postgres@127.0.0.1:5432/cf_pages_bench,
created when missing).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _pages_store import STRIDE, build  # noqa: E402

TARGET_MS = 300.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "cf_pages_bench"
SKIP = ("/ui/static", "/ui/login", "/ui/logout", "/ui/language", "/ui/{rest:path}")
SAMPLE = Path("/tmp/cf_pages/demo/factory.db")


def ensure_sample(sample: Path) -> None:
    if sample.exists():
        return
    print(f"no sample at {sample}: running the demo (a few minutes)", flush=True)
    subprocess.run([str(ROOT / ".venv/bin/creditfactory"), "demo", "--out", str(sample.parent),
                    "--applications", "20000", "--play-months", "12",
                    "--play-per-month", "150"], check=True, stdout=subprocess.DEVNULL)


def ensure_pg_database(name: str) -> str:
    import sqlalchemy as sa

    eng = sa.create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"),
                           isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        if not c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                         {"n": name}).first():
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    eng.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _one(c: Any, sql: str) -> Any:
    return c.exec_driver_sql(sql).scalar()


def path_values(engine: Any) -> dict[str, Any]:
    """A value for each path parameter the pages take, from the store (the last copy's rows)."""
    with engine.connect() as c:
        case = _one(c, "SELECT max(case_id) FROM loans")
        return {
            "case_id": case,
            "loan_id": _one(c, "SELECT max(loan_id) FROM loan_accounts"),
            "application_id": _one(c, f"SELECT application_id FROM cases WHERE id = {case}"),
            "channel_id": _one(c, "SELECT channel_id FROM applications GROUP BY channel_id "
                                  "ORDER BY count(*) DESC LIMIT 1"),
            "bank_code": _one(c, "SELECT bank_code FROM loans GROUP BY bank_code "
                                 "ORDER BY count(*) DESC LIMIT 1"),
            "alert_id": _one(c, "SELECT max(id) FROM monitoring_alerts"),
            "username": "bench_verifier",
        }


def _page_routes() -> list[Any]:
    """Every GET route of the page modules (``web/pages/*``: new modules are picked up)."""
    import importlib
    import pkgutil

    import creditfactory.web.pages as pages_package

    found = []
    for info in pkgutil.iter_modules(pages_package.__path__):
        module = importlib.import_module(f"creditfactory.web.pages.{info.name}")
        router = getattr(module, "router", None)
        for route in getattr(router, "routes", ()):
            if "GET" in getattr(route, "methods", ()):
                found.append(route)
    return found


def discover(values: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The page paths to time and the routes left out (with why)."""
    pages, left = [], []
    for route in _page_routes():
        path = "/ui" + route.path
        if path.startswith(SKIP) or path == "/ui/":
            continue
        params = [p.name for p in route.dependant.path_params]
        missing = [p for p in params if values.get(p) is None]
        if missing:
            left.append(f"{path} (no value for {', '.join(missing)})")
            continue
        path = path.format(**{p: values[p] for p in params})
        pages.append(path)
        if any(q.alias == "page" for q in route.dependant.query_params):
            pages.append(path + "?page=1000")
    return pages, left


def make_users(ctx: Any, bank: str | None) -> dict[str, Any]:
    from creditfactory.domain.roles import BANK_ROLES, ROLES
    from creditfactory.services.errors import UserExists
    from creditfactory.services.ports import SYSTEM, Actor
    from creditfactory.services.users import add_user

    actors = {}
    for role in ROLES:
        if role == "bank_system":
            continue
        code = bank if role in BANK_ROLES else None
        name = f"bench_{role}"
        try:
            add_user(ctx, SYSTEM, name, "bench-pages-pass-1", role, code)
        except UserExists:
            pass
        actors[role] = Actor(name, role, code)
    return actors


def timed(client: Any, path: str, cookie: str, n: int) -> tuple[int, list[float], int]:
    """Status, then the first request's time followed by ``n`` more, and the page's size."""
    headers = {"Cookie": f"cf_session={cookie}"}
    t = time.perf_counter()
    r = client.get(path, headers=headers, follow_redirects=False)
    times = [(time.perf_counter() - t) * 1000]
    if r.status_code != 200:
        return r.status_code, [], 0
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path, headers=headers, follow_redirects=False)
        times.append((time.perf_counter() - t) * 1000)
    return r.status_code, times, len(r.content)


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * (len(xs) - 1))))]


def bench_store(kind: str, url: str, requests: int, only: str | None,
                profile: str | None) -> list[tuple[Any, ...]]:
    from fastapi.testclient import TestClient

    from creditfactory.server import create_app
    from creditfactory.settings import load_settings

    app = create_app(load_settings(db_url=url))
    rows: list[tuple[Any, ...]] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    wrapper = Profiled(app)
    with TestClient(wrapper, base_url="http://testserver",
                    raise_server_exceptions=False) as client:
        ctx = app.state.ctx
        print(f"[{kind}] app started in {time.perf_counter() - t0:.1f} s", flush=True)
        values = path_values(ctx.engine)
        actors = make_users(ctx, values["bank_code"])
        cookies = {role: app.state.signer.issue(ctx, a) for role, a in actors.items()}
        pages, left = discover(values)
        for path in pages:
            if only and only not in path:
                continue
            for role, cookie in cookies.items():
                status, times, size = timed(client, path, cookie, requests)
                if status >= 500:
                    print(f"[{kind}] {path} as {role}: {status} (the page failed)", flush=True)
                    errors.append(f"{kind} {path} as {role}: {status}")
                if status != 200:
                    continue
                first, times = times[0], times[1:]
                rows.append((kind, path, role, first, statistics.median(times), p95(times),
                             max(times), size))
                print(f"[{kind}] {path:<40} {role:<16} first {first:7.1f} ms p50 "
                      f"{statistics.median(times):7.1f} ms p95 {p95(times):7.1f} ms", flush=True)
                if profile and profile in path:
                    _profile(client, wrapper, path, cookie)
        for why in left + errors:
            print(f"[{kind}] not timed: {why}")
    return rows


class Profiled:
    """The app, with one request at a time profiled (pyinstrument) when ``on``: the request's
    synchronous handler runs inline on the event loop's thread, so the profile sees it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.on or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        import anyio.to_thread
        from pyinstrument import Profiler

        threaded = anyio.to_thread.run_sync

        async def inline(func: Any, *args: Any, **_: Any) -> Any:
            return func(*args)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]
        prof = Profiler(interval=0.0005, async_mode="disabled")
        prof.start()
        try:
            await self.app(scope, receive, send)
        finally:
            prof.stop()
            anyio.to_thread.run_sync = threaded
        print(prof.output_text(unicode=False, color=False, show_all=False))


def _profile(client: Any, wrapper: Profiled, path: str, cookie: str) -> None:
    wrapper.on = True
    try:
        client.get(path, headers={"Cookie": f"cf_session={cookie}"})
    finally:
        wrapper.on = False


def print_table(rows: list[tuple[Any, ...]]) -> None:
    print("\n| store | page | role | first ms | p50 ms | p95 ms | max ms | KB | p95 / 300 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, path, role, first, p50, q95, worst, size in rows:
        mark = "" if q95 <= TARGET_MS else " **over**"
        print(f"| {kind} | `{path}` | {role} | {first:.1f} | {p50:.1f} | {q95:.1f} | "
              f"{worst:.1f} | {size / 1024:.0f} | {q95 / TARGET_MS:.2f}{mark} |")
    over = [r for r in rows if r[5] > TARGET_MS]
    print(f"\n{len(rows)} page × role timings, {len(over)} over the {TARGET_MS:.0f} ms target")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--applications", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--sqlite-file", type=Path, default=Path("/tmp/cf_pages/pages.db"))
    ap.add_argument("--pg-database", default=PG_DB)
    ap.add_argument("--reuse", action="store_true", help="time the stores built before")
    ap.add_argument("--only", help="time only the pages whose path contains this")
    ap.add_argument("--profile", help="profile the pages whose path contains this")
    ap.add_argument("--paid-out", action="store_true", help="the demo's time to paid out")
    ap.add_argument("--tries", type=int, default=5)
    args = ap.parse_args()
    if args.paid_out:
        from _pages_paid_out import measure

        measure(args.tries)
        return
    assert STRIDE > args.applications
    ensure_sample(args.sample)
    rows: list[tuple[Any, ...]] = []
    for kind in (("sqlite", "postgresql") if args.store == "both" else (args.store,)):
        if kind == "sqlite":
            where = str(args.sqlite_file)
            url = f"sqlite:///{where}"
        else:
            url = where = ensure_pg_database(args.pg_database)
        if not args.reuse:
            url = build(kind, args.sample, args.applications, where)
        rows += bench_store(kind, url, args.requests, args.only, args.profile)
    print_table(rows)


if __name__ == "__main__":
    main()
