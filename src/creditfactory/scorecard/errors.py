"""Errors the scorecard toolkit raises on purpose.

CreditFactoryError
 +-- ScorecardError                 base of this package
      +-- ScorecardNotFitted        a card was used before ``fit``
      +-- TrainingDataInvalid       the training sample cannot give a card (one class, no rows)
      +-- TargetColumnMissing       the named target column is not in the data
      +-- FeatureMissing            a feature the card needs is absent from the scoring data
      +-- ModelFileInvalid          a model file cannot be read (schema, JSON, fields)
      +-- DataFileInvalid           an input file cannot be read (format, extension)
      +-- ConstraintInfeasible      score-engineering constraints admit no card
"""

from __future__ import annotations

from creditfactory.errors import CreditFactoryError


class ScorecardError(CreditFactoryError):
    """Base class of the scorecard package's errors."""


class ScorecardNotFitted(ScorecardError):
    """The card has no fitted state yet; call ``fit`` first."""


class TrainingDataInvalid(ScorecardError, ValueError):
    """The training sample cannot produce a card (e.g. a single class or no usable feature)."""


class TargetColumnMissing(ScorecardError, KeyError):
    """The target column named by the user is not in the data."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "target column missing"


class FeatureMissing(ScorecardError, KeyError):
    """A feature the card scores on is absent from the scoring data; the message names it."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "feature missing"


class ModelFileInvalid(ScorecardError, ValueError):
    """A model file is not a scorecard JSON this version can read."""


class DataFileInvalid(ScorecardError, ValueError):
    """An input data file cannot be read (unknown extension, unreadable content)."""


class ConstraintInfeasible(ScorecardError, ValueError):
    """The score-engineering constraints on the bin weights cannot all hold."""
