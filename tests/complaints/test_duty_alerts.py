"""A new bad review or 12345 work order alerts the hall's duty leader at once."""

import datetime as dt

import pytest
from django.urls import include, path
from django.utils import timezone

from complaints.models import Channel, Complaint, DutyAlert
from complaints.services.alerts import duty_alert_for
from complaints.tasks import send_duty_alert
from hall.urls import urlpatterns as portal_urlpatterns
from tests.windows.factories import (
    DutyAssignmentFactory,
    StaffFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import DutyAssignment, WindowSession

# Until hall/urls.py includes complaints.alerts_urls, these tests add it themselves.
urlpatterns = [path("alerts/", include("complaints.alerts_urls")), *portal_urlpatterns]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.usefixtures("english")]


def new_case(hall, *, channel=Channel.BAD_REVIEW, received_at=None, **kwargs) -> Complaint:
    if channel == Channel.WORK_ORDER_12345:
        kwargs.setdefault("work_order_no", "GD20261125001")
    return Complaint.objects.create(
        hall=hall,
        channel=channel,
        received_at=received_at or timezone.now(),
        due_date=timezone.localdate() + dt.timedelta(days=3),
        **kwargs,
    )


def duty_leader(hall, username: str, day=None) -> DutyAssignment:
    return DutyAssignmentFactory(
        hall=hall,
        date=day or timezone.localdate(),
        role=DutyAssignment.Role.DUTY_LEADER,
        window=None,
        staff__user__username=username,
    )


@pytest.fixture
def leader(hall_a):
    return duty_leader(hall_a, "leader").staff.user


@pytest.fixture
def alerted(hall_a, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        window = WindowFactory(hall=hall_a, number=7)
        return duty_alert_for(complaint=new_case(hall_a, window=window))


def test_a_bad_review_of_today_alerts_the_rostered_duty_leader(
    hall_a, leader, manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    duty_leader(hall_a, "yesterdays_leader", day=timezone.localdate() - dt.timedelta(days=1))
    window = WindowFactory(hall=hall_a, number=7, name="7号窗口")
    staff = StaffFactory(hall=hall_a, display_name="张三", badge_no="B0007")
    received_at = timezone.now()
    case = new_case(hall_a, window=window, staff=staff, level=1, received_at=received_at)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alert = duty_alert_for(complaint=case)

    assert len(callbacks) == 1
    assert alert.recipients == ["leader@example.com"]
    [email] = mailoutbox
    assert email.to == ["leader@example.com"]
    assert email.subject == f"甲大厅: new bad review, case #{case.pk}"
    received = timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M")
    assert email.body == (
        "A new bad review at 甲大厅 needs the duty leader's attention.\n"
        "\n"
        f"Case: #{case.pk}\n"
        f"Received at: {received}\n"
        "Window: 7 7号窗口\n"
        "Staff member: 张三 (B0007)\n"
        f"Rating: {case.get_level_display()}\n"
        "\n"
        f"Open the case: http://testserver/complaints/{case.pk}/\n"
        "Acknowledge it on your home page or the staff console.\n"
    )
    alert.refresh_from_db()
    assert alert.sent_at is not None
    assert alert.acknowledged_at is None


def test_a_12345_work_order_alerts_the_duty_leader(
    hall_a, leader, mailoutbox, django_capture_on_commit_callbacks
):
    case = new_case(hall_a, channel=Channel.WORK_ORDER_12345)

    with django_capture_on_commit_callbacks(execute=True):
        duty_alert_for(complaint=case)

    [email] = mailoutbox
    assert email.to == ["leader@example.com"]
    assert email.subject == f"甲大厅: new 12345 work order, case #{case.pk}"
    assert f"Case: #{case.pk} (work order GD20261125001)\n" in email.body


@pytest.mark.parametrize("channel", [Channel.HOTLINE, Channel.ON_SITE, Channel.ONLINE])
def test_other_channels_alert_nobody(
    hall_a, leader, mailoutbox, django_capture_on_commit_callbacks, channel
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert duty_alert_for(complaint=new_case(hall_a, channel=channel)) is None

    assert callbacks == []
    assert mailoutbox == []
    assert DutyAlert.objects.count() == 0


def test_an_old_rating_alerts_nobody(
    hall_a, leader, mailoutbox, django_capture_on_commit_callbacks
):
    old = new_case(hall_a, received_at=timezone.now() - dt.timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):
        assert duty_alert_for(complaint=old) is None

    assert mailoutbox == []
    assert DutyAlert.objects.count() == 0


def test_the_alert_is_sent_once_when_called_twice(
    hall_a, leader, mailoutbox, django_capture_on_commit_callbacks
):
    case = new_case(hall_a)

    with django_capture_on_commit_callbacks(execute=True):
        first = duty_alert_for(complaint=case)
        second = duty_alert_for(complaint=case)

    assert first.pk == second.pk
    assert DutyAlert.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_second_delivery_of_the_task_sends_nothing(alerted, mailoutbox):
    assert send_duty_alert.delay(alerted.complaint_id).get() is False
    assert len(mailoutbox) == 1


def test_without_a_rostered_duty_leader_the_halls_managers_are_alerted(
    hall_a, manager_a, manager_b, mailoutbox, django_capture_on_commit_callbacks
):
    make_manager(hall_a, "manager_a2")
    make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)

    with django_capture_on_commit_callbacks(execute=True):
        alert = duty_alert_for(complaint=new_case(hall_a))

    assert alert.recipients == ["manager_a2@example.com", "manager_a@example.com"]
    [email] = mailoutbox
    assert email.to == ["manager_a2@example.com", "manager_a@example.com"]


def test_the_home_page_shows_the_alert_to_the_duty_leader_only(client, hall_a, alerted, leader):
    other = StaffFactory(hall=hall_a, user__username="other").user
    case = alerted.complaint

    client.force_login(leader)
    page = client.get("/").content.decode()
    assert f'id="duty-alert-{alerted.pk}"' in page
    assert f'href="/complaints/{case.pk}/"' in page
    assert "Window 7" in page
    assert f'action="/alerts/{alerted.pk}/acknowledge/"' in page

    client.force_login(other)
    assert 'id="duty-alerts"' not in client.get("/").content.decode()


def test_the_console_shows_the_alert_to_the_duty_leader_only(client, hall_a, alerted, leader):
    staff = leader.staff_profile
    window = WindowFactory(hall=hall_a, number=3)
    WindowSession.objects.create(
        window=window, staff=staff, started_at=timezone.now() - dt.timedelta(minutes=1)
    )
    other = StaffFactory(hall=hall_a, user__username="other")
    WindowSession.objects.create(
        window=WindowFactory(hall=hall_a, number=4),
        staff=other,
        started_at=timezone.now() - dt.timedelta(minutes=1),
    )

    client.force_login(leader)
    page = client.get("/console/").content.decode()
    assert 'id="console-window"' in page
    assert f'id="duty-alert-{alerted.pk}"' in page

    client.force_login(other.user)
    page = client.get("/console/").content.decode()
    assert 'id="console-window"' in page
    assert 'id="duty-alerts"' not in page


def test_the_duty_leader_acknowledges_the_alert(client, alerted, leader):
    client.force_login(leader)

    response = client.post(f"/alerts/{alerted.pk}/acknowledge/", {"next": "/console/"})

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    alerted.refresh_from_db()
    assert alerted.acknowledged_at is not None
    assert 'id="duty-alerts"' not in client.get("/").content.decode()


def test_a_manager_of_the_hall_may_acknowledge(client, alerted, manager_a):
    client.force_login(manager_a)

    response = client.post(f"/alerts/{alerted.pk}/acknowledge/", {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    alerted.refresh_from_db()
    assert alerted.acknowledged_at is not None


def test_others_may_not_acknowledge(client, hall_a, alerted, manager_b):
    other = StaffFactory(hall=hall_a, user__username="other").user
    yesterdays = duty_leader(hall_a, "yesterday", day=timezone.localdate() - dt.timedelta(days=1))
    for user in (other, manager_b, yesterdays.staff.user):
        client.force_login(user)
        assert client.post(f"/alerts/{alerted.pk}/acknowledge/").status_code == 403

    alerted.refresh_from_db()
    assert alerted.acknowledged_at is None


def test_acknowledging_needs_a_post_and_a_login(client, alerted, leader):
    assert client.post(f"/alerts/{alerted.pk}/acknowledge/").status_code == 302
    client.force_login(leader)
    assert client.get(f"/alerts/{alerted.pk}/acknowledge/").status_code == 405
    alerted.refresh_from_db()
    assert alerted.acknowledged_at is None
