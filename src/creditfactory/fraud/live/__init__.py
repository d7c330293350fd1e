"""The live fraud graph: fraud scores of applications arriving one at a time.

- :mod:`.engine` :class:`LiveFraud`, the graph a service holds, with one method per job;
- :mod:`.seeding` seeding the graph with the training history;
- :mod:`.catch_up` catching up with kept applications and findings read from the store;
- :mod:`.assessment` scoring one application (its fraud score and rule hits);
- :mod:`.neighbourhood` a kept application's neighbourhood, for the case page;
- :mod:`.recheck` the re-check of a decided application before payout;
- :mod:`.state` what those jobs share (the incremental graph, one lock, the ids it knows).
"""

from creditfactory.fraud.live.assessment import Assessment
from creditfactory.fraud.live.catch_up import CatchUp, IdCursor, KeptApplication, KnownBad
from creditfactory.fraud.live.engine import LiveFraud
from creditfactory.fraud.live.recheck import Recheck, RecheckPolicy, Tie

__all__ = [
    "Assessment",
    "CatchUp",
    "IdCursor",
    "KeptApplication",
    "KnownBad",
    "LiveFraud",
    "Recheck",
    "RecheckPolicy",
    "Tie",
]
