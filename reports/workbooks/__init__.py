"""Excel workbooks of the reports app: the annual review and the bulletins (issue 5, item 3).

Every workbook is written in openpyxl's write-only mode, so the detail sheets stream
from the database however many visits there are; the summary sheets with their native
charts are write-only sheets too, because a workbook is either write-only or not.
"""

from .annual import write_annual_review
from .bulletin import write_bulletin_workbook

__all__ = ["write_annual_review", "write_bulletin_workbook"]
