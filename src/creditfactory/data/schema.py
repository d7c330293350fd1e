"""The columns of every lending table, with their Arrow types.

This is the contract between the simulator, a lender's own data and every part that
consumes them. Money columns are ``decimal128(14, 2)`` (CNY to the fen); the loader can
hand them to analytics as float64 when asked (``money="float"``), never to money arithmetic.
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(14, 2)

CHANNELS = pa.schema(
    [
        ("channel_id", pa.string()),  # AG..., PA..., IM... by type
        ("channel_type", pa.string()),  # agent_app | partner | intermediary
        ("branch", pa.string()),
        ("city", pa.string()),
        ("deposit", MONEY),  # 0 unless intermediary
        ("onboarded_at", pa.timestamp("ms")),
    ]
)

APPLICATIONS = pa.schema(
    [
        ("application_id", pa.int64()),
        ("applied_at", pa.timestamp("ms")),  # non-decreasing down the table
        ("channel_id", pa.string()),
        ("branch", pa.string()),
        ("city", pa.string()),
        ("product_requested", pa.string()),
        ("amount", MONEY),
        ("term_months", pa.int16()),
        ("purpose", pa.string()),
        ("resident_id", pa.string()),
        ("name", pa.string()),
        ("phone", pa.string()),
        ("age", pa.int16()),
        ("gender", pa.string()),  # M | F
        ("education", pa.string()),
        ("marital_status", pa.string()),
        ("years_in_city", pa.int16()),
        ("home_ownership", pa.string()),
        ("business_name", pa.string()),
        ("uscc", pa.string()),
        ("industry", pa.string()),  # GB/T 4754 section letter or division code, e.g. "F52"
        ("years_in_business", pa.int16()),
        ("employees", pa.int32()),
        ("premises", pa.string()),
        ("declared_monthly_revenue", MONEY),
        ("bureau_cards", pa.int16()),
        ("bureau_utilisation", pa.float64()),  # 0..1.5
        ("bureau_loans", pa.int16()),
        ("bureau_debt", MONEY),
        ("overdue_count_6m", pa.int16()),
        ("overdue_count_12m", pa.int16()),
        ("overdue_count_24m", pa.int16()),
        ("max_dpd_ever", pa.int16()),
        ("inquiries_1m", pa.int16()),
        ("inquiries_3m", pa.int16()),
        ("inquiries_6m", pa.int16()),
        ("has_mortgage", pa.bool_()),
        ("has_car_loan", pa.bool_()),
        ("has_insurance_policy", pa.bool_()),
        ("insurance_annual_premium", MONEY),
        ("device_id", pa.string()),
        ("ip", pa.string()),
        ("contact_phones", pa.string()),  # three phones joined with ","
        ("bank_card", pa.string()),
        ("home_address", pa.string()),
        ("business_address", pa.string()),
    ]
)

PERFORMANCE = pa.schema(
    [
        ("application_id", pa.int64()),
        ("mob", pa.int16()),  # 1 = the month of the first instalment
        ("month", pa.date32()),  # first day of the calendar month
        ("due", MONEY),  # the instalment scheduled that month
        ("paid", MONEY),  # everything received that month (arrears, prepayment, recovery)
        ("dpd", pa.int16()),  # at the month's end
        ("balance", MONEY),  # principal outstanding at the month's end
        ("status", pa.string()),  # current|delinquent|prepaid|paid_off|written_off|recovered
    ]
)

TRUTH = pa.schema(
    [
        ("application_id", pa.int64()),
        ("pd", pa.float64()),
        ("is_fraud", pa.bool_()),  # ring or impersonation: no intent to repay
        ("fraud_type", pa.string()),  # ring | impersonation | packaged | "" (none)
        ("ring_id", pa.int32()),  # -1 when not in a ring
        ("packaged", pa.bool_()),  # the intermediary falsified this application
        ("true_monthly_revenue", MONEY),
        ("hidden_debt", MONEY),
        ("default_reason", pa.string()),  # unable | unwilling | "" (never defaulted)
    ]
)

TABLES: dict[str, pa.Schema] = {
    "channels": CHANNELS,
    "applications": APPLICATIONS,
    "performance": PERFORMANCE,
    "truth": TRUTH,
}
OPTIONAL_TABLES = frozenset({"truth"})  # a simulated world's ground truth, for evaluation only

PERFORMANCE_STATUSES = ("current", "delinquent", "prepaid", "paid_off", "written_off", "recovered")
CHANNEL_TYPES = ("agent_app", "partner", "intermediary")
FRAUD_TYPES = ("ring", "impersonation", "packaged")
