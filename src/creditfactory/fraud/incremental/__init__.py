"""The incremental identity graph: applications added one at a time, features at once.

- :mod:`.graph` :class:`OnlineGraph`, its value index, links, components and features;
- :mod:`.risk` the monthly risk snapshot, prepared ahead near a month's end;
- :mod:`.seeding` the state a whole history leaves, computed in one vectorised pass.

Its numbers equal the batch :class:`~creditfactory.fraud.graph.IdentityGraph`'s.
"""

from creditfactory.fraud.incremental.graph import NEVER, OnlineGraph
from creditfactory.fraud.incremental.risk import PreparedRisk, RiskMark

__all__ = ["NEVER", "OnlineGraph", "PreparedRisk", "RiskMark"]
