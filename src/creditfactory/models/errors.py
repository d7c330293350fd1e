"""Errors of the trained models.

CreditFactoryError
 +-- ModelError
      +-- ModelBundleInvalid (also ValueError)
      +-- ScoringFailed     a model could not score an application (a bug, not missing data)
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError

__all__ = ["ModelBundleInvalid", "ModelError", "ScoringFailed"]


class ModelError(CreditFactoryError):
    """Something is wrong with a trained model or its file."""


class ModelBundleInvalid(ModelError, ValueError):
    """The bytes are not a readable model bundle (corrupt, another format, another key)."""


class ScoringFailed(ModelError):
    """A model failed on an application for a reason other than a missing card input.

    ``model`` names the stage that failed (``features``, ``a_card``, ``challenger``, ``fraud``,
    ``packaging``), ``cause`` the kind of failure; neither carries the application's values,
    so the error can be logged as it is. The original exception is chained as ``__cause__``.
    """

    def __init__(self, model: str, cause: str) -> None:
        super().__init__(f"the {model} model failed to score the application ({cause})")
        self.model = model
        self.cause = cause
