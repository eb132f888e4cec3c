"""The managers' dashboard: who may see it, its page and its two API feeds."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.selectors.dashboard import dashboard_data, today_figures
from reports.selectors.trends import monthly_rate_trends
from tests.windows.factories import (
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit, Zone

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:dashboard")
DATA = reverse("dashboard-year")  # /api/v1/dashboard/year/
TODAY = reverse("dashboard-today")  # /api/v1/dashboard/today/
NO_SHOW = {"status": Visit.Status.NO_SHOW, "finished_at": None}


def rate(visit, level):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET
    )


@pytest.fixture
def year_2020(hall_a, hall_b):
    """Hall A in 2020, with one visit in 2019; hall B's visit never counts for hall A.

    2019-03-04 general window: 4 items.
    2020-01-06 general window: 3 items rated 5, 1 item rated 2 (a day of 4 items).
    2020-01-07 specialist window: 2 items, unrated.
    2020-03-02 general window: 5 items rated 4, and a no-show.
    """
    general = WindowFactory(
        hall=hall_a, number=1, zone=ZoneFactory(hall=hall_a, kind=Zone.Kind.GENERAL)
    )
    specialist = WindowFactory(
        hall=hall_a, number=2, zone=ZoneFactory(hall=hall_a, kind=Zone.Kind.SPECIALIST)
    )
    VisitFactory(hall=hall_a, window=general, service_date=dt.date(2019, 3, 4), item_count=4)
    jan6 = dt.date(2020, 1, 6)
    rate(VisitFactory(hall=hall_a, window=general, service_date=jan6, item_count=3), 5)
    rate(VisitFactory(hall=hall_a, window=general, service_date=jan6, item_count=1), 2)
    VisitFactory(hall=hall_a, window=specialist, service_date=dt.date(2020, 1, 7), item_count=2)
    mar2 = dt.date(2020, 3, 2)
    rate(VisitFactory(hall=hall_a, window=general, service_date=mar2, item_count=5), 4)
    VisitFactory(hall=hall_a, window=general, service_date=mar2, **NO_SHOW)
    VisitFactory(hall=hall_b, service_date=jan6, item_count=9)
    rollups_rebuild()  # the factories write visits and ratings without the services


@pytest.fixture
def today_visits(hall_a, hall_b):
    """Today in hall A: 2 completed visits (3 items) rated 5 and 1, and a no-show."""
    today = timezone.localdate()
    window = WindowFactory(hall=hall_a, number=1)
    rate(VisitFactory(hall=hall_a, window=window, service_date=today, item_count=2), 5)
    rate(VisitFactory(hall=hall_a, window=window, service_date=today, item_count=1), 1)
    VisitFactory(hall=hall_a, window=window, service_date=today, **NO_SHOW)
    VisitFactory(hall=hall_b, service_date=today, item_count=7)
    rollups_rebuild()  # the factories write visits and ratings without the services
    return today


# --- who may see what ---------------------------------------------------------------

URLS = [PAGE, f"{PAGE}?hall=HA", f"{DATA}?hall=HA&year=2020", f"{TODAY}?hall=HA"]
FEEDS = URLS[2:]


@pytest.mark.parametrize("url", URLS[:2])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", FEEDS)
def test_the_feeds_refuse_anonymous_users(en_client, english, hall_a, url):
    response = en_client.get(url)

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("url", URLS)
def test_window_staff_are_refused(client, hall_a, url):
    staff = StaffFactory(hall=hall_a)
    client.force_login(staff.user)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS[1:])
def test_another_halls_manager_gets_not_found(client, hall_a, manager_b, url):
    client.force_login(manager_b)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"{DATA}?hall=NOPE", f"{TODAY}?hall=NOPE", f"{TODAY}?hall=HB"])
def test_the_feeds_need_one_of_the_users_halls(client, manager_a, hall_b, url):
    client.force_login(manager_a)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [DATA, TODAY])
@pytest.mark.parametrize(
    ("query", "message"),
    [({}, "This field is required."), ({"hall": ""}, "This field may not be blank.")],
)
def test_the_feeds_say_the_hall_is_missing(en_client, english, manager_a, url, query, message):
    en_client.force_login(manager_a)

    response = en_client.get(url, {**query, "year": "2020"})

    assert response.status_code == 400
    assert response.json() == {"hall": [message]}


@pytest.mark.parametrize("url", URLS)
def test_a_supervisor_of_the_hall_may_view(client, hall_a, year_2020, url):
    client.force_login(make_manager(hall_a, "jiandu", role=roles.SUPERVISOR))

    assert client.get(url).status_code == 200


def test_a_manager_without_halls_is_told_so(en_client, db):
    en_client.force_login(UserFactory(username="lonely", role=roles.HALL_MANAGER))

    response = en_client.get(PAGE)

    assert response.status_code == 200
    assert response.context["hall"] is None
    assert "No hall has been granted to your account yet." in response.content.decode()
    assert b"chart.umd.min.js" not in response.content


BAD_YEARS = ["abc", "1999", "9999", "99999", "-1", "+2020", " 2020", "2020.5", "２０２０"]


@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_bad_year_is_refused_with_the_reason(en_client, manager_a, year):
    en_client.force_login(manager_a)

    page = en_client.get(PAGE, {"hall": "HA", "year": year})
    feed = en_client.get(DATA, {"hall": "HA", "year": year})

    reason = f"The year must be a number from 2000 to {timezone.localdate().year}."
    assert (page.status_code, page.content.decode()) == (400, reason)
    assert (feed.status_code, feed.json()) == (400, {"year": [reason]})


@pytest.mark.parametrize("year", ["", "2000"])
def test_a_blank_or_the_first_year_is_accepted(client, manager_a, year):
    client.force_login(manager_a)

    response = client.get(DATA, {"hall": "HA", "year": year})

    assert response.status_code == 200
    assert response.json()["year"] == (int(year) if year else timezone.localdate().year)


# --- the page -----------------------------------------------------------------------


def test_the_page_defaults_to_the_first_hall_and_this_year(client, manager_a, year_2020):
    client.force_login(manager_a)

    response = client.get(PAGE)

    this_year = timezone.localdate().year
    assert response.status_code == 200
    assert response.context["hall"].code == "HA"
    assert response.context["year"] == this_year
    assert response.context["years"] == sorted({this_year, 2020, 2019}, reverse=True)
    html = response.content.decode()
    assert f'data-data-url="/api/v1/dashboard/year/?hall=HA&amp;year={this_year}"' in html
    assert 'data-today-url="/api/v1/dashboard/today/?hall=HA"' in html
    assert 'data-refresh-ms="30000"' in html
    for canvas in ("chart-months", "chart-share", "chart-daily", "chart-rates"):
        assert f'<canvas id="{canvas}"' in html


def test_the_page_serves_chartjs_from_its_own_static_files_and_no_external_url(
    client, manager_a, year_2020
):
    client.force_login(manager_a)

    html = client.get(PAGE, {"hall": "HA", "year": "2020"}).content.decode()

    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/reports/dashboard.js" defer></script>' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in re.sub(r"<!--.*?-->", "", html).replace("://", "")
    assert '<option value="2020" selected>2020</option>' in html


def test_the_vendored_chart_library_is_a_static_file():
    path = finders.find("vendor/chartjs/chart.umd.min.js")

    assert path is not None
    assert Path(path).read_text(encoding="utf-8").splitlines()[1] == " * Chart.js v4.6.1"


# --- the year's data (the former data.json) -----------------------------------------


def _month(month, items=0, previous=0, share=None, evaluation=None, satisfaction=None):
    return {
        "month": month,
        "items": items,
        "previous_year_items": previous,
        "general_share_pct": share,
        "evaluation_rate_pct": evaluation,
        "satisfaction_rate_pct": satisfaction,
    }


def test_the_years_data_on_hand_built_visits(client, manager_a, year_2020):
    client.force_login(manager_a)

    response = client.get(DATA, {"hall": "HA", "year": "2020"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    items_by_day = {"2020-01-06": 4, "2020-01-07": 2, "2020-03-02": 5}
    every_day = [dt.date(2020, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    assert response.json() == {
        "hall": "HA",
        "hall_name": "甲大厅",
        "year": 2020,
        "totals": {
            "items_total": 11,
            "previous_year_items_total": 4,
            "yoy_change_pct": 175.0,
            "evaluation_rate_pct": 75.0,
            "satisfaction_rate_pct": 66.67,
            "peak_day": {"date": "2020-03-02", "items": 5},
        },
        "months": [
            _month(1, items=6, previous=0, share=66.7, evaluation=66.67, satisfaction=50.0),
            _month(2),
            _month(3, items=5, previous=4, share=100.0, evaluation=100.0, satisfaction=100.0),
            *[_month(month) for month in range(4, 13)],
        ],
        "daily": {
            "start": "2020-01-01",
            "end": "2020-12-31",
            "days": [
                {"date": day.isoformat(), "items": items_by_day.get(day.isoformat(), 0)}
                for day in every_day
            ],
            "peak_days": [
                {"date": "2020-03-02", "items": 5},
                {"date": "2020-01-06", "items": 4},
                {"date": "2020-01-07", "items": 2},
            ],
        },
    }


def _ordered(value):
    """The JSON's keys in order, all the way down (json.loads keeps the order served)."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


@pytest.mark.parametrize("year", ["2020", "2019", ""])
def test_the_years_feed_is_the_selectors_json_key_for_key(
    client, manager_a, hall_a, year_2020, year
):
    """What dashboard.js read from data.json, in the same order: the script is unchanged."""
    client.force_login(manager_a)
    today = timezone.localdate()

    served = json.loads(client.get(DATA, {"hall": "HA", "year": year}).content)

    expected = dashboard_data(hall=hall_a, year=int(year) if year else today.year, today=today)
    assert _ordered(served) == _ordered(json.loads(json.dumps(expected)))


def test_the_today_feed_is_the_selectors_json_key_for_key(client, manager_a, hall_a, today_visits):
    client.force_login(manager_a)

    served = json.loads(client.get(TODAY, {"hall": "HA"}).content)

    expected = json.loads(json.dumps(today_figures(hall=hall_a)))
    served.pop("updated_at"), expected.pop("updated_at")
    assert _ordered(served) == _ordered(expected)


def test_a_year_without_a_year_before_has_no_previous_figures(client, manager_a, year_2020):
    client.force_login(manager_a)

    data = client.get(DATA, {"hall": "HA", "year": "2019"}).json()

    assert data["totals"]["previous_year_items_total"] is None
    assert data["totals"]["yoy_change_pct"] is None
    assert [month["previous_year_items"] for month in data["months"]] == [None] * 12
    assert [month["items"] for month in data["months"]] == [0, 0, 4, *[0] * 9]
    assert data["daily"]["peak_days"] == [{"date": "2019-03-04", "items": 4}]
    assert len(data["daily"]["days"]) == 365


def test_this_years_daily_series_is_the_last_90_days(client, manager_a, today_visits):
    client.force_login(manager_a)

    data = client.get(DATA, {"hall": "HA"}).json()

    first = today_visits - dt.timedelta(days=89)
    assert data["year"] == today_visits.year
    assert data["daily"]["start"] == first.isoformat()
    assert data["daily"]["end"] == today_visits.isoformat()
    assert [day["date"] for day in data["daily"]["days"]] == [
        (first + dt.timedelta(days=n)).isoformat() for n in range(90)
    ]
    assert data["daily"]["days"][-1] == {"date": today_visits.isoformat(), "items": 3}
    assert data["daily"]["peak_days"] == [{"date": today_visits.isoformat(), "items": 3}]


def test_monthly_rate_trends_are_twelve_months_computed_in_the_database(hall_a, year_2020):
    trends = monthly_rate_trends(hall=hall_a, year=2020)

    assert [row.month for row in trends] == list(range(1, 13))
    assert [(row.visits, row.rated, row.good, row.no_shows) for row in trends[:3]] == [
        (3, 2, 1, 0),
        (0, 0, 0, 0),
        (1, 1, 1, 1),
    ]
    assert [row.evaluation_rate_pct for row in trends[:3]] == [66.67, None, 100.0]
    assert [row.satisfaction_rate_pct for row in trends[:3]] == [50.0, None, 100.0]


# --- today's figures (the former today.json) ----------------------------------------


def test_todays_figures(client, manager_a, today_visits):
    client.force_login(manager_a)

    response = client.get(TODAY, {"hall": "HA"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    data = response.json()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", data.pop("updated_at"))
    assert data == {
        "hall": "HA",
        "date": today_visits.isoformat(),
        "visits": 2,
        "items": 3,
        "evaluation_rate_pct": 100.0,
        "satisfaction_rate_pct": 50.0,
    }


def test_the_page_shows_todays_tiles(client, manager_a, today_visits):
    client.force_login(manager_a)

    html = client.get(PAGE).content.decode()

    assert '<dd class="fs-3 mb-0" data-today="visits">2</dd>' in html
    assert '<dd class="fs-3 mb-0" data-today="items">3</dd>' in html
    assert 'data-today="evaluation_rate_pct" data-pct>100.00%</dd>' in html
    assert 'data-today="satisfaction_rate_pct" data-pct>50.00%</dd>' in html
