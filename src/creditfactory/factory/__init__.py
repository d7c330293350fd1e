"""The credit factory's process: 24 steps at stations, partner banks, findings and the SLA clock.

Pure domain: nothing here touches the store or the API; services drive it.
"""

from creditfactory.factory.banks import BankPolicy, load_banks, refusals, route
from creditfactory.factory.findings import Findings, corrected_application, knock_outs, merge
from creditfactory.factory.process import ROLES, TIERS, Process, Step, load_process
from creditfactory.factory.sla import due_at, sla_state

__all__ = [
    "BankPolicy",
    "load_banks",
    "refusals",
    "route",
    "Findings",
    "corrected_application",
    "knock_outs",
    "merge",
    "ROLES",
    "TIERS",
    "Process",
    "Step",
    "load_process",
    "due_at",
    "sla_state",
]
