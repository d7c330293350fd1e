"""Reports of a scorecard on a dataset: the figures, an HTML page and an Excel workbook.

>>> from creditfactory.scorecard.report import report_for_card, write_html, write_excel
"""

from creditfactory.scorecard.report._card import card_parameters, report_for_card
from creditfactory.scorecard.report._data import Characteristic, ScorecardReport, build_report
from creditfactory.scorecard.report._excel import write_excel
from creditfactory.scorecard.report._html import render_html, write_html

__all__ = [
    "Characteristic",
    "ScorecardReport",
    "build_report",
    "card_parameters",
    "render_html",
    "report_for_card",
    "write_excel",
    "write_html",
]
