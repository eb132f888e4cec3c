"""The surge warning's service: a hall evaluated, each level alerted once, emailed to the
duty leaders (the duty alert's one recipients rule), acknowledged from the panel."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from reports.surge import services, tasks
from reports.surge.models import SurgeAlert, SurgeSettings
from reports.surge.services import surge_alert_send, surge_check, surge_state
from tests.windows.factories import (
    SHANGHAI,
    DutyAssignmentFactory,
    HallFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.models import DutyAssignment, QueueCategory, Visit, WindowSession
from windows.rules.hall_time import hall_localdate

TODAY = dt.date(2020, 11, 2)  # a Monday
AT_10_15 = dt.datetime(2020, 11, 2, 10, 15, tzinfo=SHANGHAI)


def _at(day, hour):
    return dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)), tzinfo=SHANGHAI)


def _visits(hall, window, category, day, rows):
    """One visit per (hour, items), issued at the hour (9.5: 9:30) of the day."""
    Visit.objects.bulk_create(
        Visit(
            hall=hall,
            window=window,
            category=category,
            ticket_no=f"B{day:%m%d}{hour * 10:03.0f}",
            issued_at=_at(day, hour),
            started_at=_at(day, hour) + dt.timedelta(minutes=5),
            finished_at=_at(day, hour) + dt.timedelta(minutes=10),
            service_date=day,
            status=Visit.Status.COMPLETED,
            item_count=items,
        )
        for hour, items in rows
    )


@pytest.fixture
def surging_hall():
    """12 history Mondays of 40, 50 or 60 items (5 at 9:00, 5 at 9:30, 10 at 10:00, the
    rest at 14:00: 0.5, 0.4 or 0.333 of the day by 10:15, 0.125 to 0.083 by 9:15); today
    60 by 10:15; window 1 signed in, window 2 (the category's zone) not; 100 items per
    window-day."""
    hall = HallFactory(code="S1")
    zone = ZoneFactory(hall=hall)
    one = WindowFactory(hall=hall, number=1)
    WindowFactory(hall=hall, number=2, zone=zone)
    category = QueueCategory.objects.create(hall=hall, name="医保", prefix="B")
    category.zones.add(zone)
    days = services.history_days(hall=hall, today=TODAY)
    assert len(days) == 12
    for k, day in enumerate(days):
        _visits(hall, one, category, day, [(9, 5), (9.5, 5), (10, 10), (14, 20 + (k % 3) * 10)])
    _visits(hall, one, category, TODAY, [(9, 30), (10, 30)])
    leader = StaffFactory(hall=hall, display_name="值班长甲", email="leader@example.com")
    WindowSession.objects.create(
        window=one, staff=leader, started_at=dt.datetime(2020, 11, 2, 8, 40, tzinfo=SHANGHAI)
    )
    DutyAssignmentFactory(
        hall=hall, staff=leader, window=one, date=TODAY, role=DutyAssignment.Role.DUTY_LEADER
    )
    SurgeSettings.objects.create(hall=hall, items_per_window_day=100)
    return hall


@pytest.mark.django_db
def test_the_state_projects_today_from_the_history_shares(surging_hall):
    state = surge_state(hall=surging_hall, now=AT_10_15)
    p = state.projection
    assert (p.arrived, round(p.mid), round(p.low), round(p.high)) == (60, 150, 120, 180)
    assert (state.history, p.early, state.slot) == (12, False, 41)
    assert (state.windows_open, state.windows_signed_in) == (1, 1)
    assert (state.capacity, state.levels) == (100.0, [100, 120])
    assert state.curve[-1] == 60 and len(state.curve) == 41
    assert state.typical_curve[-1] == 50
    [category] = state.categories
    assert (category.name, category.typical, category.surging) == ("医保", 50, True)
    assert state.suggestion() == {
        "categories": [{"name": "医保", "projected": 150, "typical": 50}],
        "windows_to_open": [2],
        "windows_needed": 1,
    }


@pytest.mark.django_db
def test_before_anyone_signs_in_every_active_window_counts_and_says_so(surging_hall):
    WindowSession.objects.filter(window__hall=surging_hall).delete()

    state = surge_state(hall=surging_hall, now=AT_10_15)

    assert (state.windows_signed_in, state.windows_open, state.capacity) == (0, 2, 200.0)
    assert state.levels == []  # 120-180 against 200: no level crossed


@pytest.mark.django_db
def test_too_early_nothing_is_alerted(surging_hall):
    at_9_15 = dt.datetime(2020, 11, 2, 9, 15, tzinfo=SHANGHAI)
    state = surge_state(hall=surging_hall, now=at_9_15)
    assert state.projection.early is True
    assert state.levels == []
    assert surge_check(hall=surging_hall, now=at_9_15) == []


@pytest.mark.django_db(transaction=True)
def test_each_level_is_alerted_once_and_emailed_to_the_duty_leader(role_groups, surging_hall):
    with translation.override("en"):
        raised = surge_check(hall=surging_hall, now=AT_10_15)
    assert [alert.level for alert in raised] == [100, 120]
    assert len(mail.outbox) == 2  # sent by the eager task after the commit
    assert [m.to for m in mail.outbox] == [["leader@example.com"]] * 2
    assert SurgeAlert.objects.filter(sent_at__isnull=False).count() == 2
    # the next check, a retry, a later quarter: nothing more
    assert surge_check(hall=surging_hall, now=AT_10_15) == []
    assert tasks.check_hall_surge(surging_hall.pk, AT_10_15.isoformat()) == 0
    assert len(mail.outbox) == 2
    alert = SurgeAlert.objects.get(level=120)
    assert (alert.arrived, alert.projected, alert.low, alert.high, alert.capacity) == (
        60,
        150,
        120,
        180,
        100,
    )
    assert alert.recipients == ["leader@example.com"]
    # a second row of the same level cannot exist
    with pytest.raises(IntegrityError), transaction.atomic():
        SurgeAlert.objects.create(
            hall=surging_hall, day=TODAY, level=120, at=AT_10_15, arrived=1, projected=1,
            low=1, high=1, capacity=1,
        )  # fmt: skip


@pytest.mark.django_db
def test_the_email_names_the_projection_and_the_suggestion(
    surging_hall, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        surge_check(hall=surging_hall, now=AT_10_15)
    alert = SurgeAlert.objects.get(level=120)
    with translation.override("en"):
        assert surge_alert_send(alert_id=alert.pk) is True
    assert surge_alert_send(alert_id=alert.pk) is False  # sent already
    [message] = mail.outbox
    assert message.subject == "测试大厅S1: today projected at 150 items, over 120% of capacity"
    assert "Items arrived so far: 60" in message.body
    assert "Projected items today: 150 (120–180)" in message.body
    assert "Capacity: 100" in message.body
    assert "  医保: 150 / 50" in message.body
    assert "Open 1 more window to bring capacity to the projection." in message.body
    assert "Windows not signed in today that could open: 2" in message.body
    alert.refresh_from_db()
    assert message.extra_headers["Message-ID"] == alert.message_id != ""


@pytest.mark.django_db
def test_a_fresh_claim_of_another_attempt_is_not_sent_twice(
    surging_hall, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        surge_check(hall=surging_hall, now=AT_10_15)
    alert = SurgeAlert.objects.get(level=100)
    SurgeAlert.objects.filter(pk=alert.pk).update(claimed_at=timezone.now())
    with pytest.raises(services.SurgeAlertInProgress):
        surge_alert_send(alert_id=alert.pk)
    assert mail.outbox == []
    # a stale claim (its attempt died) is taken over, with the Message-ID kept
    SurgeAlert.objects.filter(pk=alert.pk).update(
        claimed_at=timezone.now() - dt.timedelta(hours=2), message_id="<kept@hall>"
    )
    assert surge_alert_send(alert_id=alert.pk) is True
    assert mail.outbox[0].extra_headers["Message-ID"] == "<kept@hall>"


@pytest.mark.django_db
def test_without_a_duty_leader_the_managers_are_alerted(
    surging_hall, django_capture_on_commit_callbacks
):
    DutyAssignment.objects.all().delete()
    make_manager(surging_hall, "mgr_s1")
    with django_capture_on_commit_callbacks(execute=False):
        surge_check(hall=surging_hall, now=AT_10_15)
    assert SurgeAlert.objects.get(level=100).recipients == ["mgr_s1@example.com"]


@pytest.mark.django_db
def test_a_manager_threshold_overrides_and_switched_off_checks_nothing(surging_hall):
    SurgeSettings.objects.filter(hall=surging_hall).update(threshold=110)
    assert surge_state(hall=surging_hall, now=AT_10_15).levels == [100]
    SurgeSettings.objects.filter(hall=surging_hall).update(threshold=None, is_active=False)
    assert surge_check(hall=surging_hall, now=AT_10_15) == []
    assert SurgeAlert.objects.count() == 0


@pytest.mark.django_db
def test_the_learnt_items_per_window_day_is_used_without_a_setting(surging_hall):
    SurgeSettings.objects.filter(hall=surging_hall).update(items_per_window_day=None)
    state = surge_state(hall=surging_hall, now=AT_10_15)
    # no rollups in this test database: nothing learnt, no capacity, no alert
    assert (state.learnt, state.items_per_window_day, state.capacity, state.levels) == (
        True,
        0.0,
        0.0,
        [],
    )


@pytest.mark.django_db
def test_the_beat_job_queues_open_halls_only(monkeypatch, django_capture_on_commit_callbacks):
    hall = HallFactory(code="S2")
    HallFactory(code="S3", is_active=False)
    off = HallFactory(code="S4")
    SurgeSettings.objects.create(hall=off, is_active=False)
    checked = []
    monkeypatch.setattr(tasks.check_hall_surge, "delay", lambda *a: checked.append(a[0]))
    monday_10 = dt.datetime(2020, 11, 2, 10, 0, tzinfo=SHANGHAI)
    sunday_10 = dt.datetime(2020, 11, 1, 10, 0, tzinfo=SHANGHAI)
    monday_20 = dt.datetime(2020, 11, 2, 20, 0, tzinfo=SHANGHAI)
    for moment, expected in ((monday_10, [hall.pk]), (sunday_10, []), (monday_20, [])):
        checked.clear()
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.check_surges() == len(expected)
        assert checked == expected


@pytest.mark.django_db
def test_the_beat_entry_is_scheduled_every_15_minutes():
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(name="reports: surge warning")
    assert (job.task, job.crontab.minute, job.crontab.hour, job.enabled) == (
        "reports.surge.tasks.check_surges",
        "*/15",
        "*",
        True,
    )


def _today_alert(hall, level=100):
    return SurgeAlert.objects.create(
        hall=hall,
        day=hall_localdate(hall),
        level=level,
        at=timezone.now(),
        arrived=300,
        projected=1500,
        low=1300,
        high=1700,
        capacity=1150,
        suggestion={
            "categories": [{"name": "医保", "projected": 900, "typical": 300}],
            "windows_to_open": [7, 8],
            "windows_needed": 4,
        },
    )


@pytest.mark.django_db
def test_the_duty_leader_sees_the_panel_at_home_and_acknowledges(client):
    hall = HallFactory(code="S5")
    leader = StaffFactory(
        hall=hall, user=UserFactory(username="leader_s5", role=roles.WINDOW_STAFF)
    )
    DutyAssignmentFactory(
        hall=hall, staff=leader, date=hall_localdate(hall), role=DutyAssignment.Role.DUTY_LEADER
    )
    low, high = _today_alert(hall, 100), _today_alert(hall, 120)
    other = _today_alert(HallFactory(code="S6"), 100)
    client.force_login(leader.user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="surge-alert-{high.pk}"' in page and f'id="surge-alert-{low.pk}"' in page
    assert f'id="surge-alert-{other.pk}"' not in page
    assert "1500" in page and "1300–1700" in page
    # another hall's alert: refused, unchanged
    url = reverse("surge-acknowledge", args=[other.pk])
    assert client.post(url, {"next": "/"}).status_code == 403
    other.refresh_from_db()
    assert other.acknowledged_at is None
    # acknowledging the highest level acknowledges the lower ones
    response = client.post(reverse("surge-acknowledge", args=[high.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert SurgeAlert.objects.filter(hall=hall, acknowledged_at__isnull=True).count() == 0
    assert 'id="surge-alerts"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_window_staff_and_anonymous_users_cannot_acknowledge(client):
    hall = HallFactory(code="S7")
    alert = _today_alert(hall)
    url = reverse("surge-acknowledge", args=[alert.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    staff = StaffFactory(hall=hall, user=UserFactory(username="staff_s7", role=roles.WINDOW_STAFF))
    client.force_login(staff.user)
    assert client.post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.django_db
def test_a_manager_may_acknowledge_without_being_on_duty():
    hall = HallFactory(code="S8")
    alert = _today_alert(hall)
    manager = make_manager(hall, "mgr_s8")
    assert services.surge_alert_acknowledge(alert=alert, user=manager).acknowledged_by == manager
    stranger = make_manager(HallFactory(code="S9"), "mgr_s9")
    with pytest.raises(PermissionDenied):
        services.surge_alert_acknowledge(alert=_today_alert(hall, 150), user=stranger)
