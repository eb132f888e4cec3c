"""`manage.py annual_review` (contracts.md section 6): exit 0, or 1 with a one-line reason."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from evaluations.rollups import rollups_rebuild
from tests.windows.factories import VisitFactory, WindowFactory


@pytest.fixture
def hall_with_2020(hall_a):
    window = WindowFactory(hall=hall_a, number=3)
    VisitFactory(hall=hall_a, window=window, service_date=dt.date(2020, 8, 10), item_count=4)
    rollups_rebuild()  # the factories write visits and ratings without the services
    return hall_a


def test_writes_the_workbook(hall_with_2020, tmp_path):
    path = tmp_path / "review.xlsx"
    stdout = io.StringIO()

    call_command(
        "annual_review", "--hall", "HA", "--year", "2020", "--output", str(path), stdout=stdout
    )

    assert stdout.getvalue() == f"Wrote the 2020 annual review of hall HA to {path}.\n"
    sheet = load_workbook(path)["汇总"]
    assert sheet["B4"].value == 0
    assert sheet["B11"].value == 4  # August


@pytest.mark.parametrize(
    ("hall", "year", "message"),
    [
        ("NOPE", "2020", "Unknown hall: NOPE"),
        ("HA", "2019", "No visits of hall HA in 2019."),
        ("HA", "20x0", "Bad year: '20x0' (expected four digits, e.g. 2020)."),
        ("HA", "99", "Bad year: '99' (expected four digits, e.g. 2020)."),
        ("HA", "0000", "Bad year: '0000' (expected four digits, e.g. 2020)."),
    ],
)
def test_bad_input_exits_1_with_a_reason(hall_with_2020, tmp_path, hall, year, message):
    path = tmp_path / "review.xlsx"

    with pytest.raises(CommandError) as error:
        call_command("annual_review", "--hall", hall, "--year", year, "--output", str(path))

    assert str(error.value) == message
    assert error.value.returncode == 1
    assert not path.exists()


def test_an_unwritable_path_exits_1(hall_with_2020, tmp_path):
    path = tmp_path / "missing" / "review.xlsx"

    with pytest.raises(CommandError) as error:
        call_command("annual_review", "--hall", "HA", "--year", "2020", "--output", str(path))

    assert str(error.value) == (f"Cannot write {path}: no such directory or it is a directory.")
    assert error.value.returncode == 1
    assert not path.parent.exists()


def test_a_directory_as_output_exits_1(hall_with_2020, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("annual_review", "--hall", "HA", "--year", "2020", "--output", str(tmp_path))

    assert str(error.value) == (f"Cannot write {tmp_path}: no such directory or it is a directory.")
