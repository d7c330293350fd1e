"""The demo factory's staff: one account per role, so that every page can be tried signed in
as the person it is for."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

__all__ = ["DEMO_ACCOUNTS", "demo_accounts"]

DEMO_ACCOUNTS: tuple[tuple[str, str, str | None, str | None], ...] = (
    # user, role, collections team, bank
    ("am", "account_manager", None, None),
    ("verifier", "verifier", None, None),
    ("investigator", "investigator", None, None),
    ("approver", "approver", None, None),
    ("committee", "approver", None, None),
    ("channels", "channel_manager", None, None),
    ("icbc", "bank_officer", None, "ICBC_SZ"),
    ("collector", "collector", "phone", None),
    ("supervisor", "risk_analyst", None, None),
)
"""The play's applications are submitted by ``am`` (the account manager's intake and pipeline
show them); ``committee`` is a second approver (the committee is never the reviewer);
``supervisor`` is a risk analyst (approves restructures, reads the dashboard and warning)."""


def demo_accounts(ctx: Any, out: Path) -> list[str]:
    """Create the demo's staff accounts, each password in ``out/<user>-password.txt`` (mode
    600); a line per account saying how to sign in."""
    from creditfactory.services.collections_work import set_team
    from creditfactory.services.ports import Actor
    from creditfactory.services.users import add_user

    system = Actor("demo", "system")
    lines = []
    for user, role, team, bank in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        add_user(ctx, system, user, password, role, bank)
        if team is not None:
            set_team(ctx, system, user, team)
        secret = out / f"{user}-password.txt"
        secret.write_text(password + "\n", encoding="utf-8")
        secret.chmod(0o600)
        lines.append(f"`{user}` ({role}{', ' + bank if bank else ''}) with `{secret.name}`")
    return lines
