"""What the post-loan scorecards' JSON model files share: a loaded LightGBM booster with the
classifier methods a card calls, the file's version (a hash of its content) and the checks
that a file is of the expected kind and untouched."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.errors import InvalidArgument

__all__ = ["LoadedBooster", "check_model_file", "content_version"]


class LoadedBooster:
    """A LightGBM booster read back from its model string, answering ``predict_proba`` and
    ``predict`` (with ``pred_contrib`` for reason codes) as the fitted classifier did."""

    def __init__(self, booster: Any) -> None:
        self.booster_ = booster

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = self.booster_.predict(x)
        return np.column_stack([1 - p, p])

    def predict(self, x: pd.DataFrame, pred_contrib: bool = False) -> np.ndarray:
        return self.booster_.predict(x, pred_contrib=pred_contrib)


def content_version(prefix: str, payload: dict[str, Any]) -> str:
    """``prefix`` and the first 12 hex digits of the SHA-256 of ``payload`` as sorted JSON."""
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return f"{prefix}-{hashlib.sha256(blob).hexdigest()[:12]}"


def check_model_file(data: dict[str, Any], fmt: str, version: int, what: str) -> None:
    """Refuse a file that is not ``what``'s format at ``version``."""
    if data.get("format") != fmt or data.get("format_version") != version:
        raise InvalidArgument(f"not a {what} model file of this version")
