"""rating_submit: the one place a rating is created, with every rule it enforces."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.services.ratings import rating_submit
from tests.evaluations.tablet_factories import finished_visit, paired_tablet
from tests.windows.factories import VisitFactory, WindowFactory
from windows.models import Visit

pytestmark = pytest.mark.django_db
TABLET = Rating.Source.TABLET


@pytest.fixture
def window(hall_a):
    return WindowFactory(hall=hall_a, number=3)


@pytest.fixture
def visit(window):
    return finished_visit(window, seconds_ago=5)


def submit(visit, **kwargs) -> Rating:
    values = {"level": 5, "source": TABLET, **kwargs}
    return rating_submit(visit=visit, **values)


def refused(english, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        submit(**kwargs)
    assert Rating.objects.count() == 0
    assert Complaint.objects.count() == 0
    return caught.value


def test_a_good_rating_is_stored_and_opens_no_case(visit):
    client_id = uuid.uuid4()

    rating = submit(visit, level=4, client_id=client_id)

    stored = Rating.objects.get()
    assert stored == rating
    assert (stored.visit, stored.level, stored.source, stored.client_id) == (
        visit,
        4,
        TABLET,
        client_id,
    )
    assert stored.reasons == []
    assert stored.callback_phone == ""
    assert Complaint.objects.count() == 0


def test_a_bad_rating_opens_a_follow_up_case_with_what_the_citizen_said(visit):
    rated_at = dt.datetime(2020, 9, 28, 10, 0, tzinfo=dt.UTC)

    rating = submit(
        visit,
        level=1,
        reasons=["attitude", "other", "attitude"],
        comment="  窗口无人  ",
        callback_phone="138 1234-5678",
        rated_at=rated_at,
    )

    assert rating.reasons == ["attitude", "other"]
    assert rating.comment == "窗口无人"
    assert rating.callback_phone == "13812345678"
    case = Complaint.objects.get()
    assert case.rating == rating
    assert case.hall == visit.hall
    assert case.level == 1
    assert case.reasons == ["attitude", "other"]
    assert case.comment == "窗口无人"
    assert case.callback_phone == "13812345678"
    assert case.status == Complaint.Status.RECEIVED
    assert case.due_date == dt.date(2020, 9, 29)


@pytest.mark.parametrize("phone", ["13812345678", "+8613812345678", "025-5212 3456", "5212345"])
def test_a_chinese_mobile_or_landline_is_accepted(visit, phone):
    rating = submit(visit, level=2, reasons=["long_wait"], callback_phone=phone)

    assert rating.callback_phone == phone.replace(" ", "").replace("-", "")


@pytest.mark.parametrize("level", [0, 6, -1, "5", True, None])
def test_a_level_outside_one_to_five_is_refused(english, visit, level):
    error = refused(english, visit=visit, level=level)

    assert error.message_dict == {"level": ["A rating is a level from 1 to 5."]}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"level": 2}, "reasons", "Choose at least one reason for a bad review."),
        ({"level": 1, "reasons": ["rude"]}, "reasons", "Unknown reason: rude."),
        (
            {"level": 5, "reasons": ["attitude"]},
            "reasons",
            "Reasons are given only with a bad review.",
        ),
        (
            {"level": 2, "reasons": ["other"]},
            "comment",
            "Describe the other reason in a few words.",
        ),
        (
            {"level": 2, "reasons": ["other"], "comment": "   "},
            "comment",
            "Describe the other reason in a few words.",
        ),
        (
            {"level": 2, "reasons": ["other"], "comment": "长" * 501},
            "comment",
            "Keep the comment under 500 characters.",
        ),
        (
            {"level": 4, "callback_phone": "13812345678"},
            "callback_phone",
            "A callback is offered only with a bad review.",
        ),
        *[
            (
                {"level": 1, "reasons": ["attitude"], "callback_phone": phone},
                "callback_phone",
                "Enter a phone number of 7 to 15 digits (may start with +86).",
            )
            for phone in ["123456", "1381234567890123", "138abc45678", "+8513812345678", "+86"]
        ],
        ({"source": "phone"}, "source", "Unknown rating source."),
    ],
)
def test_bad_input_is_refused_with_the_message_the_user_sees(
    english, visit, kwargs, field, message
):
    error = refused(english, visit=visit, **kwargs)

    assert error.message_dict == {field: [message]}


def test_an_imported_bad_rating_needs_no_reason(visit):
    rating = submit(visit, level=1, source=Rating.Source.IMPORT)

    assert rating.reasons == []
    assert Complaint.objects.get().rating == rating


@pytest.mark.parametrize("status", [Visit.Status.TRANSFERRED, Visit.Status.NO_SHOW])
def test_only_a_completed_visit_can_be_rated(english, window, status):
    visit = finished_visit(window, status=status)

    error = refused(english, visit=visit)

    assert (error.code, error.message) == ("not_completed", "Only a completed visit can be rated.")


def test_a_visit_is_rated_once(english, visit):
    first = submit(visit, level=5)

    with pytest.raises(ValidationError) as caught:
        submit(visit, level=1, reasons=["attitude"])

    assert (caught.value.code, caught.value.message) == (
        "already_rated",
        "This visit has already been rated.",
    )
    assert list(Rating.objects.all()) == [first]
    assert Complaint.objects.count() == 0


def test_the_same_client_id_again_returns_the_first_rating(visit):
    client_id = uuid.uuid4()
    first = submit(visit, level=2, reasons=["long_wait"], client_id=client_id)

    again = submit(visit, level=2, reasons=["long_wait"], client_id=client_id)

    assert again == first
    assert Rating.objects.count() == 1
    assert Complaint.objects.count() == 1


def test_a_client_id_used_for_another_visit_is_refused(english, window, visit):
    client_id = uuid.uuid4()
    first = submit(visit, client_id=client_id)
    other = finished_visit(window, seconds_ago=1)

    with pytest.raises(ValidationError) as caught:
        submit(other, client_id=client_id)

    assert (caught.value.code, caught.value.message) == (
        "client_id_conflict",
        "This submission id was already used for another visit.",
    )
    assert list(Rating.objects.all()) == [first]


def test_a_tablet_rates_only_visits_of_its_own_window(english, hall_a, visit):
    device, _token = paired_tablet(WindowFactory(hall=hall_a, number=4))

    error = refused(english, visit=visit, device=device)

    assert (error.code, error.message) == (
        "wrong_window",
        "This visit was not served at this tablet's window.",
    )


def test_a_tablet_rates_within_the_halls_timeout(english, window):
    device, _token = paired_tablet(window)
    visit = finished_visit(window, seconds_ago=61)

    error = refused(english, visit=visit, device=device)

    assert (error.code, error.message) == (
        "timed_out",
        "The time for rating this visit is over; it stays unrated.",
    )


def test_the_timeout_counts_from_the_tap_not_from_the_arrival(window):
    device, _token = paired_tablet(window)
    visit = finished_visit(window, seconds_ago=300)

    rating = submit(visit, device=device, rated_at=visit.finished_at + dt.timedelta(seconds=59))

    assert rating.device == device
    assert rating.rated_at == visit.finished_at + dt.timedelta(seconds=59)


def test_the_timeout_follows_the_halls_setting(window):
    window.hall.rating_timeout_seconds = 600
    window.hall.save()
    device, _token = paired_tablet(window)
    visit = finished_visit(window, seconds_ago=300)

    rating = submit(visit, device=device)

    assert Rating.objects.get() == rating


def test_without_a_device_there_is_no_timeout(window):
    visit = VisitFactory(hall=window.hall, window=window)

    rating = submit(visit, source=Rating.Source.API, rated_at=timezone.now())

    assert rating.visit == visit
