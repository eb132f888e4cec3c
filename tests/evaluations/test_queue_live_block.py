"""The results page's live block (today, read from the visits) beside the queue's tickets:
a waiting ticket (no window) and a called one add no row and no figure."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluations.selectors.live import live_figures
from tests.windows.factories import VisitFactory, WindowFactory
from windows.models import QueueCategory, Visit
from windows.rules.hall_time import hall_localdate


@pytest.mark.django_db
def test_waiting_and_called_tickets_change_nothing_in_the_live_block(hall_a):
    window = WindowFactory(hall=hall_a, number=1)
    today = hall_localdate(hall_a)
    category = QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")
    now = timezone.now()
    VisitFactory(hall=hall_a, window=window, service_date=today,
                 started_at=now - dt.timedelta(minutes=20), finished_at=now)  # fmt: skip
    before = live_figures(hall=hall_a)
    queued = {"hall": hall_a, "category": category, "service_date": today, "issued_at": now}
    VisitFactory(**queued, window=None, started_at=None, finished_at=None,
                 status=Visit.Status.WAITING)  # fmt: skip
    VisitFactory(**queued, window=window, called_at=now, started_at=None, finished_at=None,
                 status=Visit.Status.CALLED)  # fmt: skip

    after = live_figures(hall=hall_a)
    assert (after["totals"], after["windows"]) == (before["totals"], before["windows"])
    assert after["totals"]["visits"] == 1
