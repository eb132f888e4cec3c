"""Links that leave a page (emails, printed links) are absolute, from PORTAL_BASE_URL:
the embedded default follows PORT as `make run` does; production refuses to start without
a valid one; every email and printed link uses the configured address (issue 12 item 3)."""

import datetime as dt
import os
import re
from io import StringIO

import pytest
import segno
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from complaints.models import Channel
from complaints.services.alerts import duty_alert_for
from reports.models import BulletinRecipient
from reports.reminders import reminders_send
from reports.services import bulletin_build, bulletin_send
from tests.complaints.test_duty_alerts import duty_leader, new_case
from tests.reports.test_bulletins import MONDAY, make_period_data
from tests.reports.test_reminders import DAY, case, measure
from tests.test_settings import PRODUCTION_ENV, run_manage
from tests.windows.factories import StaffFactory, UserFactory, WindowFactory
from windows.links import absolute_url, portal_url

BASE = "https://hall.example.internal/portal"
PRINT_BASE_URL = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"


def base_url_in_subprocess(tmp_path, **env) -> str:
    result = run_manage(
        "shell",
        "-c",
        PRINT_BASE_URL,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# --- the setting ---------------------------------------------------------------------------


def test_the_embedded_default_is_make_runs_address_on_port(tmp_path):
    assert base_url_in_subprocess(tmp_path, PORT="8123") == "http://127.0.0.1:8123"


def test_without_port_the_embedded_default_is_port_8000(tmp_path):
    # run_manage passes the test's own environment on: take PORT out of it
    saved = os.environ.pop("PORT", None)
    try:
        assert base_url_in_subprocess(tmp_path) == "http://127.0.0.1:8000"
    finally:
        if saved is not None:
            os.environ["PORT"] = saved


def test_a_configured_base_url_wins_over_port_and_loses_its_trailing_slash(tmp_path):
    url = base_url_in_subprocess(tmp_path, PORT="8123", PORTAL_BASE_URL=BASE + "/")

    assert url == BASE


def test_production_refuses_to_start_without_a_portal_base_url():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "PORTAL_BASE_URL"}

    result = run_manage("check", env=env)

    assert result.returncode == 1
    assert "Set the PORTAL_BASE_URL environment variable" in result.stderr


@pytest.mark.parametrize(
    "value", ["hall.example.internal", "ftp://hall.example.internal", "https://", "/portal"]
)
def test_production_refuses_a_base_url_that_is_not_http_or_https(value):
    result = run_manage("check", env={**PRODUCTION_ENV, "PORTAL_BASE_URL": value})

    assert result.returncode == 1
    assert (
        "PORTAL_BASE_URL must be an http:// or https:// address with a host, such as "
        f"https://hall.example.internal, not {value!r}"
    ) in result.stderr


def test_production_starts_with_an_https_base_url():
    result = run_manage("shell", "-c", PRINT_BASE_URL, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://hall.example.internal"


@override_settings(PORTAL_BASE_URL=BASE)
def test_the_helper_joins_the_base_and_a_path():
    assert absolute_url("/complaints/7/") == f"{BASE}/complaints/7/"
    assert absolute_url("complaints/7/") == f"{BASE}/complaints/7/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert portal_url("complaints:detail", 7) == f"{BASE}/complaints/7/"
    assert portal_url("tablet:pair", query={"code": "12345678"}) == (
        f"{BASE}/tablet/pair/?code=12345678"
    )


# --- every email ------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_the_duty_alert_links_the_case_absolutely(
    hall_a, english, mailoutbox, django_capture_on_commit_callbacks
):
    leader = duty_leader(hall_a, "leader").staff.user
    leader.email = "leader@example.com"
    leader.save()
    complaint = new_case(hall_a, channel=Channel.BAD_REVIEW, window=WindowFactory(hall=hall_a))

    with django_capture_on_commit_callbacks(execute=True):
        duty_alert_for(complaint=complaint)

    [email] = mailoutbox
    assert f"Open the case: {BASE}/complaints/{complaint.pk}/\n" in email.body


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_the_daily_reminder_links_cases_and_measures_absolutely(hall_a, english, mailoutbox):
    person = UserFactory(username="handler", first_name="Li", last_name="Ming")
    late = case(hall_a, person, dt.date(2020, 9, 28))
    planned = measure(hall_a, person, dt.date(2020, 9, 29), "延时服务")

    assert reminders_send(day=DAY) == 1

    [email] = mailoutbox
    assert f"overdue by 2 days · {BASE}/complaints/{late.pk}/\n" in email.body
    assert f"overdue by 1 day · {BASE}/rectification/measures/{planned.pk}/\n" in email.body
    assert "· /complaints/" not in email.body


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_the_bulletin_email_links_the_bulletin_absolutely(hall_a, english, mailoutbox):
    make_period_data(hall_a)
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="a@example.com")
    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)

    assert bulletin_send(bulletin=bulletin) == 1

    [email] = mailoutbox
    assert email.body.endswith(f"\nOpen the bulletin: {BASE}/bulletins/{bulletin.pk}/\n")


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_the_password_reset_email_links_the_configured_address(en_client, hall_a, mailoutbox):
    StaffFactory(hall=hall_a, user__email="wangxm@example.com")

    en_client.post("/accounts/password/reset/", {"email": "wangxm@example.com"})

    [email] = mailoutbox
    assert re.search(
        rf"^{re.escape(BASE)}/accounts/password/reset/[\w-]+/[\w-]+/$", email.body, re.M
    )
    assert "http://testserver" not in email.body


# --- every printed link ---------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_tablet_pairing_code_prints_the_configured_address(hall_a):
    WindowFactory(hall=hall_a, number=5)
    out = StringIO()

    with translation.override("en"):
        call_command("tablet_pairing_code", "--hall", "HA", "--window", "5", stdout=out)

    link = out.getvalue().splitlines()[1]
    assert re.fullmatch(rf"Open on the tablet: {re.escape(BASE)}/tablet/pair/\?code=\d{{8}}", link)


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_demo_logins_prints_the_configured_address():
    call_command("seed_demo", "--no-visits", stdout=StringIO())
    out = StringIO()

    with translation.override("en"):
        call_command("demo_logins", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split()[-1] for line in lines[2:7]] == [
        f"{BASE}/admin/",
        f"{BASE}/admin/",
        f"{BASE}/admin/",
        f"{BASE}/",
        f"{BASE}/",
    ]


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL=BASE)
def test_the_admins_pairing_code_page_links_and_encodes_the_configured_address(
    english, en_client, manager_a, hall_a
):
    window = WindowFactory(hall=hall_a, number=5)
    en_client.force_login(manager_a)

    response = en_client.post(
        "/admin/evaluations/tabletdevice/issue/", {"window": window.pk, "label": "新平板"}
    )

    html = response.content.decode()
    code = re.search(r'id="pairing-code"[^>]*>(\d{8})<', html).group(1)
    link = f"{BASE}/tablet/pair/?code={code}"
    assert link in html
    assert segno.make(link, error="m").svg_inline(scale=5, border=2) in html  # the QR code
    assert "http://testserver/tablet/" not in html
