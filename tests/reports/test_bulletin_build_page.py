"""Building or rebuilding a bulletin from /bulletins/ (issue 12 item 4): a manager of the
hall, any day, week or month, the same service and idempotence as build_bulletin and the
beat (one bulletin per period, its workbook replaced, no email unless asked and then only to
recipients not served); supervisors, window staff and another hall's manager are refused;
bad input shows its message and stores nothing."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from reports.models import Bulletin, BulletinDelivery, BulletinRecipient
from reports.services import bulletin_send
from tests.reports.test_bulletins import MONDAY, make_period_data
from tests.windows.factories import StaffFactory, make_manager
from windows import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BUILD = reverse("bulletins:build")
LIST = reverse("bulletins:list")


@pytest.fixture
def data(hall_a):
    make_period_data(hall_a)
    BulletinRecipient.objects.create(hall=hall_a, kind="weekly", email="a@example.com")
    BulletinRecipient.objects.create(hall=hall_a, kind="weekly", email="b@example.com")


def build(client, hall_code="HA", **data):
    return client.post(f"{BUILD}?hall={hall_code}", data)


def test_the_list_shows_the_build_form_to_a_manager_only(en_client, manager_a, hall_a):
    en_client.force_login(manager_a)
    page = en_client.get(LIST).content.decode()
    en_client.force_login(make_manager(hall_a, "watcher", role=roles.SUPERVISOR))
    read_only = en_client.get(LIST).content.decode()

    assert f'action="{BUILD}?hall=HA"' in page
    assert 'id="bulletin-build-form"' not in read_only


def test_a_manager_builds_a_weekly_bulletin_of_a_day_without_emailing_it(
    en_client, manager_a, data, mailoutbox, django_capture_on_commit_callbacks
):
    en_client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = build(en_client, kind="weekly", date="2020-10-01")

    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?hall=HA"
    assert len(callbacks) == 1  # the build, queued once the request's writes are committed
    assert (bulletin.kind, bulletin.period_start, bulletin.period_end) == (
        "weekly", MONDAY, dt.date(2020, 10, 4),
    )  # fmt: skip
    assert bulletin.figures["hall"]["visits"] == 4
    assert default_storage.exists(bulletin.workbook.name)
    assert mailoutbox == []
    page = en_client.get(response["Location"]).content.decode()
    assert (
        "The weekly bulletin of 2020-09-28 – 2020-10-04 is being built; reload the list in a "
        "moment."
    ) in page
    assert f'href="{reverse("bulletins:detail", args=[bulletin.pk])}"' in page


def test_a_rebuild_replaces_the_bulletin_and_emails_only_whom_it_has_not_reached(
    en_client, manager_a, data, mailoutbox, django_capture_on_commit_callbacks
):
    en_client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        build(en_client, kind="weekly", date="2020-09-28")
    first = Bulletin.objects.get()
    bulletin_send(bulletin=first)
    BulletinRecipient.objects.create(hall=first.hall, kind="weekly", email="new@example.com")
    old_name = first.workbook.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = build(en_client, kind="weekly", date="2020-10-04", email="on")

    rebuilt = Bulletin.objects.get()
    assert rebuilt.pk == first.pk
    assert rebuilt.built_at > first.built_at
    assert len(callbacks) == 2  # the build-and-send task, and in it the old workbook's deletion
    if rebuilt.workbook.name != old_name:
        assert not default_storage.exists(old_name)
    assert default_storage.exists(rebuilt.workbook.name)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@example.com", "b@example.com", "new@example.com",
    ]  # fmt: skip
    assert sorted(rebuilt.deliveries.values_list("email", "status", "attempts")) == [
        ("a@example.com", BulletinDelivery.Status.SENT, 1),
        ("b@example.com", BulletinDelivery.Status.SENT, 1),
        ("new@example.com", BulletinDelivery.Status.SENT, 1),
    ]
    page = en_client.get(response["Location"]).content.decode()
    assert "The weekly bulletin of 2020-09-28 – 2020-10-04 is being rebuilt;" in page
    assert "It will be emailed to the recipients who have not received it." in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "yearly", "date": "2020-09-28"}, "Select a valid choice."),
        ({"kind": "daily", "date": "2020-13-45"}, "Enter a valid date."),
        ({"kind": "daily", "date": ""}, "This field is required."),
        ({"kind": "", "date": "2020-09-28"}, "This field is required."),
    ],
)
def test_bad_input_shows_the_error_and_builds_nothing(en_client, manager_a, data, error):
    en_client.force_login(manager_a)

    response = build(en_client, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Bulletin.objects.count() == 0


def test_a_period_without_visits_says_so_and_builds_nothing(en_client, manager_a, data):
    en_client.force_login(manager_a)

    response = build(en_client, kind="monthly", date="2020-08-15")

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?hall=HA"
    page = en_client.get(response["Location"]).content.decode()
    assert "No visits at 甲大厅 from 2020-08-01 to 2020-08-31: no bulletin was built." in page
    assert Bulletin.objects.count() == 0


def test_a_supervisor_is_refused(en_client, hall_a, data, mailoutbox):
    en_client.force_login(make_manager(hall_a, "watcher", role=roles.SUPERVISOR))

    assert build(en_client, kind="daily", date="2020-09-28", email="on").status_code == 403
    assert Bulletin.objects.count() == 0
    assert mailoutbox == []


def test_window_staff_are_refused(en_client, hall_a, data):
    en_client.force_login(StaffFactory(hall=hall_a).user)

    assert build(en_client, kind="daily", date="2020-09-28").status_code == 403
    assert Bulletin.objects.count() == 0


def test_another_halls_manager_gets_404(en_client, hall_b, data):
    en_client.force_login(make_manager(hall_b, "other"))

    assert build(en_client, kind="daily", date="2020-09-28").status_code == 404
    assert build(en_client, "", kind="daily", date="2020-09-28").status_code == 404
    assert Bulletin.objects.count() == 0


def test_anonymous_goes_to_the_login_and_get_is_refused(client, manager_a):
    response = build(client, kind="daily", date="2020-09-28")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(manager_a)
    assert client.get(f"{BUILD}?hall=HA").status_code == 405
