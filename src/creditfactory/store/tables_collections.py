"""Tables of live collections: each delinquent account's episode, the nightly assignment, the
collectors' teams, contact outcomes, promises to pay, restructure proposals and every action
on a loan's history.

``collections_accounts`` keeps one row per loan that was ever delinquent: its current episode
(first missed day, bucket and the day it entered it, attempts, contacts, promises, partial
payments) and its earlier episodes in two counts, what the C-card and the reason model read.
``collections_assignments`` is the night's work: one row per delinquent loan and business
date (its C-card score and where it came from, the inferred reason with each probability, the
strategy's treatment, the team's and the treatment it got within capacity, priority and
collector); a date is assigned once (``collections_runs``). ``collections_entries`` keeps every
bucket entry the assignment saw (the night an account entered a bucket, or its episode's first
assigned night) with the C-card's inputs that night and the day its episode ended back to
current: the lender's own development sample for the C-card. Money is integer fen or Decimal.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import metadata
from creditfactory.store.types import Money, UTCDateTime

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ENTRY_FEATURES = ("a_pd", "instalment", "prior_episodes", "prior_fast_cures", "paid_share",
                  "first_payment_default", "inflow_ratio", "overdue_elsewhere", "credit_seeking",
                  "late_bills", "industry_change", "instalment_to_inflows",
                  "debt_service_to_inflows", "debt_service_to_revenue", "bucket", "attempts",
                  "reached", "reach_rate", "promises", "kept", "broken", "partials", "cures",
                  "steps_since_cure")
"""The C-card's inputs (:data:`creditfactory.models.ccard.FEATURES`, named here so the store
does not load the model's libraries; the tests hold the two equal): a Float column each in
``collections_entries``, but ``bucket``, the entry's own ``bucket`` column (``M1`` .. ``M6``:
the input is its position, 1 .. 6)."""

ENTRY_EVIDENCE = ("ring_linked",)
"""Evidence of the reason of default kept with each entry that is not a C-card input (the
fraud graph's ring link, :data:`creditfactory.collections.episodes.STATIC_FEATURES`)."""

collections_accounts = sa.Table(
    "collections_accounts",
    metadata,
    sa.Column("loan_id", _BIG, primary_key=True, autoincrement=False),
    sa.Column("bank_code", sa.String(32), nullable=False),
    sa.Column("episode_start", sa.Date, nullable=False),
    sa.Column("episodes", sa.Integer, nullable=False),
    sa.Column("fast_cures", sa.Integer, nullable=False),
    sa.Column("bucket", sa.String(4), nullable=False),
    sa.Column("bucket_since", sa.Date, nullable=False),
    sa.Column("max_dpd", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("reached", sa.Integer, nullable=False),
    sa.Column("promises", sa.Integer, nullable=False),
    sa.Column("kept", sa.Integer, nullable=False),
    sa.Column("broken", sa.Integer, nullable=False),
    sa.Column("broken_in_bucket", sa.Integer, nullable=False),
    sa.Column("partials", sa.Integer, nullable=False),
    sa.Column("received_fen", sa.BigInteger, nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("cured_on", sa.Date, nullable=True),
    sa.Column("last_date", sa.Date, nullable=False),
)

collections_runs = sa.Table(
    "collections_runs",
    metadata,
    sa.Column("business_date", sa.Date, primary_key=True),
    sa.Column("accounts", sa.Integer, nullable=False),
    sa.Column("score_source", sa.String(80), nullable=False),
    sa.Column("strategy", sa.String(80), nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("ran_at", UTCDateTime(), nullable=False),
)

collections_assignments = sa.Table(
    "collections_assignments",
    metadata,
    sa.Column("loan_id", _BIG, primary_key=True, autoincrement=False),
    sa.Column("business_date", sa.Date, primary_key=True),
    sa.Column("bank_code", sa.String(32), nullable=False),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.Column("bucket", sa.String(4), nullable=False),
    sa.Column("balance_fen", sa.BigInteger, nullable=False),
    sa.Column("cure_probability", sa.Float, nullable=False),
    sa.Column("score_source", sa.String(80), nullable=False),
    sa.Column("score_reasons", sa.String(200), nullable=False),
    sa.Column("band", sa.String(1), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("p_oversight", sa.Float, nullable=False),
    sa.Column("p_shortfall", sa.Float, nullable=False),
    sa.Column("p_business_failure", sa.Float, nullable=False),
    sa.Column("p_strategic", sa.Float, nullable=False),
    sa.Column("p_fraud", sa.Float, nullable=False),
    sa.Column("strategy_treatment", sa.String(16), nullable=False),
    sa.Column("treatment", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("team", sa.String(16), nullable=False),
    sa.Column("collector", sa.String(64), nullable=True),
    sa.Column("priority", sa.Float, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Index("ix_collections_assignments_date_team_rank", "business_date", "team", "rank"),
)

collections_entries = sa.Table(
    "collections_entries",
    metadata,
    sa.Column("loan_id", _BIG, primary_key=True, autoincrement=False),
    sa.Column("episode_start", sa.Date, nullable=False),
    sa.Column("bucket", sa.String(4), nullable=False),
    sa.Column("entered_on", sa.Date, primary_key=True),
    *(sa.Column(name, sa.Float, nullable=True) for name in ENTRY_FEATURES if name != "bucket"),
    sa.Column("cured_on", sa.Date, nullable=True),
    *(sa.Column(name, sa.Float, nullable=True) for name in ENTRY_EVIDENCE),
)
"""One row per bucket entry (one a loan and night at most): the C-card's inputs
(:data:`ENTRY_FEATURES`, NULL where the store does not hold one) and the other evidence of
the reason (:data:`ENTRY_EVIDENCE`) as the night's assignment computed them, and ``cured_on``, the day its episode ended back to current (NULL while open or
when it ended otherwise)."""

collections_collectors = sa.Table(
    "collections_collectors",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("team", sa.String(16), nullable=False),
)

collections_contacts = sa.Table(
    "collections_contacts",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("loan_id", _BIG, nullable=False, index=True),
    sa.Column("business_date", sa.Date, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("collector", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)

collections_promises = sa.Table(
    "collections_promises",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("loan_id", _BIG, nullable=False, index=True),
    sa.Column("made_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("received_fen_at", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(8), nullable=False, index=True),
    sa.Column("settled_on", sa.Date, nullable=True),
    sa.Column("collector", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)

collections_restructures = sa.Table(
    "collections_restructures",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("loan_id", _BIG, nullable=False, index=True),
    sa.Column("bank_code", sa.String(32), nullable=False),
    sa.Column("proposed_on", sa.Date, nullable=False),
    sa.Column("principal", Money(), nullable=False),
    sa.Column("term_months", sa.Integer, nullable=False),
    sa.Column("instalment", Money(), nullable=False),
    sa.Column("old_instalment", Money(), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("proposed_at", UTCDateTime(), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("decision_note", sa.String(500), nullable=True),
    sa.Column("effective_on", sa.Date, nullable=True),
    sa.Column("reference", sa.String(64), nullable=True),
)

collections_history = sa.Table(
    "collections_history",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("loan_id", _BIG, nullable=False, index=True),
    sa.Column("business_date", sa.Date, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)
