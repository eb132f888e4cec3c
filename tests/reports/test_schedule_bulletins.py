import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_beat_is_asked_once_for_yesterdays_daily_bulletins():
    out = StringIO()

    with translation.override("en"):
        call_command("schedule_bulletins", "--kind", "daily", "--in-seconds", "30", stdout=out)
        call_command("schedule_bulletins", "--kind", "daily", "--in-seconds", "30", stdout=out)

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    task = PeriodicTask.objects.get(name=f"reports: daily bulletins of {yesterday} (once)")
    assert (task.task, task.one_off, task.enabled) == ("reports.tasks.build_bulletins", True, True)
    assert json.loads(task.kwargs) == {"kind": "daily", "day": yesterday}
    delay = task.clocked.clocked_time - timezone.now()
    assert timedelta(seconds=20) < delay <= timedelta(seconds=30)
    assert out.getvalue().startswith(f"Beat will build the daily bulletins of {yesterday} at ")


def test_a_bad_date_is_refused_and_nothing_is_scheduled():
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("schedule_bulletins", "--kind", "weekly", "--date", "2026-02-30")

    assert str(error.value) == "Bad date 2026-02-30: use YYYY-MM-DD."
    assert not PeriodicTask.objects.filter(name__contains="(once)").exists()
