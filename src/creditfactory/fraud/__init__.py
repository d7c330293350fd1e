"""Anti-fraud: identity graph, point-in-time graph features, rules, fraud and channel scores.

Applications are linked by keyed hashes of shared values (phones, contacts, devices, IPs,
cards, addresses, companies, the referring channel); hubs are capped; every feature of an
application uses only what was known before it applied, in batch and online alike.
"""

from creditfactory.fraud.config import KINDS, GraphConfig
from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.identity import identity_table
from creditfactory.fraud.online import OnlineGraph

__all__ = ["KINDS", "GraphConfig", "IdentityGraph", "OnlineGraph", "identity_table"]
