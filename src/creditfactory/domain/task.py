"""A task: a case's wait at a staffed step, worked by one person of the step's role.

open --claim--> claimed --complete--> done; only the one who claimed a task completes it, and
a done task stays done. Other moves raise :class:`IllegalTaskMove`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from creditfactory.domain.errors import IllegalTaskMove

__all__ = ["Task", "TASK_STATES"]

TASK_STATES = ("open", "claimed", "done")


@dataclass(slots=True)
class Task:
    """One staffed step of one case; ``id`` is 0 until the store has it."""

    case_id: int
    step: str
    station: str
    role: str
    status: str
    created_at: datetime
    due_at: datetime
    assignee: str | None = None
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    outcome: dict[str, Any] | None = None
    id: int = 0

    @classmethod
    def open(
        cls, case_id: int, step: str, station: str, role: str, at: datetime, due: datetime
    ) -> Task:
        """A new task waiting in ``station``'s queue."""
        return cls(case_id, step, station, role, "open", at, due)

    def held_by(self, username: str) -> bool:
        return self.status == "claimed" and self.assignee == username

    def claim(self, username: str, at: datetime) -> None:
        """Take the open task into ``username``'s hands."""
        if self.status != "open":
            holder = f" by {self.assignee}" if self.assignee else ""
            raise IllegalTaskMove(f"task {self.id} is {self.status}{holder}")
        self.status, self.assignee, self.claimed_at = "claimed", username, at

    def complete(self, username: str, at: datetime, outcome: dict[str, Any]) -> None:
        """Finish the task ``username`` holds with ``outcome``."""
        if not self.held_by(username):
            holder = f" by {self.assignee}" if self.assignee else ""
            raise IllegalTaskMove(f"task {self.id} is {self.status}{holder}")
        self.status, self.completed_at, self.outcome = "done", at, outcome
