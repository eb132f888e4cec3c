"""A duty-leader alert is claimed before its SMTP call and marked sent after: a retry of a
fresh claim waits, a stale claim goes again with the same Message-ID, a failed send is
retried (issue 11 item 5, as the bulletins and reminders)."""

import datetime as dt
from smtplib import SMTPServerDisconnected

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from complaints.models import DutyAlert
from complaints.services.alerts import AlertInProgress, duty_alert_for, duty_alert_send
from complaints.tasks import send_duty_alert
from tests.complaints.test_duty_alerts import duty_leader, new_case

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def alert(hall_a):
    duty_leader(hall_a, "leader")
    return duty_alert_for(complaint=new_case(hall_a))  # its task runs on commit: not here


def test_the_claim_and_message_id_are_recorded_before_the_smtp_call(alert, mailoutbox, monkeypatch):
    seen = {}
    send = EmailMessage.send

    def watching(message, *args, **kwargs):
        row = DutyAlert.objects.get(pk=alert.pk)
        seen.update(claimed=row.claimed_at is not None, sent=row.sent_at, mid=row.message_id)
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", watching)

    assert duty_alert_send(complaint_id=alert.complaint_id) is True

    alert.refresh_from_db()
    assert seen == {"claimed": True, "sent": None, "mid": alert.message_id}
    assert alert.sent_at is not None
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [alert.message_id]
    assert alert.message_id.startswith("<") and alert.message_id.endswith(">")


def test_a_second_delivery_sends_nothing(alert, mailoutbox):
    assert duty_alert_send(complaint_id=alert.complaint_id) is True
    assert duty_alert_send(complaint_id=alert.complaint_id) is False
    assert len(mailoutbox) == 1


def test_a_fresh_claim_of_another_attempt_is_waited_for_not_sent(alert, mailoutbox, settings):
    settings.DUTY_ALERT_STALE_AFTER = 600
    claimed = timezone.now() - dt.timedelta(seconds=100)
    DutyAlert.objects.filter(pk=alert.pk).update(claimed_at=claimed, message_id="<first@x>")

    with pytest.raises(AlertInProgress) as raised:
        duty_alert_send(complaint_id=alert.complaint_id)

    assert 499 <= raised.value.wait <= 500
    assert mailoutbox == []


def test_the_task_retries_once_the_claim_would_be_stale(alert, mailoutbox, settings, monkeypatch):
    settings.DUTY_ALERT_STALE_AFTER = 600
    DutyAlert.objects.filter(pk=alert.pk).update(claimed_at=timezone.now(), message_id="<m@x>")
    retried = {}

    def retry(*, exc, countdown, **kwargs):
        retried.update(exc=type(exc).__name__, countdown=round(countdown))
        raise RuntimeError("retried")

    monkeypatch.setattr(send_duty_alert, "retry", retry)

    with pytest.raises(RuntimeError, match="retried"):
        send_duty_alert.run(alert.complaint_id)

    assert retried == {"exc": "AlertInProgress", "countdown": 600}
    assert mailoutbox == []


def test_a_stale_claim_is_sent_again_with_the_same_message_id(alert, mailoutbox, settings):
    settings.DUTY_ALERT_STALE_AFTER = 600
    claimed = timezone.now() - dt.timedelta(seconds=601)
    DutyAlert.objects.filter(pk=alert.pk).update(claimed_at=claimed, message_id="<first@x>")

    assert duty_alert_send(complaint_id=alert.complaint_id) is True

    alert.refresh_from_db()
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == ["<first@x>"]
    assert (alert.message_id, alert.sent_at is not None) == ("<first@x>", True)


def test_a_failed_send_clears_the_claim_and_the_retry_sends_it_once(alert, mailoutbox, monkeypatch):
    send = EmailMessage.send
    calls = []

    def flaky(message, *args, **kwargs):
        calls.append(message.extra_headers["Message-ID"])
        if len(calls) == 1:
            raise SMTPServerDisconnected("connection lost")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)

    with pytest.raises(SMTPServerDisconnected):
        duty_alert_send(complaint_id=alert.complaint_id)
    alert.refresh_from_db()
    assert (alert.claimed_at, alert.sent_at) == (None, None)

    assert duty_alert_send(complaint_id=alert.complaint_id) is True
    assert len(mailoutbox) == 1
    assert calls[0] == calls[1] == mailoutbox[0].extra_headers["Message-ID"]
