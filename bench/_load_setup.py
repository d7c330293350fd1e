"""The bench's fixtures for loading the API: a fresh store, `creditfactory setup`, the served
server and the simulated bureau in their own process groups, the payloads of a world, CPU
counters read from /proc (``bench/api_load.py`` runs the load)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "creditfactory")
sys.path.insert(0, str(ROOT / "bench"))

from _revisions import python_path  # noqa: E402

PG_URL = os.environ.get("CREDITFACTORY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_PASSWORD = "bench-admin-pass"
AM_PASSWORD = "bench-am-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Store:
    """A fresh database for one run: a SQLite file or a PostgreSQL schema."""

    def __init__(self, kind: str, tmp: Path):
        self.kind = kind
        self.schema = None
        if kind == "sqlite":
            self.url = f"sqlite:///{tmp}/bench.db"
        else:
            import sqlalchemy as sa

            self.schema = f"cf_bench_{uuid.uuid4().hex[:8]}"
            eng = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
            with eng.begin() as c:
                c.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
            eng.dispose()
            # the schema's name is the connections' application name: their backends are found by it
            self.url = f"{PG_URL}?options=-csearch_path%3D{self.schema}&application_name={self.schema}"

    def drop(self) -> None:
        if self.schema:
            import sqlalchemy as sa

            eng = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
            with eng.begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA {self.schema} CASCADE")
            eng.dispose()

    def database_cpu(self) -> dict[int, float]:
        """User + system CPU seconds each PostgreSQL backend serving this store's connections has
        used so far (Linux /proc, the server on this machine); empty for SQLite."""
        if not self.schema:
            return {}
        import sqlalchemy as sa

        eng = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with eng.connect() as c:
                pids = c.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                                 {"n": self.schema}).scalars().all()
        finally:
            eng.dispose()
        tick = os.sysconf("SC_CLK_TCK")
        return {p: (int(st[11]) + int(st[12])) / tick for p in pids if (st := _stat(p))}

    def sql(self, query: str) -> list[Any]:
        import sqlalchemy as sa

        from creditfactory.store import make_engine

        eng = make_engine(self.url)
        try:
            with eng.connect() as c:
                return list(c.execute(sa.text(query)))
        finally:
            eng.dispose()


BUREAU: dict[str, str] = {}  # the simulated bureau's address, once started


def env(source: Path | None = None) -> dict[str, str]:
    """The commands' environment; ``source``: another revision's package to run instead."""
    return {**os.environ, "CREDITFACTORY_ADMIN_PASSWORD": ADMIN_PASSWORD, **python_path(source),
            **({"CREDITFACTORY_BUREAU_URL": BUREAU["url"]} if BUREAU else {})}


def prepare(store: Store, source: Path | None = None) -> None:
    t = time.perf_counter()
    subprocess.run([CLI, "setup", "--db", store.url], check=True, env=env(source),
                   stdout=subprocess.DEVNULL)
    subprocess.run([CLI, "users", "add", "am", "--role", "account_manager", "--db", store.url],
                   input=AM_PASSWORD + "\n", text=True, check=True, env=env(source),
                   stdout=subprocess.DEVNULL)
    print(f"[{store.kind}] setup {time.perf_counter() - t:.1f}s", flush=True)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


class Server:
    workers = 1

    def __init__(self, store: Store, source: Path | None = None):
        self.store = store
        self.source = source
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        t = time.perf_counter()
        workers = ["--workers", str(self.workers)] if self.workers != 1 else []
        self.proc = subprocess.Popen([CLI, "serve", "--db", self.store.url, "--port", str(self.port),
                                      *workers],
                                     env=env(self.source), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "server died")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return time.perf_counter() - t
            except httpx.HTTPError:
                time.sleep(0.2)

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds each of the server's processes has used so far (Linux /proc)."""
        assert self.proc is not None
        stats = {int(d): st for d in os.listdir("/proc") if d.isdigit() and (st := _stat(int(d)))}
        tree, grew = {self.proc.pid}, True
        while grew:
            more = {pid for pid, st in stats.items() if int(st[1]) in tree} - tree
            tree |= more
            grew = bool(more)
        tick = os.sysconf("SC_CLK_TCK")
        return {p: (int(stats[p][11]) + int(stats[p][12])) / tick for p in tree if p in stats}

    def cpu_seconds(self) -> float:
        """CPU seconds all the server's processes (every worker) have used so far."""
        return sum(self.cpu_by_process().values())

    def kill9(self) -> None:
        """SIGKILL every process of the server at once (a crash of the whole service)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def token(self) -> str:
        r = httpx.post(self.base + "/auth/token", data={"username": "am", "password": AM_PASSWORD})
        r.raise_for_status()
        return str(r.json()["access_token"])


def write_payload_world(n: int, out: Path) -> Path:
    """The world the payloads come from, on disk for the simulated bureau to serve."""
    from creditfactory.world import WorldConfig, write_world

    write_world(WorldConfig(max(n, 500), 12, 7), out)
    return out


def _age_today(resident_id: str) -> int:
    born = date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def payloads(n: int, world_dir: Path) -> list[dict[str, Any]]:
    """What an applicant declares for the first ``n`` applications of the world (no time, no
    bureau fields), with a consent reference and their age today."""
    from creditfactory.data.io import read_table
    from creditfactory.http.schemas.applications import ApplicationCreate

    apps = read_table(world_dir, "applications", money="float")
    fields = [k for k in ApplicationCreate.model_fields if k in apps.columns]
    out: list[dict[str, Any]] = []
    for i, row in enumerate(apps.head(n)[fields].to_dict("records")):
        body = {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        body["age"] = _age_today(body["resident_id"])
        body["bureau_consent_ref"] = f"BENCH-CONSENT-{i:06d}"
        out.append(body)
    while len(out) < n:
        out.extend(out[: n - len(out)])
    return out


class Bureau:
    """`creditfactory world bureau` on a free loopback port, in its own process group."""

    def __init__(self, world_dir: Path, latency_ms: float):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([CLI, "world", "bureau", "--world", str(world_dir), "--port",
                                      str(self.port), "--latency-ms", str(latency_ms)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "bureau died")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)

    def faults(self, **values: float) -> None:
        httpx.put(self.url + "/control", json=values, timeout=5).raise_for_status()

    def calls(self) -> dict[str, int]:
        return dict(httpx.get(self.url + "/stats", timeout=5).json())

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


@contextmanager
def payload_world(n: int, latency_ms: float) -> Iterator[list[dict[str, Any]]]:
    """The bodies of the first ``n`` applications of a fresh world, with that world's bureau
    and registry served on loopback (``BUREAU``: the servers pull their reports from it) for
    the block, ``latency_ms`` added to every call."""
    with tempfile.TemporaryDirectory() as tmp:
        world_dir = write_payload_world(n, Path(tmp) / "world")
        bodies = payloads(n, world_dir)
        bureau = Bureau(world_dir, latency_ms)
        BUREAU_PROCESS.append(bureau)
        BUREAU["url"] = bureau.url
        print(f"simulated bureau and registry at {bureau.url}, {latency_ms:.0f} ms a call", flush=True)
        try:
            yield bodies
        finally:
            bureau.stop()
            BUREAU_PROCESS.remove(bureau)
            BUREAU.clear()


@contextmanager
def served(kind: str, source: Path | None = None) -> Iterator[tuple[Store, Server]]:
    """A fresh store of ``kind`` with a running server on it (``source``: another revision's
    package, set up and served instead of this tree's); both gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(kind, Path(tmp))
        server = Server(store, source)
        try:
            prepare(store, source)
            print(f"[{kind}] serve ready in {server.start():.1f}s", flush=True)
            yield store, server
        finally:
            server.stop()
            store.drop()


def on_channels_of(store: Store, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bodies with each channel the store does not know replaced by one it has (stable)."""
    known = sorted(r[0] for r in store.sql("SELECT channel_id FROM channels WHERE status = 'active'"))
    have = set(known)
    return [b if b["channel_id"] in have else
            {**b, "channel_id": known[int(hashlib.sha256(b["channel_id"].encode()).hexdigest(), 16) % len(known)]}
            for b in bodies]


def machine_ticks() -> tuple[int, int, int]:
    """Busy, stolen and all CPU ticks of the whole machine so far (``/proc/stat``; zeros where
    there is none). Steal is time the hypervisor gave this machine's cores to someone else: a
    run on a shared host that slows with no change of code shows it there."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    except (OSError, ValueError):
        return 0, 0, 0
    busy = user + nice + system + irq + softirq
    return busy, steal, busy + steal + idle + iowait


BUREAU_PROCESS: list[Bureau] = []
