"""The service layer: one function per use case, called by the API and the CLI alike.

Each write runs in a unit of work that owns its transaction; a decision goes through the
typed ports of ``ports.py`` (the live fraud graph, the models, the strategy) in the order
``decision_pipeline.py`` names, wired once per process in ``bootstrap.py``.
"""
