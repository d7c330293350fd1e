"""Schemathesis against the published OpenAPI schema finds no 5xx, on each store.

Runs ``bench/api_fuzz.py`` (a real server on loopback, generated valid and invalid requests for
every operation) with a small number of examples per operation; the bench run by hand uses more.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[3]
STORES = ["sqlite"] + (["postgresql"] if os.environ.get("CREDITFACTORY_TEST_PG_URL") else [])


@pytest.mark.parametrize("store", STORES)
def test_fuzzing_the_openapi_schema_finds_no_server_error(store: str) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "api_fuzz.py"), "--examples", "6", "--store", store],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    operations = [line for line in lines if line.split()[:1] and line.split()[0] in
                  {"GET", "POST", "PUT", "PATCH", "DELETE"}]
    assert len(operations) >= 15, run.stdout
    assert lines[-1] == "0 server errors"
