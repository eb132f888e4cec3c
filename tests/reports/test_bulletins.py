"""Bulletins: period arithmetic, building (and rebuilding) one row per period, the pages."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import include, path, reverse
from django.utils import translation

import hall.urls
from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.models import Bulletin, BulletinDelivery, BulletinRecipient
from reports.periods import period_of, scheduled_day
from reports.services import BulletinNoData, bulletin_build
from tests.windows.factories import (
    SHANGHAI,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit

MONDAY = dt.date(2020, 9, 28)
WEDNESDAY = dt.date(2020, 9, 30)

# Until hall/urls.py includes reports.bulletin_urls, the pages tests mount it themselves.
_namespaces = {getattr(p, "namespace", None) for p in hall.urls.urlpatterns}
urlpatterns = (
    list(hall.urls.urlpatterns)
    if "bulletins" in _namespaces
    else [path("bulletins/", include("reports.bulletin_urls")), *hall.urls.urlpatterns]
)


def rate(visit, level):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET
    )


def make_period_data(hall):
    """Monday 2020-09-28: window 1 (staff 甲) 2 visits, 3 items, rated 5 and 1; window 2
    (staff 乙) 1 visit rated 4 and one no-show. Wednesday: one more visit at window 2."""
    window_1 = WindowFactory(hall=hall, number=1, name="1号窗口")
    window_2 = WindowFactory(hall=hall, number=2, name="2号窗口")
    staff_1 = StaffFactory(hall=hall, badge_no="B0001", display_name="甲")
    staff_2 = StaffFactory(hall=hall, badge_no="B0002", display_name="乙")
    good = VisitFactory(hall=hall, window=window_1, staff=staff_1, service_date=MONDAY)
    bad = VisitFactory(hall=hall, window=window_1, staff=staff_1, service_date=MONDAY, item_count=2)
    other = VisitFactory(hall=hall, window=window_2, staff=staff_2, service_date=MONDAY)
    VisitFactory(
        hall=hall,
        window=window_2,
        staff=staff_2,
        service_date=MONDAY,
        status=Visit.Status.NO_SHOW,
        finished_at=None,
    )
    VisitFactory(hall=hall, window=window_2, staff=staff_2, service_date=WEDNESDAY)
    rate(good, 5)
    rate(bad, 1)
    rate(other, 4)
    rollups_rebuild()  # the factories write visits and ratings without the services
    Complaint.objects.create(
        hall=hall,
        channel="hotline",
        received_at=dt.datetime(2020, 9, 28, 10, 0, tzinfo=SHANGHAI),
        due_date=dt.date(2020, 9, 29),
    )
    return window_1, window_2


# -- period arithmetic ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        ("daily", dt.date(2024, 2, 29), dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
        ("weekly", dt.date(2024, 2, 29), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        ("weekly", dt.date(2024, 2, 26), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        ("weekly", dt.date(2024, 3, 3), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        ("weekly", dt.date(2025, 1, 1), dt.date(2024, 12, 30), dt.date(2025, 1, 5)),
        ("monthly", dt.date(2024, 2, 10), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("monthly", dt.date(2023, 2, 28), dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("monthly", dt.date(2024, 12, 31), dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
    ],
)
def test_the_period_containing_a_day(kind, day, start, end):
    period = period_of(kind=kind, day=day)

    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown bulletin kind 'yearly'"):
        period_of(kind="yearly", day=MONDAY)


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("daily", dt.date(2024, 3, 4), dt.date(2024, 3, 4)),
        ("weekly", dt.date(2024, 3, 4), dt.date(2024, 2, 26)),  # a Monday: last week
        ("monthly", dt.date(2024, 3, 1), dt.date(2024, 2, 29)),  # the 1st: last month
        ("monthly", dt.date(2025, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_the_scheduled_job_builds_today_last_week_or_last_month(kind, today, expected):
    assert scheduled_day(kind=kind, today=today) == expected


# -- building ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_daily_bulletin_has_the_days_figures(hall_a, hall_b):
    make_period_data(hall_a)
    VisitFactory(hall=hall_b, service_date=MONDAY)

    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)

    assert (bulletin.kind, bulletin.period_start, bulletin.period_end) == ("daily", MONDAY, MONDAY)
    figures = bulletin.figures
    assert (figures["hall"]["visits"], figures["hall"]["items"]) == (3, 4)
    assert figures["hall"]["satisfaction_rate_pct"] == 66.67
    assert [(r["label"], r["visits"], r["items"]) for r in figures["windows"]] == [
        ("1号窗口", 2, 3),
        ("2号窗口", 1, 1),
    ]
    assert [(r["label"], r["satisfaction_rate_pct"]) for r in figures["staff"]] == [
        ("甲", 50.0),
        ("乙", 100.0),
    ]
    assert figures["rankings"]["windows_by_items"] == [
        {"rank": 1, "label": "1号窗口", "items": 3},
        {"rank": 2, "label": "2号窗口", "items": 1},
    ]
    assert [r["label"] for r in figures["rankings"]["staff_by_satisfaction"]] == ["乙", "甲"]
    assert figures["bad_reviews"]["count"] == 1
    assert [(r["window_name"], r["level"]) for r in figures["bad_reviews"]["rows"]] == [
        ("1号窗口", 1)
    ]
    assert figures["cases"] == {"received": 1, "closed": 0}
    assert figures["questionnaires"] == [
        {
            "week_start": "2020-09-28",
            "week_end": "2020-10-04",
            "count": 0,
            "quota": 50,
            "progress_pct": 0,
            "below_quota": False,
        }
    ]
    assert "rectification" not in figures


@pytest.mark.django_db
def test_the_workbook_is_an_xlsx_with_the_extra_sections(hall_a):
    make_period_data(hall_a)

    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)

    with bulletin.workbook.open("rb") as stored:
        workbook = openpyxl.load_workbook(io.BytesIO(stored.read()))
    assert workbook.sheetnames[0] == "汇总"
    assert re.fullmatch(
        r"bulletins/HA/daily/bulletin-HA-daily-20200928(_\w+)?\.xlsx", bulletin.workbook.name
    )


@pytest.mark.django_db
def test_building_twice_rebuilds_the_one_bulletin(hall_a):
    make_period_data(hall_a)
    first = bulletin_build(hall=hall_a, kind="weekly", day=MONDAY)
    VisitFactory(hall=hall_a, window=first.hall.windows.get(number=1), service_date=WEDNESDAY)
    rollups_rebuild()

    second = bulletin_build(hall=hall_a, kind="weekly", day=WEDNESDAY)

    assert Bulletin.objects.count() == 1
    assert second.pk == first.pk
    assert (second.period_start, second.period_end) == (MONDAY, dt.date(2020, 10, 4))
    assert second.figures["hall"]["visits"] == 5
    assert second.built_at >= first.built_at


@pytest.mark.django_db
def test_a_monthly_bulletin_adds_rectification_and_inspections(hall_a):
    make_period_data(hall_a)

    bulletin = bulletin_build(hall=hall_a, kind="monthly", day=MONDAY)

    assert (bulletin.period_start, bulletin.period_end) == (
        dt.date(2020, 9, 1),
        dt.date(2020, 9, 30),
    )
    assert bulletin.figures["hall"]["visits"] == 4
    assert bulletin.figures["rectification"] == []
    assert bulletin.figures["inspections"] == []
    assert [w["week_start"] for w in bulletin.figures["questionnaires"]] == [
        "2020-08-31",
        "2020-09-07",
        "2020-09-14",
        "2020-09-21",
        "2020-09-28",
    ]


@pytest.mark.django_db
def test_no_visits_in_the_period_builds_nothing(hall_a):
    make_period_data(hall_a)

    with (
        translation.override("en"),
        pytest.raises(BulletinNoData, match="No visits at HA from 2020-09-29 to 2020-09-29"),
    ):
        bulletin_build(hall=hall_a, kind="daily", day=dt.date(2020, 9, 29))

    assert Bulletin.objects.count() == 0


# -- pages ---------------------------------------------------------------------------


@pytest.fixture
def built(hall_a):
    make_period_data(hall_a)
    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)
    BulletinDelivery.objects.create(
        bulletin=bulletin, email="ok@example.com", status="sent", attempts=1
    )
    BulletinDelivery.objects.create(
        bulletin=bulletin,
        email="bad@example.com",
        status="failed",
        attempts=2,
        last_error="SMTPServerDisconnected: gone",
    )
    return bulletin


pages = pytest.mark.urls(__name__)


@pages
@pytest.mark.django_db
def test_a_manager_lists_and_reads_the_halls_bulletins(en_client, english, built, manager_a):
    en_client.force_login(manager_a)

    listing = en_client.get(reverse("bulletins:list"))
    page = en_client.get(reverse("bulletins:detail", args=[built.pk]))

    assert listing.status_code == 200
    assert list(listing.context["bulletins"]) == [built]
    assert page.status_code == 200
    html = page.content.decode()
    assert '<div class="fs-4" id="sum-items">4</div>' in html
    assert "1号窗口" in html
    assert page.context["manager"] is True
    assert [(d.email, d.status) for d in page.context["deliveries"]] == [
        ("bad@example.com", "failed"),
        ("ok@example.com", "sent"),
    ]
    assert 'class="delivery delivery-failed table-danger"' in html
    assert "SMTPServerDisconnected: gone" in html


@pages
@pytest.mark.django_db
def test_a_supervisor_reads_but_sees_no_deliveries_and_cannot_resend(en_client, built, hall_a):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    en_client.force_login(supervisor)

    page = en_client.get(reverse("bulletins:detail", args=[built.pk]))
    resend = en_client.post(reverse("bulletins:resend", args=[built.pk]))

    assert page.status_code == 200
    assert page.context["manager"] is False
    assert "bulletin-deliveries" not in page.content.decode()
    assert resend.status_code == 403


@pages
@pytest.mark.django_db
def test_another_halls_bulletin_is_not_found(en_client, built, manager_b):
    en_client.force_login(manager_b)

    for name in ("detail", "download", "resend"):
        method = en_client.post if name == "resend" else en_client.get
        assert method(reverse(f"bulletins:{name}", args=[built.pk])).status_code == 404
    assert en_client.get(reverse("bulletins:list"), {"hall": "HA"}).status_code == 404


@pages
@pytest.mark.django_db
def test_window_staff_are_forbidden(en_client, built, hall_a):
    staff_user = UserFactory(username="staff_a", role=roles.WINDOW_STAFF)
    en_client.force_login(staff_user)

    assert en_client.get(reverse("bulletins:list")).status_code == 403
    assert en_client.get(reverse("bulletins:detail", args=[built.pk])).status_code == 403
    assert en_client.get(reverse("bulletins:download", args=[built.pk])).status_code == 403


@pages
@pytest.mark.django_db
def test_the_workbook_downloads_as_xlsx(en_client, built, manager_a):
    en_client.force_login(manager_a)

    response = en_client.get(reverse("bulletins:download", args=[built.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "bulletin-HA-daily-20200928.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[0] == "汇总"


@pages
@pytest.mark.django_db
def test_a_manager_resends_to_every_recipient(
    en_client, built, manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    BulletinRecipient.objects.create(hall=built.hall, kind="daily", email="ok@example.com")
    BulletinRecipient.objects.create(hall=built.hall, kind="daily", email="bad@example.com")
    en_client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(reverse("bulletins:resend", args=[built.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("bulletins:detail", args=[built.pk])
    assert sorted(m.to[0] for m in mailoutbox) == ["bad@example.com", "ok@example.com"]
    assert sorted(built.deliveries.values_list("email", "status", "attempts")) == [
        ("bad@example.com", "sent", 3),
        ("ok@example.com", "sent", 2),
    ]
