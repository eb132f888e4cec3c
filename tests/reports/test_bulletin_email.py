"""Emailing a bulletin: once per recipient, resend on demand, failures recorded and retried,
and once through a real SMTP server on loopback."""

import email
import io
import smtplib
import socket
from unittest import mock

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from reports.models import BulletinDelivery, BulletinRecipient
from reports.services import bulletin_build, bulletin_send
from reports.tasks import build_and_send_bulletin, build_bulletins
from tests.reports.test_bulletins import MONDAY, make_period_data

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def bulletin(hall_a):
    make_period_data(hall_a)
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="a@example.com", name="甲")
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="b@example.com")
    BulletinRecipient.objects.create(
        hall=hall_a, kind="daily", email="gone@example.com", is_active=False
    )
    BulletinRecipient.objects.create(hall=hall_a, kind="weekly", email="weekly@example.com")
    return bulletin_build(hall=hall_a, kind="daily", day=MONDAY)


def deliveries(bulletin):
    return sorted(bulletin.deliveries.values_list("email", "status", "attempts", "last_error"))


def test_each_active_recipient_gets_the_workbook_attached(bulletin, mailoutbox):
    sent = bulletin_send(bulletin=bulletin)

    assert sent == 2
    assert sorted(m.to for m in mailoutbox) == [["a@example.com"], ["b@example.com"]]
    message = mailoutbox[0]
    assert "甲大厅" in message.subject
    assert "2020-09-28" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("bulletin-HA-daily-20200928.xlsx", XLSX)
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0] == "汇总"
    assert deliveries(bulletin) == [
        ("a@example.com", "sent", 1, ""),
        ("b@example.com", "sent", 1, ""),
    ]


def test_sending_twice_emails_each_recipient_once(bulletin, mailoutbox):
    bulletin_send(bulletin=bulletin)

    assert bulletin_send(bulletin=bulletin) == 0
    assert len(mailoutbox) == 2


def test_a_rebuild_does_not_email_again(bulletin, hall_a, mailoutbox):
    bulletin_send(bulletin=bulletin)

    rebuilt = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)

    assert bulletin_send(bulletin=rebuilt) == 0
    assert len(mailoutbox) == 2


def test_resend_emails_everyone_again(bulletin, mailoutbox):
    bulletin_send(bulletin=bulletin)

    assert bulletin_send(bulletin=bulletin, resend=True) == 2
    assert len(mailoutbox) == 4
    assert [row[:3] for row in deliveries(bulletin)] == [
        ("a@example.com", "sent", 2),
        ("b@example.com", "sent", 2),
    ]


def test_the_task_builds_and_sends_once_however_often_it_runs(hall_a, bulletin, mailoutbox):
    build_and_send_bulletin.apply(args=(hall_a.pk, "daily", "2020-09-28"))
    build_and_send_bulletin.apply(args=(hall_a.pk, "daily", "2020-09-28"))

    assert len(mailoutbox) == 2
    assert hall_a.bulletins.count() == 1


def test_the_beat_job_queues_every_active_hall(
    hall_a, hall_b, bulletin, mailoutbox, django_capture_on_commit_callbacks
):
    hall_b.is_active = False
    hall_b.save()

    with django_capture_on_commit_callbacks(execute=True):
        queued = build_bulletins.apply(kwargs={"kind": "daily", "day": "2020-09-28"}).get()

    assert queued == 1
    assert len(mailoutbox) == 2


def test_a_hall_without_visits_gets_no_bulletin_and_no_email(hall_b, mailoutbox):
    BulletinRecipient.objects.create(hall=hall_b, kind="daily", email="b@example.com")

    result = build_and_send_bulletin.apply(args=(hall_b.pk, "daily", "2020-09-28")).get()

    assert result == 0
    assert hall_b.bulletins.count() == 0
    assert mailoutbox == []


class FlakySMTP:
    """A backend whose send fails for one address (the others go to the locmem outbox)."""

    def __init__(self, failing: str):
        self.failing = failing

    def __call__(self, messages):
        from django.core import mail

        for message in messages:
            if self.failing in message.to:
                raise smtplib.SMTPRecipientsRefused({self.failing: (550, b"mailbox unavailable")})
            mail.outbox.append(message)
        return len(messages)


def test_a_failure_is_recorded_the_others_served_and_the_error_raised(bulletin, mailoutbox):
    flaky = FlakySMTP("a@example.com")
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=flaky,
        ),
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        bulletin_send(bulletin=bulletin)

    assert [m.to for m in mailoutbox] == [["b@example.com"]]
    [failed, ok] = deliveries(bulletin)
    assert failed[:3] == ("a@example.com", "failed", 1)
    assert failed[3].startswith("SMTPRecipientsRefused: ")
    assert ok == ("b@example.com", "sent", 1, "")


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager Celery runs each retry at once, but only if the errors do not propagate."""
    monkeypatch.setitem(build_and_send_bulletin.app.conf, "task_eager_propagates", False)


def test_the_task_retries_five_times_then_gives_up(hall_a, bulletin, mailoutbox, eager_retries):
    flaky = FlakySMTP("a@example.com")
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=flaky,
        ),
        mock.patch("reports.tasks.bulletin_build", wraps=bulletin_build) as build,
    ):
        result = build_and_send_bulletin.apply(args=(hall_a.pk, "daily", "2020-09-28"))

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPRecipientsRefused)

    # 1 run + 5 retries (eager Celery runs the retries at once); the retries do not rebuild.
    assert build.call_count == 1
    assert [row[:3] for row in deliveries(bulletin)] == [
        ("a@example.com", "failed", 6),
        ("b@example.com", "sent", 1),
    ]
    assert len(mailoutbox) == 1


def test_a_retry_after_the_server_recovers_sends_only_the_missing_email(
    hall_a, bulletin, mailoutbox, eager_retries
):
    calls = {"n": 0}
    flaky = FlakySMTP("a@example.com")

    def fail_first_time(messages):
        calls["n"] += 1
        if calls["n"] == 1:
            return flaky(messages)
        from django.core import mail

        mail.outbox.extend(messages)
        return len(messages)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=fail_first_time,
    ):
        result = build_and_send_bulletin.apply(args=(hall_a.pk, "daily", "2020-09-28"))

    assert result.successful()
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    assert [row[:3] for row in deliveries(bulletin)] == [
        ("a@example.com", "sent", 2),
        ("b@example.com", "sent", 1),
    ]
    assert BulletinDelivery.objects.get(email="a@example.com").last_error == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def test_the_bulletin_goes_through_a_real_smtp_server_on_loopback(bulletin, settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        sent = bulletin_send(bulletin=bulletin)
    finally:
        controller.stop()

    assert sent == 2
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.com", "b@example.com"]
    received = email.message_from_bytes(inbox.messages[0].as_bytes())
    [attachment] = [part for part in received.walk() if part.get_filename()]
    assert attachment.get_filename() == "bulletin-HA-daily-20200928.xlsx"
    assert attachment.get_content_type() == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_payload(decode=True)))
    assert workbook.sheetnames[0] == "汇总"
