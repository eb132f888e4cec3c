"""A person's email address (windows/contacts.py): a staff member's is on their badge card,
with or without a login; anyone else's on their account. Every alert, reminder and the
password reset follow it."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from complaints.models import Channel, Complaint
from complaints.services.alerts import duty_alert_recipients
from reports.reminders import reminders_send
from tests.windows.factories import (
    DutyAssignmentFactory,
    StaffFactory,
    UserFactory,
    make_manager,
)
from windows import contacts
from windows.models import DutyAssignment, Staff

User = get_user_model()


@pytest.fixture
def staff_a(hall_a):
    return StaffFactory(
        hall=hall_a, badge_no="A001", user__username="zhang", email="card@hall.example"
    )


@pytest.fixture
def card_a(hall_a):
    """A card without a login, with an email."""
    return Staff.objects.create(
        hall=hall_a, badge_no="A020", display_name="历史人员", email="nologin@hall.example"
    )


# --- the rule -------------------------------------------------------------------------------


def test_a_staff_member_is_reached_at_their_cards_address(staff_a, manager_a):
    assert staff_a.user.email == "zhang@example.com"  # the login's own address is not used
    assert contacts.email_of(staff_a.user) == "card@hall.example"
    assert contacts.staff_email(staff_a) == "card@hall.example"
    assert contacts.email_of(manager_a) == "manager_a@example.com"  # no card: the account's
    assert contacts.user_emails(User.objects.all()) == [
        "card@hall.example",
        "manager_a@example.com",
    ]


def test_an_empty_card_address_reaches_nobody_even_with_a_login_address(staff_a):
    staff_a.email = ""
    staff_a.save()

    assert contacts.email_of(User.objects.get(username="zhang")) == ""
    assert contacts.user_emails(User.objects.filter(username="zhang")) == []


def test_off_duty_cards_and_inactive_accounts_are_not_reached(hall_a, staff_a, card_a):
    off = StaffFactory(hall=hall_a, badge_no="A002", email="off@hall.example", is_active=False)
    closed = StaffFactory(hall=hall_a, badge_no="A003", email="closed@hall.example")
    closed.user.is_active = False
    closed.user.save()
    inactive_manager = make_manager(hall_a, "gone")
    inactive_manager.is_active = False
    inactive_manager.save()

    assert contacts.staff_emails(Staff.objects.all()) == [
        "card@hall.example",
        "nologin@hall.example",
    ]
    assert off.email not in contacts.user_emails(User.objects.all())
    assert contacts.user_emails(User.objects.filter(username="gone")) == []


# --- who uses it ------------------------------------------------------------------------


def bad_review(hall) -> Complaint:
    return Complaint.objects.create(
        hall=hall,
        channel=Channel.BAD_REVIEW,
        received_at=timezone.now(),
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )


def lead(hall, staff) -> None:
    DutyAssignmentFactory(
        hall=hall,
        staff=staff,
        date=timezone.localdate(),
        role=DutyAssignment.Role.DUTY_LEADER,
        window=None,
    )


def test_the_duty_alert_reaches_the_duty_leaders_card_address(hall_a, staff_a, manager_a):
    lead(hall_a, staff_a)

    assert duty_alert_recipients(complaint=bad_review(hall_a)) == ["card@hall.example"]


def test_a_duty_leader_without_a_login_is_alerted_by_email(hall_a, card_a, manager_a):
    lead(hall_a, card_a)

    assert duty_alert_recipients(complaint=bad_review(hall_a)) == ["nologin@hall.example"]


def test_without_a_duty_leader_the_managers_accounts_are_alerted(hall_a, staff_a, manager_a):
    assert duty_alert_recipients(complaint=bad_review(hall_a)) == ["manager_a@example.com"]


def test_the_daily_reminder_goes_to_the_handlers_card_address(
    hall_a, staff_a, mailoutbox, settings
):
    day = dt.date(2020, 9, 30)
    Complaint.objects.create(
        hall=hall_a,
        channel=Channel.ON_SITE,
        status=Complaint.Status.ASSIGNED,
        handler=staff_a.user,
        due_date=day,
        received_at=dt.datetime(2020, 9, 21, 2, 0, tzinfo=dt.UTC),
    )

    sent = reminders_send(day=day)

    assert sent == 1
    assert [mail.to for mail in mailoutbox] == [["card@hall.example"]]


def test_the_password_reset_goes_to_the_cards_address(en_client, staff_a, mailoutbox):
    by_login_address = en_client.post("/accounts/password/reset/", {"email": "zhang@example.com"})
    assert (by_login_address.status_code, mailoutbox) == (302, [])

    by_card_address = en_client.post("/accounts/password/reset/", {"email": "CARD@hall.example"})

    assert by_card_address.status_code == 302
    assert [mail.to for mail in mailoutbox] == [["card@hall.example"]]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mailoutbox[0].body)
    assert en_client.get(link.group(1)).status_code == 302  # a valid link: on to set-password


def test_a_manager_resets_by_their_account_address(en_client, manager_a, mailoutbox):
    en_client.post("/accounts/password/reset/", {"email": "manager_a@example.com"})

    assert [mail.to for mail in mailoutbox] == [["manager_a@example.com"]]


def test_a_card_without_a_login_gets_no_reset_email(en_client, card_a, mailoutbox):
    response = en_client.post("/accounts/password/reset/", {"email": "nologin@hall.example"})

    assert (response.status_code, mailoutbox) == (302, [])


# --- the migration --------------------------------------------------------------------------

BEFORE = [("windows", "0011_import_jobs")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_each_logins_address_on_its_card():
    executor = MigrationExecutor(connection)
    after = [("windows", "0012_staff_email_and_optional_login")]
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        hall = old.get_model("windows", "Hall").objects.create(code="HM", name="迁移大厅")
        old_user = old.get_model("auth", "User")
        staff = old.get_model("windows", "Staff")
        for username, email in (("with", "w@example.com"), ("without", "")):
            user = old_user.objects.create(username=username, email=email)
            staff.objects.create(user=user, hall=hall, badge_no=username, display_name=username)

        MigrationExecutor(connection).migrate(after)

        new = MigrationExecutor(connection).loader.project_state(after).apps
        assert sorted(
            new.get_model("windows", "Staff").objects.values_list("badge_no", "email")
        ) == [("with", "w@example.com"), ("without", "")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()


def test_staff_factory_cards_carry_their_logins_address(hall_a):
    staff = StaffFactory(hall=hall_a, user=UserFactory(username="li"))

    assert staff.email == "li@example.com"
