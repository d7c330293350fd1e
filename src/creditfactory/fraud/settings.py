"""The HMAC key that turns phones, IDs and addresses into link keys.

Read from ``CREDITFACTORY_SECRET_KEY``; a visible development default keeps tests and demos
working, and is refused when ``CREDITFACTORY_ENV=production`` so real data is never hashed
with a key that is published in the source.
"""

from __future__ import annotations

import os

from creditfactory.fraud.errors import UnsafeSecretKey

DEV_SECRET_KEY = "creditfactory-dev-only-not-secret"


def secret_key() -> bytes:
    """The HMAC key for identity hashing, refusing the dev default in production."""
    value = os.environ.get("CREDITFACTORY_SECRET_KEY", "")
    production = os.environ.get("CREDITFACTORY_ENV", "development").lower() == "production"
    if production and (not value or value == DEV_SECRET_KEY):
        raise UnsafeSecretKey(
            "CREDITFACTORY_SECRET_KEY must be set to a private value when CREDITFACTORY_ENV=production"
        )
    return (value or DEV_SECRET_KEY).encode()
