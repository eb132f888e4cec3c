"""import_visits --create-missing with a hall whose staff are not configured: unknown badges
become badge cards without a login, created once per chunk, counted on a line of their own
before the summary (contracts.md section 2 as amended)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from imports import visits as visits_module
from imports.visits import visits_import
from tests.windows.factories import ServiceItemFactory, StaffFactory, WindowFactory
from windows.models import Staff, Visit

SHARED_DATA = Path(__file__).resolve().parents[1] / "data"  # copies of ../shared/data
HEADER = (
    "hall_code,ticket_no,issued_at,called_at,started_at,finished_at,"
    "window_no,staff_badge,service_codes,status,rating,rated_at\n"
)


def row(ticket: str, badge: str, *, window: int = 1, code: str = "S001") -> str:
    return (
        f"HA,{ticket},2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,"
        f"{window},{badge},{code},completed,,\n"
    )


ROWS = (
    row("A001", "GL013")
    + row("A002", "GL014")
    + row("A003", "GL013")
    + row("A004", "")
    + row("A005", "GL015", code="")  # rejected: its badge is not created
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def bare_hall(hall_a):
    """Hall HA with window 1 and service item S001, and no staff at all."""
    WindowFactory(hall=hall_a, number=1)
    ServiceItemFactory(code="S001")
    return hall_a


def write(tmp_path, text: str, name: str = "visits.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def call(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_visits", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue(), exc.code
    return out.getvalue(), 0


def cards() -> list[tuple]:
    return list(
        Staff.objects.order_by("badge_no").values_list(
            "hall__code", "badge_no", "display_name", "user", "email", "is_active"
        )
    )


def test_without_create_missing_unknown_badges_are_row_errors(tmp_path, bare_hall):
    path = write(tmp_path, HEADER + ROWS)

    output, status = call(str(path))

    assert (output, status) == (
        "row 2: unknown staff badge GL013 of hall HA\n"
        "row 3: unknown staff badge GL014 of hall HA\n"
        "row 4: unknown staff badge GL013 of hall HA\n"
        "row 6: unknown staff badge GL015 of hall HA\n"
        "imported 1, unchanged 0, rejected 4\n",
        1,
    )
    assert cards() == []


def test_create_missing_creates_cards_without_a_login_and_says_how_many(tmp_path, bare_hall):
    path = write(tmp_path, HEADER + ROWS)

    output, status = call(str(path), "--create-missing")

    assert (output, status) == (
        "row 6: missing service codes\n"
        "staff cards created (without a login): 2\n"
        "imported 4, unchanged 0, rejected 1\n",
        1,
    )
    assert cards() == [
        ("HA", "GL013", "GL013", None, "", True),
        ("HA", "GL014", "GL014", None, "", True),
    ]
    assert list(
        Visit.objects.order_by("ticket_no").values_list("ticket_no", "staff__badge_no")
    ) == [("A001", "GL013"), ("A002", "GL014"), ("A003", "GL013"), ("A004", None)]


def test_a_second_import_creates_no_badge_and_prints_no_line(tmp_path, bare_hall):
    call(str(write(tmp_path, HEADER + ROWS)), "--create-missing")
    more = write(tmp_path, HEADER + row("A001", "GL013") + row("A009", "GL014"), "more.csv")

    output, status = call(str(more), "--create-missing")

    assert (output, status) == ("imported 1, unchanged 1, rejected 0\n", 0)
    assert Staff.objects.count() == 2


def test_a_known_badge_is_used_and_not_created_again(tmp_path, bare_hall):
    known = StaffFactory(hall=bare_hall, badge_no="GL013", display_name="张三")

    result = visits_import(
        file=io.BytesIO((HEADER + row("A001", "GL013") + row("A002", "GL099")).encode()),
        filename="visits.csv",
        create_missing=True,
    )

    assert (result.summary, result.created) == (
        "imported 2, unchanged 0, rejected 0",
        {"staff": 1},
    )
    assert Visit.objects.get(ticket_no="A001").staff == known
    assert Staff.objects.get(badge_no="GL099").user is None


def test_the_same_badge_in_two_halls_is_two_cards(tmp_path, bare_hall, hall_b):
    WindowFactory(hall=hall_b, number=1)
    text = HEADER + row("A001", "GL013") + row("A001", "GL013").replace("HA,", "HB,")

    result = visits_import(file=io.BytesIO(text.encode()), filename="v.csv", create_missing=True)

    assert result.created == {"staff": 2}
    assert sorted(Staff.objects.values_list("hall__code", "badge_no")) == [
        ("HA", "GL013"),
        ("HB", "GL013"),
    ]


def test_a_badge_too_long_for_a_card_is_a_row_error(tmp_path, bare_hall):
    badge = "G" * 21

    output, status = call(str(write(tmp_path, HEADER + row("A001", badge))), "--create-missing")

    assert (output, status) == (
        f"row 2: staff badge {badge} is longer than 20 characters\n"
        "imported 0, unchanged 0, rejected 1\n",
        1,
    )
    assert cards() == []


def test_dry_run_counts_the_badges_and_stores_none(tmp_path, bare_hall):
    path = write(tmp_path, HEADER + ROWS)

    output, status = call(str(path), "--create-missing", "--dry-run")

    assert output == (
        "row 6: missing service codes\n"
        "staff cards created (without a login): 2\n"
        "dry run: nothing was saved\n"
        "imported 4, unchanged 0, rejected 1\n"
    )
    assert (status, cards(), Visit.objects.count()) == (1, [], 0)


def test_badges_are_created_with_one_insert_per_chunk(tmp_path, bare_hall, monkeypatch):
    monkeypatch.setattr(visits_module, "CHUNK_SIZE", 3)
    text = HEADER + "".join(row(f"A{n:03d}", f"GL{n % 4:03d}") for n in range(1, 8))
    table = connection.ops.quote_name(Staff._meta.db_table)

    with CaptureQueriesContext(connection) as queries:
        result = visits_import(
            file=io.BytesIO(text.encode()), filename="v.csv", create_missing=True
        )

    inserts = [q["sql"] for q in queries if q["sql"].startswith(f"INSERT INTO {table}")]
    # chunk 1 (GL001-GL003) and chunk 2 (GL000; GL001-GL003 known by then); chunk 3 none
    assert len(inserts) == 2
    assert (result.summary, result.created) == (
        "imported 7, unchanged 0, rejected 0",
        {"staff": 4},
    )


def test_the_admin_upload_says_how_many_cards_it_created(client, manager_a, bare_hall):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(manager_a)
    upload = SimpleUploadedFile("visits.csv", (HEADER + ROWS).encode(), content_type="text/csv")

    response = client.post(
        reverse("admin:windows_visit_import"), {"file": upload, "create_missing": "on"}
    )

    page = response.content.decode()
    assert response.status_code == 200  # a rejected row keeps the page
    assert '<p class="import-note">staff cards created (without a login): 2</p>' in page
    assert Staff.objects.filter(hall=bare_hall, user__isnull=True).count() == 2


def test_the_api_reports_the_cards_it_created(client, manager_a, bare_hall):
    client.force_login(manager_a)
    record = {
        "ticket_no": "A001",
        "issued_at": "2022-01-04 08:30:00",
        "started_at": "2022-01-04 08:41:00",
        "finished_at": "2022-01-04 08:50:00",
        "window_no": "1",
        "staff_badge": "GL013",
        "service_codes": "S001",
        "status": "completed",
    }
    payload = {"hall": "HA", "create_missing": True, "visits": [record]}

    body = client.post(reverse("visit-batch"), payload, content_type="application/json").json()

    assert (body["summary"], body["created"]) == (
        "imported 1, unchanged 0, rejected 0",
        {"staff": 1},
    )


# --- a new hall's history from the shared sample files -----------------------------------


def test_a_new_hall_imports_its_history_with_create_missing(db):
    # given the sample hall's windows and nothing else (no staff configured)
    windows_out = io.StringIO()
    call_command(
        "import_windows",
        str(SHARED_DATA / "sample-windows.csv"),
        "--create-missing",
        stdout=windows_out,
    )
    assert Staff.objects.count() == 0

    # without --create-missing every row is rejected for its badge
    output, status = call(str(SHARED_DATA / "sample-visits-cn.csv"), "--dry-run")
    assert status == 1
    assert output.endswith("imported 0, unchanged 0, rejected 795\n")
    assert output.splitlines()[0] == "row 2: unknown staff badge LH009 of hall LH01"

    # with it the 23 badges become cards without a login
    output, status = call(str(SHARED_DATA / "sample-visits-cn.csv"), "--create-missing")
    lines = output.splitlines()
    assert (status, lines[-1]) == (0, "imported 795, unchanged 0, rejected 0")
    assert "staff cards created (without a login): 23" in lines
    assert Staff.objects.filter(hall__code="LH01", user__isnull=True).count() == 23

    # the next year's file creates none
    output, status = call(str(SHARED_DATA / "sample-visits-en.csv"), "--create-missing")
    assert (status, output.splitlines()[-1]) == (0, "imported 670, unchanged 0, rejected 0")
    assert not any(line.startswith("staff cards created") for line in output.splitlines())
