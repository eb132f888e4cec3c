"""A bulletin agrees with itself: its bad-review count, its hall row and its bad-review list
use one rule (evaluations.rules) for every kind; its cases are counted as the dashboard does."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.services import BAD_REVIEWS_LISTED, bulletin_build
from tests.reports.test_bulletins import MONDAY, make_period_data, pages, rate, urlpatterns
from tests.windows.factories import SHANGHAI, VisitFactory

pytestmark = pytest.mark.django_db

__all__ = ["urlpatterns"]  # the bulletin pages, mounted as test_bulletins mounts them

OCTOBER_1 = dt.date(2020, 10, 1)


def excluded_bad_review(hall, window):
    """A level-1 rating judged malicious at 预审: rated, neither good nor bad."""
    rating = rate(VisitFactory(hall=hall, window=window, service_date=MONDAY), 1)
    rating.excluded = Rating.Exclusion.MALICIOUS
    rating.save()
    rollups_rebuild()  # the factories write visits and ratings without the services
    return rating


def sheet_rows(bulletin, title: str = "汇总") -> list[list]:
    with bulletin.workbook.open("rb") as stored:
        sheet = openpyxl.load_workbook(io.BytesIO(stored.read()))[title]
    return [[cell.value for cell in row] for row in sheet.iter_rows(max_col=6)]


def section(bulletin, title: str) -> list[list]:
    """The header and rows of an extra section: its own sheet, named and titled by it."""
    rows = sheet_rows(bulletin, title)
    assert rows[0] == [title, None, None, None, None, None]
    return rows[1:]


@pytest.mark.parametrize(
    ("kind", "evaluation_rate_pct"),
    [("daily", 100.0), ("weekly", 80.0), ("monthly", 80.0)],  # Wednesday's visit is unrated
)
def test_the_count_the_hall_row_and_the_list_agree_and_leave_out_excluded_ratings(
    english, hall_a, kind, evaluation_rate_pct
):
    window_1, _ = make_period_data(hall_a)
    excluded_bad_review(hall_a, window_1)

    bulletin = bulletin_build(hall=hall_a, kind=kind, day=MONDAY)

    figures = bulletin.figures
    assert figures["bad_reviews"]["count"] == figures["hall"]["bad_reviews"] == 1
    assert figures["bad_reviews"]["excluded"] == figures["hall"]["excluded_ratings"] == 1
    assert [(r["window_name"], r["level"]) for r in figures["bad_reviews"]["rows"]] == [
        ("1号窗口", 1)
    ]
    assert figures["bad_reviews"]["more"] == 0
    assert figures["hall"]["evaluation_rate_pct"] == evaluation_rate_pct  # the excluded is rated
    assert figures["hall"]["satisfaction_rate_pct"] == 66.67  # 2 good of 4 - 1 excluded


def test_the_monthly_workbook_lists_its_bad_reviews(english, hall_a):
    make_period_data(hall_a)

    bulletin = bulletin_build(hall=hall_a, kind="monthly", day=MONDAY)

    assert ["差评数", 1, None, None, None, None] in sheet_rows(bulletin)
    assert section(bulletin, "Bad reviews") == [
        ["Rated at", "Window", "Staff member", "Level", "Reasons", "Comment"],
        ["2020-09-28 09:38", "1号窗口", "甲", "very dissatisfied", None, None],
    ]
    assert section(bulletin, "Cases")[1][:3] == [1, 0, 1]  # bad reviews, excluded, received


def test_a_long_list_shows_the_first_50_and_how_many_more(english, hall_a):
    window_1, _ = make_period_data(hall_a)
    for day in (dt.date(2020, 9, 2), dt.date(2020, 9, 3)):
        for _n in range(26):
            rate(VisitFactory(hall=hall_a, window=window_1, service_date=day), 2)
    rollups_rebuild()

    bulletin = bulletin_build(hall=hall_a, kind="monthly", day=MONDAY)

    reviews = bulletin.figures["bad_reviews"]
    assert (reviews["count"], len(reviews["rows"]), reviews["more"]) == (53, BAD_REVIEWS_LISTED, 3)
    assert reviews["rows"][0]["rated_at"] == "2020-09-28 09:38"  # newest first
    listed = section(bulletin, "Bad reviews")
    assert len(listed) == 1 + 50 + 1
    assert listed[-1] == ["and 3 more", None, None, None, None, None]


@pages
def test_the_page_lists_a_monthly_bulletins_bad_reviews(en_client, english, hall_a, manager_a):
    window_1, _ = make_period_data(hall_a)
    excluded_bad_review(hall_a, window_1)
    for _n in range(BAD_REVIEWS_LISTED + 2):
        rate(VisitFactory(hall=hall_a, window=window_1, service_date=dt.date(2020, 9, 2)), 2)
    rollups_rebuild()
    bulletin = bulletin_build(hall=hall_a, kind="monthly", day=MONDAY)
    en_client.force_login(manager_a)

    html = en_client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()

    assert '<div class="fs-4" id="sum-bad-reviews">53</div>' in html
    assert "1 rating excluded (malicious or mistaken)" in html
    assert html.count('<tr><td class="text-nowrap">') == BAD_REVIEWS_LISTED
    assert '<p class="small text-secondary" id="bad-reviews-more">and 3 more</p>' in html


def closed_case(hall, *, received_at, closed_at, status=Complaint.Status.CLOSED):
    return Complaint.objects.create(
        hall=hall,
        channel="hotline",
        received_at=received_at,
        due_date=received_at.date() + dt.timedelta(days=5),
        status=status,
        closed_at=closed_at,
        verdict=Complaint.Verdict.UNSUBSTANTIATED,
        callback_result=Complaint.CallbackResult.SATISFIED,
    )


def test_cases_received_and_closed_in_the_period_as_the_dashboard_counts_them(hall_a):
    make_period_data(hall_a)  # one case received on Monday 28 September, open
    closed_case(
        hall_a,
        received_at=dt.datetime(2020, 8, 20, 9, tzinfo=SHANGHAI),
        closed_at=dt.datetime(2020, 9, 10, 9, tzinfo=SHANGHAI),
    )
    # closed in September, then reopened after its callback: not closed now
    closed_case(
        hall_a,
        received_at=dt.datetime(2020, 9, 1, 9, tzinfo=SHANGHAI),
        closed_at=dt.datetime(2020, 9, 15, 9, tzinfo=SHANGHAI),
        status=Complaint.Status.IN_PROGRESS,
    )
    # received on 30 September 23:30 in Shanghai (15:30 UTC), closed on 1 October 00:30
    closed_case(
        hall_a,
        received_at=dt.datetime(2020, 9, 30, 23, 30, tzinfo=SHANGHAI),
        closed_at=dt.datetime(2020, 10, 1, 0, 30, tzinfo=SHANGHAI),
    )

    september = bulletin_build(hall=hall_a, kind="monthly", day=MONDAY)
    VisitFactory(hall=hall_a, service_date=OCTOBER_1)
    october = bulletin_build(hall=hall_a, kind="monthly", day=OCTOBER_1)

    assert september.figures["cases"] == {"received": 3, "closed": 1}
    assert october.figures["cases"] == {"received": 0, "closed": 1}
