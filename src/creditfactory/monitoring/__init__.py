"""Post-loan early warning: the monthly monitoring of the book (vintages, roll rates, stability,
alerts) and the industry default outlook, computed from the lending data contract's portfolio
tables whether they come from a portfolio run or from the store."""

from creditfactory.monitoring.figures import early_delinquency, mix, roll_rates, vintages
from creditfactory.monitoring.frame import BUCKETS, CLASSES, DIMENSIONS, MonitoringBook, prepare
from creditfactory.monitoring.job import MonitoringResult, ScoreSample, metrics_table, run_monthly
from creditfactory.monitoring.outlook import industry_outlook
from creditfactory.monitoring.rules import DEFAULT_RULES, Rule, evaluate, load_rules
from creditfactory.monitoring.stability import monthly_csi, monthly_psi, psi_of_shares

__all__ = [
    "BUCKETS",
    "CLASSES",
    "DEFAULT_RULES",
    "DIMENSIONS",
    "MonitoringBook",
    "MonitoringResult",
    "Rule",
    "ScoreSample",
    "early_delinquency",
    "evaluate",
    "industry_outlook",
    "load_rules",
    "metrics_table",
    "mix",
    "monthly_csi",
    "monthly_psi",
    "prepare",
    "psi_of_shares",
    "roll_rates",
    "run_monthly",
    "vintages",
]
