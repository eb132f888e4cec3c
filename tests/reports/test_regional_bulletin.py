"""The regional monthly bulletin: built with the ranking's figures, its workbook stored
privately and served only to users of its region, emailed once per recipient (a retry serves
only the failed one), queued by the monthly beat job; and the page's workbook export."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import openpyxl
import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from reports.regional.models import (
    RegionalBulletin,
    RegionalBulletinDelivery,
    RegionalBulletinRecipient,
)
from reports.regional.services import (
    RegionalBulletinNoHalls,
    regional_bulletin_build,
    regional_bulletin_send,
)
from reports.regional.tasks import build_and_send_regional_bulletin, build_regional_bulletins
from tests.reports.test_regional_ranking import region_with_two_halls, regional_user
from tests.windows.factories import HallFactory, StaffFactory, make_manager
from windows import roles
from windows.models import Region

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 18)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def region():
    region, *_halls = region_with_two_halls()
    RegionalBulletinRecipient.objects.create(region=region, email="a@example.com", name="局长")
    RegionalBulletinRecipient.objects.create(region=region, email="b@example.com")
    RegionalBulletinRecipient.objects.create(
        region=region, email="off@example.com", is_active=False
    )
    RegionalBulletinRecipient.objects.create(
        region=Region.objects.get(code="R2"), email="other@example.com"
    )
    return region


def sheet_rows(content: bytes, name: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_bulletin_holds_the_months_ranking_and_a_private_workbook(region, settings):
    bulletin = regional_bulletin_build(region=region, day=MARCH)

    assert (bulletin.period_start, bulletin.period_end) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
    )
    assert [
        (h["rank"], h["hall"], h["items"], h["daily_average_items"], h["overdue_cases"])
        for h in bulletin.figures["halls"]
    ] == [(1, "HB", 10, 0.5, 0), (2, "HA", 40, 1.9, 1)]
    assert bulletin.figures["halls"][1]["ranks"] == {
        "items": 1,
        "daily_average_items": 1,
        "evaluation_rate_pct": 2,
        "satisfaction_rate_pct": 2,
        "callback_rate_pct": 2,
        "overdue_cases": 2,
        "completion_rate_pct": 1,
    }
    assert bulletin.workbook.name.startswith("regional-bulletins/R1/regional-bulletin-R1-202503")
    assert not settings.MEDIA_URL or not bulletin.workbook.name.startswith(settings.MEDIA_URL)
    rows = sheet_rows(bulletin.workbook.read(), "大厅排名")
    assert rows[0][0] == "六合区（R1）所辖大厅排名"
    assert rows[1][0] == "统计期间：2025-03-01 至 2025-03-31"
    assert rows[3][:5] == ("综合排名", "大厅编码", "大厅名称", "办件量", "名次")
    assert rows[4] == (1, "HB", "乙大厅", 10, 2, 0.5, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, 2)
    assert rows[5] == (
        2,
        "HA",
        "甲大厅",
        40,
        1,
        1.9,
        1,
        0.75,
        2,
        0.6667,
        2,
        0.5,
        2,
        1,
        2,
        0.6667,
        1,
    )


def test_rebuilding_overwrites_the_one_bulletin_of_the_month(region):
    first = regional_bulletin_build(region=region, day=MARCH)
    again = regional_bulletin_build(region=region, day=dt.date(2025, 3, 1))

    assert again.pk == first.pk
    assert RegionalBulletin.objects.count() == 1


def test_a_region_without_halls_has_no_bulletin():
    empty = Region.objects.create(code="R0", name="空区")

    with pytest.raises(RegionalBulletinNoHalls):
        regional_bulletin_build(region=empty, day=MARCH)
    assert RegionalBulletin.objects.count() == 0


def deliveries(bulletin):
    return sorted(bulletin.deliveries.values_list("email", "status", "attempts"))


def test_each_active_recipient_of_the_region_gets_it_once(region, mailoutbox):
    bulletin = regional_bulletin_build(region=region, day=MARCH)

    first = regional_bulletin_send(bulletin=bulletin)
    second = regional_bulletin_send(bulletin=bulletin)

    assert (first, second) == (2, 0)
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    message = next(m for m in mailoutbox if m.to == ["a@example.com"])
    assert "六合区" in message.subject and "2025-03" in message.subject
    assert message.body.startswith("局长")
    assert "甲大厅 (HA)" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("regional-bulletin-R1-202503.xlsx", XLSX)
    assert sheet_rows(content, "逐月")[3][0] == "月份"
    assert "Message-ID" in message.extra_headers
    assert deliveries(bulletin) == [("a@example.com", "sent", 1), ("b@example.com", "sent", 1)]


def test_a_failed_email_is_recorded_and_the_retry_sends_only_that_one(region, mailoutbox):
    bulletin = regional_bulletin_build(region=region, day=MARCH)
    real_send = EmailMessage.send

    def fail_for_b(message, *args, **kwargs):
        if message.to == ["b@example.com"]:
            raise OSError("connection refused")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", fail_for_b), pytest.raises(OSError):
        regional_bulletin_send(bulletin=bulletin)
    assert deliveries(bulletin) == [("a@example.com", "sent", 1), ("b@example.com", "failed", 1)]
    assert RegionalBulletinDelivery.objects.get(email="b@example.com").last_error == (
        "OSError: connection refused"
    )

    assert regional_bulletin_send(bulletin=bulletin) == 1
    assert [m.to[0] for m in mailoutbox] == ["a@example.com", "b@example.com"]
    assert deliveries(bulletin) == [("a@example.com", "sent", 1), ("b@example.com", "sent", 2)]


def test_the_task_builds_and_sends_and_a_second_delivery_of_it_sends_nothing(region, mailoutbox):
    assert build_and_send_regional_bulletin.apply(args=(region.pk, "2025-03-18")).get() == 2
    assert build_and_send_regional_bulletin.apply(args=(region.pk, "2025-03-18")).get() == 0
    assert len(mailoutbox) == 2
    assert RegionalBulletin.objects.get().period_start == dt.date(2025, 3, 1)


def test_the_monthly_job_queues_one_per_region(region, django_capture_on_commit_callbacks):
    with mock.patch.object(build_and_send_regional_bulletin, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            queued = build_regional_bulletins.apply(kwargs={"day": "2025-03-18"}).get()

    assert queued == 3  # C1, R1, R2
    assert sorted(call.args for call in delay.call_args_list) == sorted(
        (pk, "2025-03-18") for pk in Region.objects.values_list("pk", flat=True)
    )


def test_the_monthly_job_is_in_the_beat_schedule():
    task = PeriodicTask.objects.get(name="reports: bulletins of the regions, each month")

    assert task.task == "reports.regional.tasks.build_regional_bulletins"
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("30", "8", "1")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert task.enabled


def test_the_workbook_is_served_only_to_users_of_its_region(region, client):
    bulletin = regional_bulletin_build(region=region, day=MARCH)
    url = reverse("regional:bulletin-download", args=[bulletin.pk])
    hall_a = bulletin.region.halls.get(code="HA")

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(regional_user(region))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    client.force_login(regional_user(Region.objects.get(code="R2"), "other_district"))
    assert client.get(url).status_code == 404
    client.force_login(regional_user(region.parent, "city"))
    assert client.get(url).status_code == 200
    for user in (
        make_manager(hall_a, "manager"),
        make_manager(hall_a, "supervisor", role=roles.SUPERVISOR),
        StaffFactory(hall=hall_a).user,
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_page_lists_the_regions_bulletins(region, client):
    bulletin = regional_bulletin_build(region=region, day=MARCH)
    client.force_login(regional_user(region))

    page = client.get(reverse("regional:ranking"), {"region": "R1"})

    assert reverse("regional:bulletin-download", args=[bulletin.pk]) in page.content.decode()


def test_the_pages_workbook_has_the_ranking_and_the_months(region, client):
    client.force_login(regional_user(region))

    response = client.get(
        reverse("regional:export"), {"region": "R1", "start": "2025-03", "end": "2025-04"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "regional-R1-202503-202504.xlsx" in response["Content-Disposition"]
    ranking = sheet_rows(response.content, "大厅排名")
    assert [row[:4] for row in ranking[4:]] == [(1, "HB", "乙大厅", 10), (2, "HA", "甲大厅", 50)]
    months = sheet_rows(response.content, "逐月")
    assert months[3] == (
        "月份",
        "综合排名",
        "大厅编码",
        "大厅名称",
        "办件量",
        "日均办件量",
        "评价率",
        "满意率",
        "回访率",
        "超期件",
        "整改完成率",
    )
    assert months[4:] == [
        ("2025-03", 1, "HB", "乙大厅", 10, 0.5, 1, 1, 1, 0, 0),
        ("2025-03", 2, "HA", "甲大厅", 40, 1.9, 0.75, 0.6667, 0.5, 1, 0.6667),
        ("2025-04", 1, "HA", "甲大厅", 10, 0.5, 1, 1, None, 0, None),
        ("2025-04", 2, "HB", "乙大厅", 0, 0, None, None, None, 0, None),
    ]


def test_a_halls_name_that_looks_like_a_formula_stays_text(client):
    region = Region.objects.create(code="R5", name="=cmd|' /C calc'!A0")
    HallFactory(code="HX", name='=HYPERLINK("http://x")', region=region)
    client.force_login(regional_user(region))

    response = client.get(
        reverse("regional:export"), {"region": "R5", "start": "2025-03", "end": "2025-03"}
    )

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = workbook["大厅排名"]["C5"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")
    assert workbook["大厅排名"]["A1"].data_type == "s"


def test_a_bad_month_in_the_export_is_the_pages_message_and_no_file(region, client, english):
    client.force_login(regional_user(region))

    response = client.get(reverse("regional:export"), {"region": "R1", "start": "2025/05"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Enter a month as YYYY-MM." in response.content.decode()


def test_a_fresh_claim_of_another_attempt_is_waited_for_a_stale_one_sent_again(
    region, mailoutbox, settings
):
    import uuid

    from django.utils import timezone

    from reports.services import DeliveryInProgress

    bulletin = regional_bulletin_build(region=region, day=MARCH)
    claim = RegionalBulletinDelivery.objects.create(
        bulletin=bulletin,
        email="a@example.com",
        status="sending",
        attempts=1,
        attempt_id=uuid.uuid4(),
        claimed_at=timezone.now(),
        message_id="<first@hall.example>",
    )

    with pytest.raises(DeliveryInProgress):
        regional_bulletin_send(bulletin=bulletin)
    assert [m.to for m in mailoutbox] == [["b@example.com"]]

    claim.claimed_at = timezone.now() - dt.timedelta(
        seconds=settings.BULLETIN_DELIVERY_STALE_AFTER + 1
    )
    claim.save()
    assert regional_bulletin_send(bulletin=bulletin) == 1
    assert mailoutbox[-1].to == ["a@example.com"]
    assert mailoutbox[-1].extra_headers["Message-ID"] == "<first@hall.example>"
    assert deliveries(bulletin) == [("a@example.com", "sent", 2), ("b@example.com", "sent", 1)]
