"""Figures that need a simulated world's truth, beside what the platform computes from lending data.

A lender's data has no ``truth`` table, and nothing in ``strategy``, ``fraud``, ``models`` or
``data`` reads it. When a world's truth is at hand, the CLI and the benchmarks ask this
package for the figures only it can give and merge them into their summaries and reports:

- :mod:`.backtest` the fraud each back-tested strategy kept out;
- :mod:`.models` the A-card and reject-inference experiments beside the true-PD ceiling;
- :mod:`.fraud_scan` the fraud scan's recall and precision, by stage, and its channel flags.
- :mod:`.payout_recheck` a world replayed through the live fraud graph and its re-check before
  payout, with the ring recall it reaches by payout.

Each module imports only what its figures need, so the CLI pays for no model it does not run.
"""
