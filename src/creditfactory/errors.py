"""The root of every error Credit Factory raises on purpose.

CreditFactoryError
 +-- InvalidArgument        a caller passed a value outside its domain (CLI maps to exit 2)
 +-- each package's own errors (world, scorecard, fraud, strategy, store, ...) derive from here

Entry points map ``CreditFactoryError`` to a one-line message and a non-zero exit code (CLI)
or an HTTP status (API) in one place each.
"""


class CreditFactoryError(Exception):
    """Base class for errors that carry a message fit to show a user."""


class InvalidArgument(CreditFactoryError, ValueError):
    """A parameter was outside what the operation accepts; the message names it."""
