import datetime as dt

import pytest
from django.urls import reverse

from evaluations.models import Rating
from reports.selectors.volume import hall_volume_stats
from tests.reports import NO_QUEUE, make_visit
from tests.windows.factories import (
    HallCalendarDayFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.models import HallCalendarDay, Visit, Zone

pytestmark = pytest.mark.django_db

D = dt.date
NO_MONTHS = {"items": 0, "visits": 0, "mom_change_pct": None, "general_share_pct": None}


@pytest.fixture
def volume(hall_a):
    """Two years of hall A: 2019 (10 items) and 2020 (19 items), hand-counted below."""
    general = WindowFactory(hall=hall_a, number=1, zone=ZoneFactory(hall=hall_a, name="社保通办"))
    specialist = WindowFactory(hall=hall_a, number=2, zone=None)
    # 2019: March 4 items (general), August 6 items (specialist); no ratings.
    make_visit(hall_a, general, D(2019, 3, 5), items=4)
    make_visit(hall_a, specialist, D(2019, 8, 12), items=6)
    # 2020 calendar: a closed Monday, an extra opening Saturday (no visits).
    HallCalendarDayFactory(hall=hall_a, date=D(2020, 3, 2), kind=HallCalendarDay.Kind.CLOSURE)
    HallCalendarDayFactory(hall=hall_a, date=D(2020, 3, 7), kind=HallCalendarDay.Kind.EXTRA_OPENING)
    # March: 4 items, 3 of them at the general window; served on Sunday 8 March.
    make_visit(hall_a, general, D(2020, 3, 8), items=3, level=5)
    make_visit(hall_a, specialist, D(2020, 3, 10), items=1, level=1, reasons=["attitude"])
    # Sunday 15 March: only a no-show, so no business day and no items.
    make_visit(hall_a, general, D(2020, 3, 15), items=2, status=Visit.Status.NO_SHOW)
    # April: 6 items, all general; one rating excluded, one transfer (not counted).
    make_visit(
        hall_a, general, D(2020, 4, 7), items=2, level=2, excluded=Rating.Exclusion.MALICIOUS
    )
    make_visit(hall_a, general, D(2020, 4, 8), items=4)
    make_visit(hall_a, specialist, D(2020, 4, 8), items=1, status=Visit.Status.TRANSFERRED)
    # May: 2 items on 4 May, a statutory holiday: it becomes a business day.
    make_visit(hall_a, specialist, D(2020, 5, 4), items=2, level=4)
    # August: the peak day, 7 items, 6 of them general.
    make_visit(hall_a, general, D(2020, 8, 10), items=5, level=3)
    make_visit(hall_a, general, D(2020, 8, 10), items=1)
    make_visit(hall_a, specialist, D(2020, 8, 10), items=1)
    return hall_a


def month(number: int, **figures) -> dict:
    return {"month": number, **NO_MONTHS, "previous_year_items": 0, **figures}


def test_a_year_with_the_year_before(volume):
    stats = hall_volume_stats(hall=volume, year=2020)

    assert stats == {
        "hall": "HA",
        "year": 2020,
        "items_total": 19,
        "visits_total": 8,
        # 249 state working days - closure 2 March + extra 7 March + Sunday 8 March
        # (completed visits) + 4 May (holiday with completed visits); 15 March not.
        "business_days": 251,
        "daily_average_items": 0.1,
        "previous_year_items_total": 10,
        "yoy_change_pct": 90.0,
        "peak_day": {"date": "2020-08-10", "items": 7},
        "evaluation_rate_pct": 62.5,  # 5 rated of 8
        "satisfaction_rate_pct": 75.0,  # 3 good of 4 (the excluded rating left out)
        "months": [
            month(1),
            month(2),
            month(
                3,
                items=4,
                visits=2,
                previous_year_items=4,
                mom_change_pct=None,  # February had no items
                general_share_pct=75.0,
            ),
            month(4, items=6, visits=2, mom_change_pct=50.0, general_share_pct=100.0),
            month(5, items=2, visits=1, mom_change_pct=-66.67, general_share_pct=0.0),
            month(6, mom_change_pct=-100.0),
            month(7),
            month(8, items=7, visits=3, previous_year_items=6, general_share_pct=85.7),
            month(9, mom_change_pct=-100.0),
            month(10),
            month(11),
            month(12),
        ],
        "queue": NO_QUEUE,
    }


def test_a_year_without_the_year_before(volume):
    stats = hall_volume_stats(hall=volume, year=2019)

    assert stats["items_total"] == 10
    assert stats["visits_total"] == 2
    assert stats["business_days"] == 250
    assert stats["daily_average_items"] == 0.0
    assert stats["previous_year_items_total"] is None
    assert stats["yoy_change_pct"] is None
    assert stats["peak_day"] == {"date": "2019-08-12", "items": 6}
    assert stats["evaluation_rate_pct"] == 0.0
    assert stats["satisfaction_rate_pct"] is None
    assert [m["previous_year_items"] for m in stats["months"]] == [None] * 12
    assert [(m["month"], m["items"], m["mom_change_pct"]) for m in stats["months"]] == [
        (1, 0, None),
        (2, 0, None),
        (3, 4, None),
        (4, 0, -100.0),
        (5, 0, None),
        (6, 0, None),
        (7, 0, None),
        (8, 6, None),
        (9, 0, -100.0),
        (10, 0, None),
        (11, 0, None),
        (12, 0, None),
    ]
    assert [m["general_share_pct"] for m in stats["months"]][2:9] == [
        100.0,
        None,
        None,
        None,
        None,
        0.0,
        None,
    ]


def test_a_year_without_data_after_a_year_with_data(volume):
    stats = hall_volume_stats(hall=volume, year=2021)

    assert stats["items_total"] == 0
    assert stats["visits_total"] == 0
    assert stats["daily_average_items"] == 0.0
    assert stats["previous_year_items_total"] == 19
    assert stats["yoy_change_pct"] == -100.0
    assert stats["peak_day"] is None
    assert stats["evaluation_rate_pct"] is None
    assert stats["satisfaction_rate_pct"] is None
    assert [m["previous_year_items"] for m in stats["months"]] == [
        0, 0, 4, 6, 2, 0, 0, 7, 0, 0, 0, 0
    ]  # fmt: skip


def test_other_halls_are_not_counted(volume, hall_b):
    make_visit(hall_b, WindowFactory(hall=hall_b, number=1), D(2020, 8, 10), items=50)

    stats = hall_volume_stats(hall=volume, year=2020)

    assert stats["items_total"] == 19
    assert stats["peak_day"] == {"date": "2020-08-10", "items": 7}


def test_the_earlier_day_is_the_peak_on_a_tie(hall_a):
    window = WindowFactory(hall=hall_a, number=1)
    make_visit(hall_a, window, D(2020, 6, 2), items=3)
    make_visit(hall_a, window, D(2020, 6, 1), items=3)

    assert hall_volume_stats(hall=hall_a, year=2020)["peak_day"] == {
        "date": "2020-06-01",
        "items": 3,
    }


def test_a_specialist_zone_is_not_general(hall_a):
    zone = ZoneFactory(hall=hall_a, name="专业", kind=Zone.Kind.SPECIALIST)
    make_visit(hall_a, WindowFactory(hall=hall_a, number=1, zone=zone), D(2020, 1, 6), items=2)
    make_visit(hall_a, WindowFactory(hall=hall_a, number=2), D(2020, 1, 6), items=2)

    assert hall_volume_stats(hall=hall_a, year=2020)["months"][0]["general_share_pct"] == 50.0


# The API returns the same object, scoped to the halls a user may see.


def url(code: str = "HA") -> str:
    return reverse("hall-volume-stats", kwargs={"code": code})


def test_a_manager_reads_the_figures_of_their_hall(client, volume, manager_a):
    client.force_login(manager_a)

    response = client.get(url(), {"year": "2020"})

    assert response.status_code == 200
    assert response.json() == hall_volume_stats(hall=volume, year=2020)


def test_a_supervisor_reads_them_too(client, volume):
    client.force_login(make_manager(volume, "sup", role=roles.SUPERVISOR))

    response = client.get(url(), {"year": "2019"})

    assert response.status_code == 200
    assert response.json()["items_total"] == 10


def test_the_manager_of_another_hall_gets_404(client, volume, manager_b):
    client.force_login(manager_b)

    assert client.get(url(), {"year": "2020"}).status_code == 404


def test_an_unknown_hall_is_404(client, volume, manager_a):
    client.force_login(manager_a)

    assert client.get(url("NOPE"), {"year": "2020"}).status_code == 404


def test_window_staff_get_403(client, volume):
    staff = StaffFactory(hall=volume)
    client.force_login(staff.user)

    assert client.get(url(), {"year": "2020"}).status_code == 403


def test_an_anonymous_caller_is_refused(client, volume):
    assert client.get(url(), {"year": "2020"}).status_code in (401, 403)


@pytest.mark.parametrize("query", [{}, {"year": ""}, {"year": "20x0"}, {"year": "1899"}])
def test_a_missing_or_bad_year_is_400(en_client, english, volume, manager_a, query):
    en_client.force_login(manager_a)

    response = en_client.get(url(), query)

    assert response.status_code == 400
    assert response.json() == {"year": ["Give the year as 4 digits from 1900 to 2100."]}
