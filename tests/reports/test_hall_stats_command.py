import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.reports import NO_QUEUE, make_visit
from tests.windows.factories import WindowFactory, ZoneFactory

pytestmark = pytest.mark.django_db

D = dt.date


def empty_month(number: int) -> dict:
    return {
        "month": number,
        "items": 0,
        "visits": 0,
        "previous_year_items": 0,
        "mom_change_pct": None,
        "general_share_pct": None,
    }


@pytest.fixture
def hall(hall_a):
    general = WindowFactory(hall=hall_a, number=1, zone=ZoneFactory(hall=hall_a, name="医保通办"))
    specialist = WindowFactory(hall=hall_a, number=2, zone=None)
    make_visit(hall_a, general, D(2020, 12, 1), items=5)
    make_visit(hall_a, general, D(2021, 1, 4), items=3, level=5)
    make_visit(hall_a, specialist, D(2021, 1, 5), items=1, level=2)
    make_visit(hall_a, general, D(2021, 2, 1), items=2)
    return hall_a


def run(*args: str) -> str:
    out = StringIO()
    call_command("hall_stats", *args, stdout=out)
    return out.getvalue()


def test_the_json_object_of_a_year(hall):
    stats = json.loads(run("--hall", "HA", "--year", "2021", "--json"))

    assert stats == {
        "hall": "HA",
        "year": 2021,
        "items_total": 6,
        "visits_total": 3,
        "business_days": 250,  # the state calendar of 2021
        "daily_average_items": 0.0,
        "previous_year_items_total": 5,
        "yoy_change_pct": 20.0,
        "peak_day": {"date": "2021-01-04", "items": 3},
        "evaluation_rate_pct": 66.67,
        "satisfaction_rate_pct": 50.0,
        "months": [
            {
                "month": 1,
                "items": 4,
                "visits": 2,
                "previous_year_items": 0,
                "mom_change_pct": None,
                "general_share_pct": 75.0,
            },
            {
                "month": 2,
                "items": 2,
                "visits": 1,
                "previous_year_items": 0,
                "mom_change_pct": -50.0,
                "general_share_pct": 100.0,
            },
            {**empty_month(3), "mom_change_pct": -100.0},
            *(empty_month(number) for number in range(4, 12)),
            {**empty_month(12), "previous_year_items": 5},
        ],
        "queue": NO_QUEUE,
    }


def test_the_json_keeps_chinese_text_readable(hall):
    assert run("--hall", "HA", "--year", "2021", "--json").startswith('{"hall": "HA", "year": 2021')


def test_the_table(hall):
    output = run("--hall", "HA", "--year", "2021")

    assert "办件量 items: 6" in output
    assert "峰值日 peak day: 2021-01-04 3" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hall", "NOPE", "--year", "2021"], "Unknown hall: NOPE"),
        (["--hall", "HA", "--year", "20x1"], "Bad year 20x1: give 4 digits from 1900 to 2100."),
        (["--hall", "HA", "--year", "3000"], "Bad year 3000: give 4 digits from 1900 to 2100."),
    ],
)
def test_an_unknown_hall_or_a_bad_year_is_refused(hall, args, message):
    with translation.override("en"), pytest.raises(CommandError, match=f"^{message}$"):
        run(*args)


def test_the_command_exits_1_with_one_line(hall, capsys):
    with translation.override("en"), pytest.raises(SystemExit) as exit_info:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "hall_stats", "--hall", "NOPE", "--year", "2021"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "CommandError: Unknown hall: NOPE\n"
