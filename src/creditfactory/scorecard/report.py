"""Reports of a scorecard on a dataset: the figures, an HTML page and an Excel workbook.

>>> from creditfactory.scorecard.report import report_for_card, write_html, write_excel
"""

from creditfactory.scorecard._report_card import card_parameters, report_for_card
from creditfactory.scorecard._report_data import Characteristic, ScorecardReport, build_report
from creditfactory.scorecard._report_excel import write_excel
from creditfactory.scorecard._report_html import render_html, write_html

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
