"""Run the real API in its own process with the test fake of the decision port.

Used by the crash-recovery test, which needs a server it can ``kill -9``:
``python fake_decision_server.py DB_URL PORT``.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).parent))

from conftest import FakeDecisions  # noqa: E402
from creditfactory.server import create_app  # noqa: E402
from creditfactory.services.bootstrap import bootstrap  # noqa: E402
from creditfactory.services.contract_signing import (  # noqa: E402
    resend_pending_codes,
    signing_loop,
)
from creditfactory.settings import load_settings  # noqa: E402
from creditfactory.world.borrowers import SimulatedBorrowers  # noqa: E402

if __name__ == "__main__":
    url, port = sys.argv[1], int(sys.argv[2])
    settings = load_settings(db_url=url, env="test", simulate_banks=True)  # as --simulate-banks
    ctx = bootstrap(settings, strategy=FakeDecisions())
    borrowers = SimulatedBorrowers(sign_rate=1.0)  # as --simulate-banks: they sign, in a thread
    ctx = replace(ctx, borrowers=borrowers)
    resend_pending_codes(ctx)  # the borrowers of the killed process lost their notices
    threading.Thread(target=signing_loop, args=(ctx, borrowers, threading.Event()),
                     daemon=True).start()
    uvicorn.run(create_app(settings, ctx), host="127.0.0.1", port=port, log_level="warning", access_log=False)
