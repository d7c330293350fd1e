"""Clients of the counterparts outside the lender, each implementing a port of
``services/ports.py``: the credit bureau and the business registry over HTTP.

They depend on the domain's types only; the wiring (``services/bootstrap.py``) picks them.
"""

from creditfactory.adapters.bureau_http import HttpCreditBureau
from creditfactory.adapters.external_http import HttpExternalData
from creditfactory.adapters.retrying import RetryPolicy

__all__ = ["HttpCreditBureau", "HttpExternalData", "RetryPolicy"]
