"""The ports the service layer needs from the outside: the decision engine.

The decision port is the one seam between the factory and ``creditfactory.strategy``: it takes
one application (validated, money as ``Decimal``) and returns a :class:`Decision`. Tests pass
a hand-written fake; production wires the compiled strategy (``strategy_port.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

__all__ = ["Decision", "DecisionService", "Actor", "SYSTEM"]


@dataclass(frozen=True)
class Decision:
    """What the strategy decided about one application.

    ``record`` is the strategy's full decision record in JSON-safe form (scores, engine
    outputs, versions), kept verbatim in the store for audit and back-testing.
    """

    tier: str
    limit: Decimal
    rate: Decimal
    product: str
    reasons: tuple[str, ...]
    score: float | None
    record: dict[str, Any] = field(default_factory=dict)


class DecisionService(Protocol):
    """Decide one application; the same application gives the same decision."""

    @property
    def version(self) -> str: ...

    def decide(self, application: Mapping[str, Any]) -> Decision: ...


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user or the system itself."""

    username: str
    role: str
    bank_code: str | None = None


SYSTEM = Actor("system", "system")
