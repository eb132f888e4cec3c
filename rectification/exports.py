"""The rectification checklist as a printable workbook, shaped like the source's
《社会保障综合服务大厅满意度提升13项工作措施完成进度清单》.

A checklist has tens of measures, not thousands, and the printed list needs a merged
title row, borders on every cell and wrapped text, so the sheet is written in openpyxl's
normal mode (write-only mode cannot merge cells). Headers and status labels are data
of the printed list, in Chinese whatever the user's language. Every cell is made by
windows.workbook_cells, so text typed by users is written as text, never as a formula.
"""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from rectification.models import Measure, RectificationChecklist
from rectification.selectors import days_overdue
from windows.rules.hall_time import hall_localdate, hall_localtime
from windows.workbook_cells import row as cells_row
from windows.workbook_print import fit_row_height, print_as_list

# (header, column width)
CHECKLIST_COLUMNS = (
    ("序号", 6),
    ("整改措施", 36),
    ("责任部门", 16),
    ("责任人", 10),
    ("整改时限", 12),
    ("完成情况", 10),
    ("进度", 8),
    ("超期天数", 10),
    ("佐证材料", 36),
    ("验收人", 10),
    ("验收时间", 17),
)
STATUS_LABELS = {
    Measure.Status.NOT_STARTED: "未开始",
    Measure.Status.IN_PROGRESS: "推进中",
    Measure.Status.DONE: "已完成",
    Measure.Status.VERIFIED: "已验收",
}
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTERED = Alignment(wrap_text=True, vertical="center", horizontal="center")


def checklist_filename(checklist: RectificationChecklist) -> str:
    return f"rectification-{checklist.pk}-{hall_localdate(checklist.hall):%Y%m%d}.xlsx"


def _person(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or user.get_username()


def checklist_rows(checklist: RectificationChecklist, *, today: date) -> list[tuple]:
    hall = checklist.hall
    measures = checklist.measures.select_related(
        "responsible_department",
        "responsible_person__staff_profile",
        "verified_by__staff_profile",
    ).order_by("order", "pk")
    return [
        (
            number,
            measure.title,
            measure.responsible_department.name if measure.responsible_department else "",
            _person(measure.responsible_person),
            measure.deadline.strftime("%Y-%m-%d"),
            STATUS_LABELS[measure.status],
            f"{measure.progress_pct}%",
            days_overdue(measure=measure, today=today),
            measure.evidence_notes,
            _person(measure.verified_by),
            hall_localtime(hall, measure.verified_at).strftime("%Y-%m-%d %H:%M")
            if measure.verified_at
            else "",
        )
        for number, measure in enumerate(measures, start=1)
    ]


def write_checklist_xlsx(
    checklist: RectificationChecklist, output: BinaryIO, *, today: date | None = None
) -> int:
    """Write one checklist as a printable sheet to output; return the number of measures."""
    today = today or hall_localdate(checklist.hall)
    rows = checklist_rows(checklist, today=today)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改清单"
    last_column = get_column_letter(len(CHECKLIST_COLUMNS))

    sheet.append(cells_row(sheet, [checklist.title]))
    sheet.merge_cells(f"A1:{last_column}1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = CENTERED
    sheet.row_dimensions[1].height = 30

    sheet.append(cells_row(sheet, [header for header, _width in CHECKLIST_COLUMNS]))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = CENTERED
        cell.border = BORDER
    for row in rows:
        sheet.append(cells_row(sheet, row))
        fit_row_height(
            sheet,
            sheet.max_row,
            [(value, width) for value, (_h, width) in zip(row, CHECKLIST_COLUMNS, strict=True)],
        )
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            cell.border = BORDER
            cell.alignment = WRAP if index in (2, 9) else CENTERED

    for index, (_header, width) in enumerate(CHECKLIST_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    print_as_list(sheet, header_rows=2)
    workbook.save(output)
    return len(rows)
