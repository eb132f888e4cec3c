import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from evaluations.selectors.live import live_figures
from tests.windows.factories import (
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit

pytestmark = pytest.mark.django_db

ME = reverse("results:me")
HALL = reverse("results:hall")
LIVE = reverse("results-live")  # the live block's feed, /api/v1/results/live/
FULL_PHONE = "13812345678"
NO_SHOW = {"status": Visit.Status.NO_SHOW, "finished_at": None}


def rate(visit, level, **extra):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET, **extra
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def zhang(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A01", display_name="张三")


@pytest.fixture
def li(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A02", display_name="李四")


@pytest.fixture
def hall_a_today(hall_a, hall_b, zhang, li, today):
    """Hall A today: window 1 (张三) 2 completed, rated 5 and 2; window 2 (李四) a no-show.

    Hall B has a bad review today too, which hall A's pages never show.
    """
    w1 = WindowFactory(hall=hall_a, number=1, name="1号窗口")
    w2 = WindowFactory(hall=hall_a, number=2, name="2号窗口")
    rate(VisitFactory(hall=hall_a, window=w1, staff=zhang, service_date=today, item_count=2), 5)
    rate(
        VisitFactory(hall=hall_a, window=w1, staff=zhang, service_date=today),
        2,
        reasons=["long_wait"],
        comment="等太久",
        callback_phone=FULL_PHONE,
    )
    VisitFactory(hall=hall_a, window=w2, staff=li, service_date=today, **NO_SHOW)
    rate(VisitFactory(hall=hall_b, service_date=today), 1, callback_phone="13900001111")
    rollups_rebuild()  # the factories write visits and ratings without the services


# --- who may see what ---------------------------------------------------------------


@pytest.mark.parametrize("url", [ME, HALL])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_live_feed_refuses_anonymous_users(en_client, english, hall_a_today):
    response = en_client.get(LIVE, {"hall": "HA"})

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("url", [HALL, f"{HALL}?hall=HA", f"{LIVE}?hall=HA"])
def test_window_staff_may_not_see_a_halls_results(client, zhang, url):
    client.force_login(zhang.user)

    assert client.get(url).status_code == 403


def test_a_user_without_staff_profile_or_permission_is_refused_own_results(client, db):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(ME).status_code == 403
    assert client.get(HALL).status_code == 403


def test_a_manager_asking_for_own_results_goes_to_the_hall_page(client, manager_a):
    client.force_login(manager_a)

    response = client.get(ME)

    assert response.status_code == 302
    assert response.url == HALL


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR])
@pytest.mark.parametrize("url", [f"{HALL}?hall=HA", f"{LIVE}?hall=HA", f"{LIVE}?hall=NOPE"])
def test_another_halls_manager_or_supervisor_gets_404(client, hall_a_today, hall_b, role, url):
    client.force_login(make_manager(hall_b, "other_b", role=role))

    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [({}, "This field is required."), ({"hall": ""}, "This field may not be blank.")],
)
def test_the_live_feed_needs_a_hall(en_client, english, manager_a, query, message):
    en_client.force_login(manager_a)

    response = en_client.get(LIVE, query)

    assert response.status_code == 400
    assert response.json() == {"hall": [message]}


def test_a_supervisor_of_the_hall_sees_its_results(client, hall_a_today, hall_a):
    client.force_login(make_manager(hall_a, "sup_a", role=roles.SUPERVISOR))

    assert client.get(f"{HALL}?hall=HA").status_code == 200
    assert client.get(f"{LIVE}?hall=HA").json()["totals"]["visits"] == 2


def test_a_manager_sees_their_first_hall_by_default(client, hall_a_today, manager_a):
    client.force_login(manager_a)

    response = client.get(HALL)

    assert response.context["hall"].code == "HA"
    assert [h.code for h in response.context["halls"]] == ["HA"]


def test_a_manager_without_halls_is_told_so(en_client, english, db):
    en_client.force_login(UserFactory(username="lonely", role=roles.HALL_MANAGER))

    response = en_client.get(HALL)

    assert response.status_code == 200
    assert "No hall has been granted to your account yet." in response.text


# --- the hall page ------------------------------------------------------------------


def rates(row):
    return row.evaluation_rate_pct, row.satisfaction_rate_pct


def figures(row):
    return (row.visits, row.items, row.rated, row.bad, *rates(row))


def test_hall_page_shows_every_window_and_staff_member_of_today(
    en_client, english, hall_a_today, manager_a
):
    en_client.force_login(manager_a)

    response = en_client.get(HALL, {"hall": "HA"})

    assert response.status_code == 200
    windows = response.context["windows"]
    assert [(w.window.number, *figures(w)) for w in windows] == [
        (1, 2, 3, 2, 1, 100.0, 50.0),
        (2, 0, 0, 0, 0, None, None),
    ]
    staff = response.context["staff_rows"]
    assert [(s.staff.badge_no, *figures(s)) for s in staff] == [
        ("A01", 2, 3, 2, 1, 100.0, 50.0),
        ("A02", 0, 0, 0, 0, None, None),
    ]
    assert figures(response.context["totals"]) == (2, 3, 2, 1, 100.0, 50.0)
    html = response.text
    assert "138****5678" in html
    assert FULL_PHONE not in html
    assert "13900001111" not in html and "139****1111" not in html
    assert "long waiting time" in html
    assert "等太久" in html
    assert 'data-refresh-ms="10000"' in html
    assert 'data-live-url="/api/v1/results/live/?hall=HA"' in html


def test_hall_page_for_a_past_range(en_client, english, hall_a, manager_a):
    window = WindowFactory(hall=hall_a, number=3)
    rate(VisitFactory(hall=hall_a, window=window, service_date=dt.date(2020, 9, 28)), 4)
    VisitFactory(hall=hall_a, window=window, service_date=dt.date(2020, 9, 29))
    VisitFactory(hall=hall_a, window=window, service_date=dt.date(2020, 9, 30))  # outside
    rollups_rebuild()
    en_client.force_login(manager_a)

    response = en_client.get(HALL, {"hall": "HA", "start": "2020-09-28", "end": "2020-09-29"})

    assert [(w.window.number, *figures(w)) for w in response.context["windows"]] == [
        (3, 2, 2, 1, 0, 50.0, 100.0)
    ]
    assert response.context["live"]["totals"]["visits"] == 0


def test_historical_bad_reviews_are_shown_beside_the_bad_reviews_only_when_there_are_some(
    en_client, english, hall_a, zhang, manager_a
):
    window = WindowFactory(hall=hall_a, number=3)
    day = dt.date(2022, 1, 4)
    for level, historical in [(1, True), (2, True), (2, False), (5, False)]:
        visit = VisitFactory(hall=hall_a, window=window, staff=zhang, service_date=day)
        rate(visit, level, historical_followup_skipped=historical)
    VisitFactory(hall=hall_a, window=window, staff=zhang, service_date=dt.date(2022, 1, 5))
    rollups_rebuild()
    en_client.force_login(manager_a)
    note = "incl. 2 historical, not followed up"

    response = en_client.get(HALL, {"hall": "HA", "start": "2022-01-04", "end": "2022-01-05"})
    only_the_5th = en_client.get(HALL, {"hall": "HA", "start": "2022-01-05", "end": "2022-01-05"})
    en_client.force_login(zhang.user)
    own = en_client.get(ME, {"period": "day", "start": "2022-01-04", "end": "2022-01-05"})

    totals = response.context["totals"]
    assert (totals.rated, totals.bad, totals.historical_bad) == (4, 3, 2)
    assert rates(totals) == (80.0, 25.0)
    by_window = response.text.split('id="window-results"')[1]
    window_row = by_window.split('<tr data-window="3">')[1].split("</tr>")[0]
    assert '<td class="text-end fig-bad">3<div class="small text-secondary fig-historical-bad"' in (
        window_row
    )
    assert window_row.count(note) == 1
    assert response.text.count(note) == 3  # the window, its total and the staff member
    assert "fig-historical-bad" not in only_the_5th.text
    day_row = own.text.split('<tr data-period="2022-01-04">')[1].split("</tr>")[0]
    assert note in day_row
    assert own.text.count(note) == 2  # the day and the total


def test_a_window_with_only_no_shows_shows_dashes(en_client, english, hall_a_today, manager_a):
    en_client.force_login(manager_a)

    html = en_client.get(HALL).text

    row = html.split('<tr data-window="2">')[1].split("</tr>")[0]
    assert row.count("—") == 2


def test_todays_windows_are_listed_once(en_client, english, hall_a_today, manager_a):
    """Today's by-window table is the live block's: the period's one is not repeated when
    the period is today, and shown for any other period."""
    en_client.force_login(manager_a)

    today = en_client.get(HALL).text
    yesterday = en_client.get(HALL, {"hall": "HA", "start": "2020-01-01", "end": "2020-01-02"})

    assert today.count('<tr data-window="2">') == 1
    assert 'id="window-results"' not in today
    assert 'id="windows-today-above"' in today
    assert 'id="staff-results"' in today
    assert 'id="window-results"' in yesterday.text
    assert 'id="windows-today-above"' not in yesterday.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "2020-10-02", "end": "2020-10-01"}, "The start date must not be after"),
        ({"start": "2020-02-30"}, "Enter a valid date."),
        ({"start": "2017-01-01", "end": "2020-10-01"}, "at most three years"),
    ],
)
def test_a_bad_range_is_explained(en_client, english, hall_a_today, manager_a, params, error):
    en_client.force_login(manager_a)

    response = en_client.get(HALL, {"hall": "HA", **params})

    assert response.status_code == 200
    assert error in response.text
    assert "windows" not in response.context


def _figures(visits, items, rated, good, bad, evaluation, satisfaction):
    return {
        "visits": visits,
        "items": items,
        "rated": rated,
        "good": good,
        "bad": bad,
        "excluded": 0,
        "evaluation_rate_pct": evaluation,
        "satisfaction_rate_pct": satisfaction,
    }


def test_the_live_feed_has_todays_figures_and_masked_bad_reviews(
    en_client, english, hall_a_today, hall_a, manager_a, today
):
    en_client.force_login(manager_a)
    bad_rating = Rating.objects.get(visit__hall=hall_a, level=2)

    response = en_client.get(LIVE, {"hall": "HA"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    data = response.json()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", data.pop("updated_at"))
    assert data == {
        "hall": "HA",
        "date": today.isoformat(),
        "totals": _figures(2, 3, 2, 1, 1, 100.0, 50.0),
        "windows": [
            {"number": 1, "name": "1号窗口", **_figures(2, 3, 2, 1, 1, 100.0, 50.0)},
            {"number": 2, "name": "2号窗口", **_figures(0, 0, 0, 0, 0, None, None)},
        ],
        "bad_reviews": [
            {
                "id": bad_rating.pk,
                "time": "09:38",
                "window_number": 1,
                "window_name": "1号窗口",
                "staff_name": "张三",
                "badge_no": "A01",
                "level": 2,
                "level_label": "dissatisfied",
                "reasons": ["long waiting time"],
                "comment": "等太久",
                "phone": "138****5678",
            }
        ],
    }
    assert FULL_PHONE not in response.content.decode()


def test_the_live_feed_is_the_selectors_json_key_for_key(
    en_client, english, hall_a_today, hall_a, manager_a
):
    """What results.js read from live.json, in the same order: the page's script is unchanged."""
    en_client.force_login(manager_a)

    served = json.loads(en_client.get(LIVE, {"hall": "HA"}).content)
    expected = json.loads(json.dumps(live_figures(hall=hall_a)))

    served.pop("updated_at"), expected.pop("updated_at")
    assert served == expected
    assert list(served) == ["hall", "date", "totals", "windows", "bad_reviews"]
    assert [list(window) for window in served["windows"]] == [list(w) for w in expected["windows"]]
    assert list(served["bad_reviews"][0]) == list(expected["bad_reviews"][0])


# --- a staff member's own results ---------------------------------------------------


@pytest.fixture
def zhang_history(hall_a, zhang, li):
    """张三: Mon 28 Sep 2020 2 completed (rated 5, 1); Thu 1 Oct a no-show; Mon 5 Oct 1 rated 3.

    李四 has visits on the same days, which 张三 never sees.
    """
    window = WindowFactory(hall=hall_a, number=1)
    at = {"hall": hall_a, "window": window}
    rate(VisitFactory(**at, staff=zhang, service_date=dt.date(2020, 9, 28)), 5)
    rate(VisitFactory(**at, staff=zhang, service_date=dt.date(2020, 9, 28), item_count=3), 1)
    VisitFactory(**at, staff=zhang, service_date=dt.date(2020, 10, 1), **NO_SHOW)
    rate(VisitFactory(**at, staff=zhang, service_date=dt.date(2020, 10, 5)), 3, comment="还行")
    rate(VisitFactory(**at, staff=li, service_date=dt.date(2020, 9, 28)), 1, comment="李四的")
    rate(VisitFactory(**at, staff=li, service_date=dt.date(2020, 10, 5)), 2)
    rollups_rebuild()  # the factories write visits and ratings without the services


RANGE = {"start": "2020-09-28", "end": "2020-10-05"}


def periods(response):
    return [
        (r.period_start, r.visits, r.items, r.rated, *rates(r)) for r in response.context["rows"]
    ]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (
            "day",
            [
                (dt.date(2020, 9, 28), 2, 4, 2, 100.0, 50.0),
                (dt.date(2020, 10, 1), 0, 0, 0, None, None),
                (dt.date(2020, 10, 5), 1, 1, 1, 100.0, 100.0),
            ],
        ),
        (
            "week",
            [
                (dt.date(2020, 9, 28), 2, 4, 2, 100.0, 50.0),
                (dt.date(2020, 10, 5), 1, 1, 1, 100.0, 100.0),
            ],
        ),
        (
            "month",
            [
                (dt.date(2020, 9, 1), 2, 4, 2, 100.0, 50.0),
                (dt.date(2020, 10, 1), 1, 1, 1, 100.0, 100.0),
            ],
        ),
    ],
)
def test_staff_see_their_own_figures_by_period(
    en_client, english, zhang_history, zhang, period, expected
):
    en_client.force_login(zhang.user)

    response = en_client.get(ME, {"period": period, **RANGE})

    assert response.status_code == 200
    assert periods(response) == expected
    totals = response.context["totals"]
    assert (totals.visits, totals.rated, totals.good, totals.no_shows) == (3, 3, 2, 1)
    assert [r.comment for r, _reasons in response.context["ratings"]] == ["还行", "", ""]


def test_a_staff_parameter_cannot_show_another_staff_members_results(
    en_client, english, zhang_history, zhang, li
):
    en_client.force_login(zhang.user)

    response = en_client.get(ME, {"staff": li.pk, "staff_id": li.pk, **RANGE})

    assert response.context["staff"] == zhang
    assert response.context["totals"].visits == 3
    assert "李四的" not in response.text


def test_a_day_with_only_no_shows_shows_dashes_for_rates(en_client, english, zhang_history, zhang):
    en_client.force_login(zhang.user)

    html = en_client.get(ME, {"period": "day", **RANGE}).text

    row = html.split('<tr data-period="2020-10-01">')[1].split("</tr>")[0]
    assert row.count("—") == 2


@pytest.mark.parametrize(
    ("period", "days_back"),
    [("", 29), ("day", 29), ("week", None), ("month", None)],
)
def test_default_ranges_end_today(client, zhang, today, period, days_back):
    client.force_login(zhang.user)

    response = client.get(ME, {"period": period} if period else {})

    context = response.context
    assert context["end"] == today
    if period == "week":
        assert context["start"].weekday() == 0
        assert (today - context["start"]).days // 7 == 11
    elif period == "month":
        assert context["start"].day == 1
        months = (today.year - context["start"].year) * 12 + today.month - context["start"].month
        assert months == 11
    else:
        assert context["period"] == "day"
        assert context["start"] == today - dt.timedelta(days=days_back)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "2020-10-05", "end": "2020-09-28"}, "The start date must not be after"),
        ({"period": "year"}, "Select a valid choice. year is not one of the available choices."),
        ({"end": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_staff_members_bad_filter_is_explained(en_client, english, zhang, params, error):
    en_client.force_login(zhang.user)

    response = en_client.get(ME, params)

    assert response.status_code == 200
    assert error in response.text
    assert "rows" not in response.context


def test_staff_ratings_list_pages(client, hall_a, zhang):
    window = WindowFactory(hall=hall_a, number=1)
    day = dt.date(2020, 9, 28)
    for _ in range(51):
        rate(VisitFactory(hall=hall_a, window=window, staff=zhang, service_date=day), 5)
    client.force_login(zhang.user)

    first = client.get(ME, {"start": "2020-09-28", "end": "2020-09-28"})
    second = client.get(ME, {"start": "2020-09-28", "end": "2020-09-28", "page": 2})

    assert len(first.context["ratings"]) == 50
    assert len(second.context["ratings"]) == 1
