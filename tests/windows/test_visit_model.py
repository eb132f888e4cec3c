import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.windows.factories import SHANGHAI, VisitFactory
from windows.models import Visit

pytestmark = pytest.mark.django_db


def test_a_ticket_started_once_is_one_visit():
    visit = VisitFactory(ticket_no="A012")

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(hall=visit.hall, window=visit.window, ticket_no="A012")

    assert Visit.objects.count() == 1


def test_the_same_ticket_number_on_another_day_is_another_visit():
    visit = VisitFactory(ticket_no="A012")
    VisitFactory(
        hall=visit.hall, window=visit.window, ticket_no="A012", service_date=dt.date(2020, 9, 29)
    )

    assert Visit.objects.filter(ticket_no="A012").count() == 2


def test_a_visit_cannot_finish_before_it_starts():
    started = dt.datetime(2020, 9, 28, 9, 30, tzinfo=SHANGHAI)

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(started_at=started, finished_at=started - dt.timedelta(seconds=1))


def test_a_completed_visit_needs_its_finish_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(finished_at=None)


def test_a_no_show_has_no_finish_time():
    visit = VisitFactory(status=Visit.Status.NO_SHOW, finished_at=None)

    assert visit.service_time is None


def test_a_visit_handles_at_least_one_item():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(item_count=0)


def test_waiting_and_service_times_are_derived():
    visit = VisitFactory()

    assert (visit.waiting_time, visit.service_time) == (
        dt.timedelta(minutes=12),
        dt.timedelta(minutes=8),
    )
