"""Errors of the trained models.

CreditFactoryError
 +-- ModelError
      +-- ModelBundleInvalid (also ValueError)
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError

__all__ = ["ModelBundleInvalid", "ModelError"]


class ModelError(CreditFactoryError):
    """Something is wrong with a trained model or its file."""


class ModelBundleInvalid(ModelError, ValueError):
    """The bytes are not a readable model bundle (corrupt, another format, another key)."""
