"""Credit Factory: a data-driven credit factory for unsecured small-business loans."""

__version__ = "0.1.0"
