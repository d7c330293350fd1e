"""The behaviour scorecard (B-card): each month, on every active loan, the chance of more than
90 days past due within the next six months.

Contract (what ``creditfactory.monitoring`` codes against)
----------------------------------------------------------
Features (:mod:`creditfactory.models.bcard_features`)::

    X = build_features(loans, monthly, transactions, signals=None, industry_index=None)

one row per active loan-month (status current or delinquent, not yet more than 90 DPD),
index-free columns ``loan_id``, ``month`` (month-end ``datetime64``) then the features
(``FEATURES``). Point in time: a row of month *m* uses only the tables' rows of months ≤ *m*
(transactions posted on or before *m*'s end), so appending later months never changes it.
``label_bad(monthly, X)`` gives the target (1 = more than 90 DPD in months *m+1..m+6*, NaN
when the window is not yet observed).

Model::

    card = BehaviourScorecard(objective="logistic")      # or "divergence", or "lightgbm"
    card.fit(X, y)                                       # X as above (keys ignored), y 0/1
    card.score(X)      -> ndarray of points (higher = safer; scorecards only, the challenger
                          maps its PD onto the same scale)
    card.predict_proba(X)[:, 1]  -> PD of 90+ within six months
    card.reasons(X, n=4)         -> Series of ";"-joined reason codes (feature names, worst first)
    card.version_                -> "bcard-<objective>-<sha of the fitted parameters>[:12]"
    card.to_dict() / BehaviourScorecard.from_dict(d)     -> JSON-safe model file

    score_book(card, X) -> DataFrame(loan_id, month, score, pd, reasons)   # bscore.parquet

``fit_bcard(loans, monthly, transactions, signals, industry_index, train_until=...)`` builds
the development sample (loan-months whose six-month window closed before ``train_until``) and
fits a card. Platform data only: the world's truth is never read.
"""

from __future__ import annotations
