"""build_bulletin (contracts.md section 6): exit codes, output, the workbook file, --email."""

import io
from unittest import mock

import openpyxl
import pytest
from django.utils import translation

from reports.models import Bulletin, BulletinRecipient
from tests.reports.test_bulletins import make_period_data

pytestmark = pytest.mark.django_db


def run_as_from_the_shell(*args):
    """call_command raises CommandError; run_from_argv prints it and exits like the shell."""
    from reports.management.commands.build_bulletin import Command

    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    # run_from_argv closes every database connection at the end, as a command should;
    # inside a test's transaction (PostgreSQL) that would close the test's own.
    with mock.patch("django.core.management.base.connections.close_all"):
        try:
            command.run_from_argv(["manage.py", "build_bulletin", *args])
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def data(hall_a):
    make_period_data(hall_a)
    BulletinRecipient.objects.create(hall=hall_a, kind="weekly", email="w@example.com")
    return hall_a


def test_builds_the_weekly_bulletin_and_writes_the_workbook(data, tmp_path):
    output = tmp_path / "weekly.xlsx"

    code, out, err = run_as_from_the_shell(
        "--hall", "HA", "--kind", "weekly", "--date", "2020-09-30", "--output", str(output)
    )

    bulletin = Bulletin.objects.get()
    assert (code, err) == (0, "")
    assert out == (
        f"Bulletin {bulletin.pk}: HA weekly 2020-09-28..2020-10-04\nWorkbook written to {output}\n"
    )
    assert openpyxl.load_workbook(output).sheetnames[0] == "汇总"


def test_a_rerun_rebuilds_and_email_is_sent_once(data, mailoutbox):
    args = ("--hall", "HA", "--kind", "weekly", "--date", "2020-09-28", "--email")

    first = run_as_from_the_shell(*args)
    second = run_as_from_the_shell(*args)

    assert first[0] == second[0] == 0
    assert first[1].endswith("Emails sent: 1\n")
    assert second[1].endswith("Emails sent: 0\n")
    assert Bulletin.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["w@example.com"]]


def test_without_email_nothing_is_sent(data, mailoutbox):
    code, out, _err = run_as_from_the_shell(
        "--hall", "HA", "--kind", "daily", "--date", "2020-09-28"
    )

    assert code == 0
    assert "Emails sent" not in out
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--hall", "NOPE", "--kind", "daily", "--date", "2020-09-28"), "Unknown hall 'NOPE'."),
        (
            ("--hall", "HA", "--kind", "yearly", "--date", "2020-09-28"),
            "Bad kind 'yearly': use daily, weekly or monthly.",
        ),
        (
            ("--hall", "HA", "--kind", "daily", "--date", "2020-02-30"),
            "Bad date '2020-02-30': use YYYY-MM-DD.",
        ),
        (
            ("--hall", "HA", "--kind", "daily", "--date", "2020-09-29"),
            "No data: No visits at HA from 2020-09-29 to 2020-09-29.",
        ),
    ],
)
def test_exit_1_with_a_one_line_reason(data, args, reason, mailoutbox):
    with translation.override("en"):
        code, out, err = run_as_from_the_shell(*args, "--email")

    assert code == 1
    assert out == ""
    assert err == f"CommandError: {reason}\n"
    assert Bulletin.objects.count() == 0
    assert mailoutbox == []


# --- --region: the region's monthly bulletin --------------------------------------------


@pytest.fixture
def region(db):
    from reports.regional.models import RegionalBulletinRecipient
    from tests.reports.test_regional_ranking import region_with_two_halls

    region, *_halls = region_with_two_halls()
    RegionalBulletinRecipient.objects.create(region=region, email="bureau@example.com")
    return region


def test_builds_the_regions_monthly_bulletin_writes_it_and_emails_it_once(
    region, tmp_path, mailoutbox
):
    from reports.regional.models import RegionalBulletin

    output = tmp_path / "region.xlsx"
    args = ("--region", "R1", "--kind", "monthly", "--date", "2025-03-15", "--email")

    first = run_as_from_the_shell(*args, "--output", str(output))
    second = run_as_from_the_shell(*args)

    bulletin = RegionalBulletin.objects.get()
    assert first == (
        0,
        f"Regional bulletin {bulletin.pk}: R1 monthly 2025-03-01..2025-03-31\n"
        f"Workbook written to {output}\nEmails sent: 1\n",
        "",
    )
    assert second[1].endswith("Emails sent: 0\n")
    assert [row["hall"] for row in bulletin.figures["halls"]] == ["HB", "HA"]
    assert openpyxl.load_workbook(output).sheetnames[0] == "大厅排名"
    assert [m.to for m in mailoutbox] == [["bureau@example.com"]]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--region", "NOPE", "--kind", "monthly"), "Unknown region 'NOPE'."),
        (
            ("--region", "R1", "--kind", "weekly"),
            "Bad kind 'weekly' for a region: its bulletin is monthly.",
        ),
    ],
)
def test_a_region_exits_1_with_a_one_line_reason(region, args, reason, mailoutbox):
    from reports.regional.models import RegionalBulletin

    with translation.override("en"):
        code, out, err = run_as_from_the_shell(*args, "--date", "2025-03-15", "--email")

    assert (code, out, err) == (1, "", f"CommandError: {reason}\n")
    assert RegionalBulletin.objects.count() == 0
    assert mailoutbox == []


def test_a_hall_and_a_region_at_once_is_refused(region, capsys):
    code, _out, _err = run_as_from_the_shell(
        "--hall", "HA", "--region", "R1", "--kind", "monthly", "--date", "2025-03-15"
    )

    assert code == 2  # argparse: one of them, not both
    assert "not allowed with argument" in capsys.readouterr().err
