"""Anti-fraud: identity graph, point-in-time graph features, rules, fraud and channel scores.

Applications are linked by keyed hashes of shared values (phones, contacts, devices, IPs,
cards, addresses, companies, the referring channel); hubs are capped; every feature of an
application uses only what was known before it applied, in batch and online alike.

The batch graph is :mod:`.graph`; :mod:`.incremental` grows the same graph one application at
a time; :mod:`.live` is the live fraud graph a service holds (seeded with the training
history, caught up with kept applications and findings, assessing one application, drawing a
case's neighbourhood); :mod:`.packaging` is the channel packaging evidence.
"""

from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.graph_config import KINDS, GraphConfig
from creditfactory.fraud.identity import identity_table
from creditfactory.fraud.incremental import OnlineGraph
from creditfactory.fraud.labels import known_bad_times
from creditfactory.fraud.model import card_reasons, fraud_card
from creditfactory.fraud.neighbourhood import neighbourhood
from creditfactory.fraud.rules import RULES, rule_hits

__all__ = [
    "KINDS",
    "RULES",
    "GraphConfig",
    "IdentityGraph",
    "OnlineGraph",
    "card_reasons",
    "fraud_card",
    "identity_table",
    "known_bad_times",
    "neighbourhood",
    "rule_hits",
]
