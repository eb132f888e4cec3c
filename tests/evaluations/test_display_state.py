"""The big screen's state (evaluations.display.selectors): calls, waiting, today's rates."""

import datetime as dt

import pytest

from evaluations.display.selectors import announcement, display_state, display_state_etag
from tests.evaluations.display_factories import queue_hall, serve
from tests.windows.factories import SHANGHAI, WindowFactory
from windows.live import window_touch
from windows.models import Hall, QueueCall
from windows.queue.services import ticket_call_next, ticket_issue, ticket_recall

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def queue(hall_a):
    return queue_hall(hall_a, now=at(8, 30))


def call_ids() -> list[int]:
    return list(QueueCall.objects.order_by("-pk").values_list("pk", flat=True))


def test_the_state_lists_the_calls_the_waiting_and_todays_rates(hall_a, queue):
    category, sessions = queue
    for minute in range(6):
        ticket_issue(category=category, now=at(9, minute))
    serve(sessions[7], called=at(9, 10), finished=at(9, 15), level=5)  # A001
    serve(sessions[7], called=at(9, 16), finished=at(9, 20), level=1)  # A002, a bad review
    serve(sessions[7], called=at(9, 21), finished=at(9, 25))  # A003, not rated
    a004 = ticket_call_next(session=sessions[5], now=at(9, 30))
    ticket_call_next(session=sessions[7], now=at(9, 31))  # A005
    ticket_recall(session=sessions[5], visit=a004, now=at(9, 32))

    state = display_state(hall=hall_a, now=at(9, 33))

    ids = call_ids()
    assert state == {
        "hall": "甲大厅",
        "date": "2026-03-02",
        "calling": [
            {"ticket_no": "A004", "window": 5, "window_name": "社保通办5号窗口", "time": "09:32"},
            {"ticket_no": "A005", "window": 7, "window_name": "社保通办7号窗口", "time": "09:31"},
        ],
        "calls": [
            {
                "id": ids[0],
                "kind": "recall",
                "ticket_no": "A004",
                "window": 5,
                "time": "09:32",
                "announcement": "请A004号到5号窗口办理",
            },
            {
                "id": ids[1],
                "kind": "call",
                "ticket_no": "A005",
                "window": 7,
                "time": "09:31",
                "announcement": "请A005号到7号窗口办理",
            },
            {
                "id": ids[2],
                "kind": "call",
                "ticket_no": "A004",
                "window": 5,
                "time": "09:30",
                "announcement": "请A004号到5号窗口办理",
            },
            {
                "id": ids[3],
                "kind": "call",
                "ticket_no": "A003",
                "window": 7,
                "time": "09:21",
                "announcement": "请A003号到7号窗口办理",
            },
            {
                "id": ids[4],
                "kind": "call",
                "ticket_no": "A002",
                "window": 7,
                "time": "09:16",
                "announcement": "请A002号到7号窗口办理",
            },
            {
                "id": ids[5],
                "kind": "call",
                "ticket_no": "A001",
                "window": 7,
                "time": "09:10",
                "announcement": "请A001号到7号窗口办理",
            },
        ],
        "waiting": [{"prefix": "A", "name": "社保通办", "waiting": 1}],
        "waiting_total": 1,
        "ratings": [
            {
                "window": 5,
                "name": "社保通办5号窗口",
                "visits": 0,
                "evaluation_rate": "—",
                "satisfaction_rate": "—",
            },
            {
                "window": 7,
                "name": "社保通办7号窗口",
                "visits": 3,
                "evaluation_rate": "66.67%",
                "satisfaction_rate": "50.00%",
            },
        ],
        "supervision_phone": "",
    }


def test_a_started_ticket_is_no_longer_called_and_a_full_rating_shows_100_percent(hall_a, queue):
    category, sessions = queue
    ticket_issue(category=category, now=at(9, 0))
    ticket_issue(category=category, now=at(9, 1))
    ticket_issue(category=category, now=at(9, 2))
    serve(sessions[5], called=at(9, 5), finished=at(9, 9), level=4)  # A001
    serve(sessions[7], called=at(9, 10))  # A002, in service
    called = ticket_call_next(session=sessions[5], now=at(9, 11))  # A003

    state = display_state(hall=hall_a, now=at(9, 12))

    assert state["calling"] == [
        {
            "ticket_no": called.ticket_no,
            "window": 5,
            "window_name": "社保通办5号窗口",
            "time": "09:11",
        }
    ]
    assert called.ticket_no == "A003"
    assert [
        (r["window"], r["visits"], r["evaluation_rate"], r["satisfaction_rate"])
        for r in state["ratings"]
    ] == [
        (5, 1, "100.00%", "100.00%"),
        (7, 0, "—", "—"),
    ]
    assert (state["waiting"], state["waiting_total"]) == (
        [{"prefix": "A", "name": "社保通办", "waiting": 0}],
        0,
    )


def test_nothing_is_called_yet(hall_a, queue):
    category, _sessions = queue
    ticket_issue(category=category, now=at(9, 0))

    state = display_state(hall=hall_a, now=at(9, 1))

    assert (state["calling"], state["calls"], state["waiting_total"]) == ([], [], 1)


def test_a_hall_that_discloses_no_ratings_sends_none(hall_a, queue):
    Hall.objects.filter(pk=hall_a.pk).update(display_shows_ratings=False, supervision_phone="12345")
    hall_a.refresh_from_db()

    state = display_state(hall=hall_a, now=at(9, 0))

    assert (state["ratings"], state["supervision_phone"]) == (None, "12345")


def test_another_halls_tickets_and_windows_never_show(hall_a, hall_b, queue):
    category_b, sessions_b = queue_hall(hall_b, numbers=(5, 9), now=at(8, 30))
    ticket_issue(category=category_b, now=at(9, 0))
    ticket_issue(category=category_b, now=at(9, 1))
    ticket_call_next(session=sessions_b[9], now=at(9, 2))
    category_a, _sessions = queue
    ticket_issue(category=category_a, now=at(9, 3))

    state = display_state(hall=hall_a, now=at(9, 4))

    assert (state["hall"], state["calling"], state["calls"]) == ("甲大厅", [], [])
    assert state["waiting"] == [{"prefix": "A", "name": "社保通办", "waiting": 1}]
    assert [row["window"] for row in state["ratings"]] == [5, 7]


def test_yesterdays_calls_and_tickets_are_gone_the_next_day(hall_a, queue):
    category, sessions = queue
    ticket_issue(category=category, now=at(16, 0, day=1))
    ticket_call_next(session=sessions[5], now=at(16, 1, day=1))
    ticket_issue(category=category, now=at(16, 2, day=1))

    state = display_state(hall=hall_a, now=at(8, 0))

    assert (state["date"], state["calling"], state["calls"], state["waiting_total"]) == (
        "2026-03-02",
        [],
        [],
        0,
    )


def test_the_announcement_is_mandarin():
    assert announcement(ticket_no="A012", window_number=5) == "请A012号到5号窗口办理"


def test_the_etag_moves_with_the_queue_the_windows_and_the_settings(hall_a, queue):
    category, sessions = queue
    now = at(9, 0, 1)

    def etag():
        return display_state_etag(hall_id=hall_a.pk, now=now)

    first = etag()
    assert etag() == first
    ticket_issue(category=category, now=at(9, 0))
    after_issue = etag()
    window_touch(sessions[5].window_id)  # a rating, a finished visit, a sign-in
    after_touch = etag()
    Hall.objects.filter(pk=hall_a.pk).update(display_shows_ratings=False)
    after_setting = etag()
    WindowFactory(hall=hall_a, number=9)
    after_window = etag()

    assert len({first, after_issue, after_touch, after_setting, after_window}) == 5
    hall_a.refresh_from_db()
    windows = hall_a.windows.order_by("pk")
    assert after_window == (
        f'W/"{hall_a.pk}.1.3.3.{windows.last().pk}.0.{int(now.timestamp()) // 10}"'
    )
    assert display_state_etag(hall_id=hall_a.pk, now=now + dt.timedelta(seconds=10)) != after_window


def test_the_etag_is_one_query(hall_a, queue, django_assert_num_queries):
    with django_assert_num_queries(1):
        display_state_etag(hall_id=hall_a.pk, now=at(9, 0))
