"""Exports of a fitted card for other systems: a SQL SELECT and a PMML 4.4 Scorecard.

>>> from creditfactory.scorecard.export import pmml_document, sql_select
"""

from creditfactory.scorecard.export._pmml import PMML_NAMESPACE, pmml_document
from creditfactory.scorecard.export._sql import sql_score_expression, sql_select

__all__ = ["PMML_NAMESPACE", "pmml_document", "sql_score_expression", "sql_select"]
