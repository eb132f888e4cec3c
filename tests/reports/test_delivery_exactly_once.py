"""Bulletin emails exactly once (issue 11 item 5).

A delivery is claimed (sending, attempt id, Message-ID) in its own committed transaction
before the SMTP call and marked sent after it. Duplicate runs of the same send serve each
recipient once; a fresh claim of another attempt is not sent again; a stale one is, with the
same Message-ID. And the fault itself: a real Celery worker whose pool process is killed
while the SMTP server holds back its reply to DATA, then the task redelivered.
"""

import asyncio
import datetime as dt
import email
import logging
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.utils import timezone

from reports import tasks
from reports.models import Bulletin, BulletinDelivery, BulletinRecipient, ReminderSent
from reports.reminders import RemindersInProgress, reminders_send
from reports.services import DeliveryInProgress, bulletin_send
from tests.reports.test_bulletin_email import free_port
from tests.test_celery_worker import CELERY, ROOT, filesystem_broker, redis_broker

EMAILS = ["a@example.com", "b@example.com", "c@example.com"]
REMINDER_DAY = dt.date(2020, 9, 30)


def make_bulletin(hall) -> Bulletin:
    for address in EMAILS:
        BulletinRecipient.objects.create(hall=hall, kind="daily", email=address)
    return Bulletin.objects.create(
        hall=hall,
        kind="daily",
        period_start=dt.date(2020, 9, 28),
        period_end=dt.date(2020, 9, 28),
        built_at=timezone.now(),
        figures={},
    )


def rows(bulletin):
    return sorted(bulletin.deliveries.values_list("email", "status"))


# --- the claim, unit-level (Django's locmem outbox) -------------------------------------


@pytest.mark.django_db
def test_a_second_run_during_the_first_ones_smtp_call_emails_each_recipient_once(
    hall_a, mailoutbox
):
    """A duplicate of the task starts while the first run waits for the SMTP server."""
    bulletin = make_bulletin(hall_a)
    real_send = locmem.EmailBackend.send_messages
    second = []

    def send_with_a_duplicate_run(backend, messages):
        if not second:
            second.append("running")
            with pytest.raises(DeliveryInProgress):  # a's claim is fresh: not sent again
                bulletin_send(bulletin=Bulletin.objects.get(pk=bulletin.pk))
        return real_send(backend, messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", send_with_a_duplicate_run):
        assert bulletin_send(bulletin=bulletin) == 1  # b and c went with the second run

    assert sorted(m.to[0] for m in mailoutbox) == EMAILS
    assert rows(bulletin) == [(address, "sent") for address in EMAILS]
    assert bulletin_send(bulletin=bulletin) == 0


@pytest.mark.skipif(
    "sqlite" in django_settings.DATABASES["default"]["ENGINE"],
    reason="SQLite's in-memory test database locks whole tables between threads",
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_email_each_recipient_once(hall_a):
    """Two runs of the same send at the same time, in threads with their own connections:
    the claim's row lock decides (PostgreSQL leg)."""
    bulletin = make_bulletin(hall_a)
    real_send = locmem.EmailBackend.send_messages
    both_started = threading.Barrier(2, timeout=10)

    def slow_send(backend, messages):
        time.sleep(0.2)  # the SMTP conversation: the other run tries the same rows meanwhile
        return real_send(backend, messages)

    outcomes = []

    def run():
        try:
            both_started.wait()
            outcomes.append(bulletin_send(bulletin=Bulletin.objects.get(pk=bulletin.pk)))
        except DeliveryInProgress as busy:
            outcomes.append(busy)
        finally:
            connection.close()

    mail.outbox = []
    with mock.patch.object(locmem.EmailBackend, "send_messages", slow_send):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert sorted(m.to[0] for m in mail.outbox) == EMAILS
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3
    assert rows(bulletin) == [(address, "sent") for address in EMAILS]
    # Each run either finished or found the other's claims fresh and said when to look again.
    assert len(outcomes) == 2
    assert all(isinstance(o, int | DeliveryInProgress) for o in outcomes)
    # And a third run afterwards sends nothing.
    assert bulletin_send(bulletin=bulletin) == 0
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_claim_is_recorded_before_the_smtp_call(hall_a, mailoutbox):
    bulletin = make_bulletin(hall_a)
    seen = []

    def inspect(backend, messages):
        for message in messages:
            delivery = BulletinDelivery.objects.get(email=message.to[0])
            seen.append((delivery.status, delivery.message_id, delivery.attempt_id))
            assert message.message()["Message-ID"] == delivery.message_id
        return len(messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", inspect):
        assert bulletin_send(bulletin=bulletin) == 3

    assert [status for status, _id, _attempt in seen] == ["sending"] * 3
    assert all(message_id.startswith("<") and attempt for _s, message_id, attempt in seen)
    assert rows(bulletin) == [(address, "sent") for address in EMAILS]


@pytest.mark.django_db
def test_a_fresh_claim_of_another_attempt_is_not_sent_again(hall_a, mailoutbox, settings):
    settings.BULLETIN_DELIVERY_STALE_AFTER = 600
    bulletin = make_bulletin(hall_a)
    BulletinDelivery.objects.create(
        bulletin=bulletin,
        email="a@example.com",
        status="sending",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=30),
        message_id="<first@hall>",
    )

    with pytest.raises(DeliveryInProgress) as busy:
        bulletin_send(bulletin=bulletin)

    assert sorted(m.to[0] for m in mailoutbox) == ["b@example.com", "c@example.com"]
    assert 560 < busy.value.wait <= 572  # looks again once the claim would be stale
    assert rows(bulletin) == [
        ("a@example.com", "sending"),
        ("b@example.com", "sent"),
        ("c@example.com", "sent"),
    ]


@pytest.mark.django_db
def test_a_stale_claim_is_sent_again_with_its_message_id(hall_a, mailoutbox, settings, caplog):
    settings.BULLETIN_DELIVERY_STALE_AFTER = 600
    bulletin = make_bulletin(hall_a)
    BulletinDelivery.objects.create(
        bulletin=bulletin,
        email="a@example.com",
        status="sending",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=601),
        message_id="<first@hall>",
    )

    with caplog.at_level(logging.WARNING, logger="reports.services"):
        assert bulletin_send(bulletin=bulletin) == 3

    [again] = [m for m in mailoutbox if m.to == ["a@example.com"]]
    assert again.message()["Message-ID"] == "<first@hall>"
    delivery = BulletinDelivery.objects.get(email="a@example.com")
    assert (delivery.status, delivery.message_id, delivery.attempts) == (
        "sent",
        "<first@hall>",
        2,
    )
    assert "stale" in caplog.text and "<first@hall>" in caplog.text


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_with_its_message_id_a_resend_gets_a_new_one(
    hall_a, mailoutbox
):
    bulletin = make_bulletin(hall_a)
    real_send = locmem.EmailBackend.send_messages
    calls = {"n": 0}

    def time_out_once(backend, messages):
        calls["n"] += 1
        if calls["n"] == 1:  # e.g. no reply to DATA in time: the server may have it
            raise TimeoutError("timed out")
        return real_send(backend, messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", time_out_once):
        with pytest.raises(TimeoutError):
            bulletin_send(bulletin=bulletin)
        first_id = BulletinDelivery.objects.get(email="a@example.com").message_id
        assert BulletinDelivery.objects.get(email="a@example.com").status == "failed"
        assert bulletin_send(bulletin=bulletin) == 1

    [again] = [m for m in mailoutbox if m.to == ["a@example.com"]]
    assert again.message()["Message-ID"] == first_id
    bulletin_send(bulletin=bulletin, resend=True)
    assert BulletinDelivery.objects.get(email="a@example.com").message_id != first_id


def test_the_timeouts_are_chained():
    """SMTP timeout < hard limit < stale claim; every hard limit and retry countdown <
    the visibility timeout."""
    s = django_settings
    assert 0 < s.EMAIL_TIMEOUT < s.BULLETIN_TASK_SOFT_TIME_LIMIT < s.BULLETIN_TASK_TIME_LIMIT
    assert s.BULLETIN_TASK_TIME_LIMIT < s.BULLETIN_DELIVERY_STALE_AFTER
    assert s.CELERY_TASK_TIME_LIMIT < s.REMINDER_STALE_AFTER  # the reminders' task
    longest = (s.CELERY_TASK_TIME_LIMIT, s.BULLETIN_TASK_TIME_LIMIT)
    longest_countdown = (s.BULLETIN_DELIVERY_STALE_AFTER, s.REMINDER_STALE_AFTER)
    assert max(*longest, *longest_countdown) < s.CELERY_VISIBILITY_TIMEOUT
    assert s.CELERY_VISIBILITY_TIMEOUT < 3600
    for task in (tasks.build_and_send_bulletin, tasks.send_bulletin):
        assert task.time_limit == s.BULLETIN_TASK_TIME_LIMIT
        assert task.soft_time_limit == s.BULLETIN_TASK_SOFT_TIME_LIMIT
        assert task.acks_late


def test_redis_gets_the_visibility_timeout(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    script = (
        "from hall.settings import local as s; "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], "
        "s.CELERY_VISIBILITY_TIMEOUT)"
    )
    out = subprocess.run(
        [os.fspath(Path(CELERY).with_name("python")), "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0] == out[1] and int(out[0]) < 3600


# --- the fault: a real worker killed while the SMTP server holds back its reply ---------


class StallingServer:
    """An SMTP server that queues each email when its DATA ends and answers 250, except
    that the first time it holds back the answer until released: a worker killed then has
    handed over an email it never learns was accepted."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, message["Message-ID"]))
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 OK queued"


def pool_processes(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class WorkerDatabase:
    """The test's database as the worker sees it: PostgreSQL's test database itself; for
    SQLite's in-memory test database, a file copy the worker uses and the test reads."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            db = connection.settings_dict
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"

    def rows(self, query: str) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=10) as db:
                return db.execute(query).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()


def bulletin_job(hall) -> tuple[str, tuple, str]:
    bulletin = make_bulletin(hall)
    query = (
        "SELECT email, status, message_id, attempts FROM reports_bulletindelivery ORDER BY email"
    )
    return "reports.tasks.send_bulletin", (bulletin.pk,), query


def reminders_job(hall) -> tuple[str, tuple, str]:
    from tests.reports.test_reminders import case
    from tests.windows.factories import UserFactory

    for address in EMAILS:
        case(hall, UserFactory(username=address[0], email=address), dt.date(2020, 9, 28))
    query = (
        "SELECT u.email, r.status, r.message_id, 0 FROM evaluations_remindersent r "
        "JOIN auth_user u ON u.id = r.user_id ORDER BY u.email"
    )
    return "reports.tasks.send_daily_reminders", (REMINDER_DAY.isoformat(),), query


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make_job", [bulletin_job, reminders_job], ids=["bulletin", "reminders"])
@pytest.mark.parametrize(
    "make_broker", [filesystem_broker, redis_broker], ids=["filesystem", "redis"]
)
def test_a_pool_process_killed_mid_send_emails_each_recipient_once(
    tmp_path, make_broker, make_job, hall_a
):
    task_name, args, query = make_job(hall_a)
    database = WorkerDatabase(tmp_path)
    env, client = make_broker(tmp_path)
    queue = f"test-delivery-{os.getpid()}-{time.monotonic_ns()}"
    smtp = StallingServer()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.local",
        "DATABASE_URL": database.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_TIMEOUT": "10",
        "BULLETIN_DELIVERY_STALE_AFTER": "3",  # a dead attempt's claim, judged within seconds
        "REMINDER_STALE_AFTER": "3",
        **env,
    }
    if "REDIS_URL" not in env:
        worker_env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [
            *(CELERY, "-A", "hall", "worker", "--pool", "prefork", "--concurrency", "1"),
            *("-Q", queue, "--loglevel", "INFO", "--without-heartbeat", "--without-gossip"),
        ],
        cwd=ROOT,
        env=worker_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        client.send_task(task_name, args=args, queue=queue)
        assert smtp.stalled.wait(40), "the worker never reached the SMTP server"
        [pool] = pool_processes(worker.pid)
        os.kill(pool, signal.SIGKILL)  # mid-send: the server has the email, not the worker
        wait_until(lambda: not Path(f"/proc/{pool}").exists(), 10, "the pool process to die")
        smtp.release.set()

        final = wait_until(
            lambda: (
                (rows := database.rows(query))
                and len(rows) == 3
                and all(row[1] == "sent" for row in rows)
                and rows
            ),
            45,
            "every delivery to be sent",
        )
    finally:
        smtp.release.set()
        os.killpg(worker.pid, signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
        controller.stop()
    log = stderr.decode()

    by_recipient = defaultdict(list)
    for rcpt, message_id in smtp.received:
        by_recipient[rcpt].append(message_id)
    # Exactly one email per recipient, by Message-ID ...
    assert {rcpt: len(set(ids)) for rcpt, ids in by_recipient.items()} == dict.fromkeys(
        EMAILS, 1
    ), smtp.received
    assert [(row[0], row[1], row[2]) for row in final] == [
        (rcpt, "sent", by_recipient[rcpt][0]) for rcpt in EMAILS
    ]
    # ... and the one window left: the server had accepted a's email before the kill; the
    # stale claim sent it again, with the same Message-ID, so receivers can drop the copy.
    assert len(by_recipient["a@example.com"]) == 2
    if make_job is bulletin_job:
        assert [row[3] for row in final] == [2, 1, 1]  # attempts
    assert "WorkerLostError" in log, log
    assert "stale" in log, log


# --- the daily reminders: the same claim (ReminderSent) ----------------------------------


@pytest.fixture
def due_case(hall_a):
    from tests.reports.test_reminders import case
    from tests.windows.factories import UserFactory

    handler = UserFactory(username="handler", email="handler@example.com")
    case(hall_a, handler, dt.date(2020, 9, 28))
    return handler


@pytest.mark.django_db
def test_a_reminder_is_claimed_before_the_smtp_call_and_marked_sent_after(due_case, mailoutbox):
    seen = []
    real_send = locmem.EmailBackend.send_messages

    def inspect(backend, messages):
        row = ReminderSent.objects.get(user=due_case, day=REMINDER_DAY)
        seen.append((row.status, row.message_id, messages[0].message()["Message-ID"]))
        return real_send(backend, messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", inspect):
        assert reminders_send(day=REMINDER_DAY) == 1

    [(status, recorded, header)] = seen
    assert status == "sending" and recorded == header
    row = ReminderSent.objects.get()
    assert (row.status, row.message_id) == ("sent", header) and row.sent_at
    assert reminders_send(day=REMINDER_DAY) == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_fresh_reminder_claim_is_not_sent_again_a_stale_one_is_with_its_message_id(
    due_case, mailoutbox, settings, caplog
):
    settings.REMINDER_STALE_AFTER = 600
    row = ReminderSent.objects.create(
        user=due_case,
        day=REMINDER_DAY,
        status="sending",
        claimed_at=timezone.now() - dt.timedelta(seconds=30),
        message_id="<reminder@hall>",
    )

    with pytest.raises(RemindersInProgress) as busy:
        reminders_send(day=REMINDER_DAY)
    assert mailoutbox == []
    assert 560 < busy.value.wait <= 572

    row.claimed_at = timezone.now() - dt.timedelta(seconds=601)
    row.save()
    with caplog.at_level(logging.WARNING, logger="reports.reminders"):
        assert reminders_send(day=REMINDER_DAY) == 1

    [again] = mailoutbox
    assert again.message()["Message-ID"] == "<reminder@hall>"
    assert ReminderSent.objects.get().status == "sent"
    assert "stale" in caplog.text


@pytest.mark.django_db
def test_the_reminder_task_looks_again_when_the_claim_would_be_stale(due_case, settings):
    settings.REMINDER_STALE_AFTER = 600
    ReminderSent.objects.create(
        user=due_case, day=REMINDER_DAY, status="sending", claimed_at=timezone.now()
    )

    with mock.patch.object(tasks.send_daily_reminders, "retry") as retry:
        retry.side_effect = RuntimeError("retried")
        with pytest.raises(RuntimeError, match="retried"):
            tasks.send_daily_reminders.run(REMINDER_DAY.isoformat())

    assert 590 < retry.call_args.kwargs["countdown"] <= 601
    assert retry.call_args.kwargs["args"] == (REMINDER_DAY.isoformat(),)
