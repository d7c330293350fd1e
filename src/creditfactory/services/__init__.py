"""The service layer: one function per use case, called by the API and the CLI alike.

Each write runs in a unit of work that owns its transaction; decisions come through the
``DecisionService`` port (``ports.py``), wired to ``creditfactory.strategy`` in
``strategy_setup.py``.
"""
