"""Excel exports of the hall's windows, its staff and the service-item catalogue.

The windows sheet has exactly the columns of the windows import (contracts.md section
4) and the staff sheet those of the staff import (section 4a), so an exported file
imports back unchanged. Workbooks are written in openpyxl's
write-only mode, row by row, however many rows there are; every cell through
windows.workbook_cells, so names typed by users are written as text, never as formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from windows import workbook_cells
from windows.models import ServiceItem, Staff, Window
from windows.workbook_print import print_as_list

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPECIALIST_ZONE = "专业"
SERVICE_CODE_SEPARATOR = ";"
CHUNK_SIZE = 2000

# (header, column width) in the order of the windows import.
WINDOW_COLUMNS = (
    ("大厅编码", 12),
    ("大厅名称", 28),
    ("窗口号", 8),
    ("窗口名称", 28),
    ("片区", 14),
    ("进驻部门", 20),
    ("业务编码", 40),
)
# (header, column width) in the order of the staff import.
STAFF_COLUMNS = (
    ("大厅编码", 12),
    ("工号", 12),
    ("姓名", 14),
    ("部门", 20),
    ("职务", 16),
    ("邮箱", 30),
    ("在岗", 8),
    ("登录名", 16),
)
SERVICE_ITEM_COLUMNS = (
    ("业务编码", 14),
    ("事项名称", 36),
    ("类别", 16),
    ("办理方式", 12),
    ("承诺时限（工作日）", 18),
    ("一次性告知材料", 60),
    ("是否公开", 10),
)
HANDLING_LABELS = {
    ServiceItem.Handling.ON_THE_SPOT: "即办件",
    ServiceItem.Handling.TIME_LIMITED: "限时办结",
}


def export_filename(prefix: str) -> str:
    """A dated file name such as windows-20261125.xlsx (the hall's local day)."""
    return f"{prefix}-{timezone.localdate():%Y%m%d}.xlsx"


def write_windows_xlsx(windows: QuerySet[Window], output: BinaryIO) -> int:
    """Write the windows (already scoped by the caller) to output; return the row count."""
    windows = (
        windows.select_related("hall", "zone", "department")
        .prefetch_related(
            Prefetch("service_items", queryset=ServiceItem.objects.order_by("code").only("code"))
        )
        .order_by("hall__code", "number")
    )
    rows = (
        (
            window.hall.code,
            window.hall.name,
            window.number,
            window.name,
            SPECIALIST_ZONE if window.is_specialist else window.zone.name,
            window.department.name if window.department_id else "",
            SERVICE_CODE_SEPARATOR.join(item.code for item in window.service_items.all()),
        )
        for window in windows.iterator(chunk_size=CHUNK_SIZE)
    )
    return _write_sheet(output, title="窗口", columns=WINDOW_COLUMNS, rows=rows)


def write_staff_xlsx(staff: QuerySet[Staff], output: BinaryIO) -> int:
    """Write the staff members (already scoped by the caller) to output; return the row
    count. A card without a login has an empty 登录名."""
    staff = staff.select_related("hall", "department", "user").order_by("hall__code", "badge_no")
    rows = (
        (
            member.hall.code,
            member.badge_no,
            member.display_name,
            member.department.name if member.department_id else "",
            member.job_title,
            member.email,
            "是" if member.is_active else "否",
            member.user.get_username() if member.user_id else "",
        )
        for member in staff.iterator(chunk_size=CHUNK_SIZE)
    )
    return _write_sheet(output, title="工作人员", columns=STAFF_COLUMNS, rows=rows)


def write_service_items_xlsx(items: QuerySet[ServiceItem], output: BinaryIO) -> int:
    """Write the service items to output; return the row count."""
    rows = (
        (
            item.code,
            item.name,
            item.category,
            HANDLING_LABELS.get(item.handling, item.handling),
            item.promised_working_days,
            "\n".join(item.materials_list),
            "是" if item.is_published else "否",
        )
        for item in items.order_by("code").iterator(chunk_size=CHUNK_SIZE)
    )
    return _write_sheet(output, title="经办事项", columns=SERVICE_ITEM_COLUMNS, rows=rows)


def _write_sheet(
    output: BinaryIO,
    *,
    title: str,
    columns: tuple[tuple[str, int], ...],
    rows: Iterable[tuple],
) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    print_as_list(sheet)  # as wide as an A4 page, the header row on every page
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(list(_header_cells(sheet, columns)))
    count = 0
    for row in rows:
        sheet.append(workbook_cells.row(sheet, row))
        count += 1
    workbook.save(output)
    return count


def _header_cells(sheet, columns: tuple[tuple[str, int], ...]) -> Iterator[WriteOnlyCell]:
    bold = Font(bold=True)
    for header, _width in columns:
        yield workbook_cells.cell(sheet, header, font=bold)
