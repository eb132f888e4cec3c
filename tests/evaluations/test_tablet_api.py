"""The tablet's JSON API: its state and rating submission, open to its own paired tablet only."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.services.devices import tablet_revoke
from tests.evaluations.tablet_factories import as_tablet, finished_visit, paired_tablet, sign_in
from tests.windows.factories import StaffFactory, WindowFactory

pytestmark = pytest.mark.django_db
STATE = "/api/v1/tablet/state"
RATINGS = "/api/v1/tablet/ratings"
# The paths of the kiosk pages loaded before the API moved under /api/v1/: still served.
OLD_STATE = "/tablet/api/state"
OLD_RATINGS = "/tablet/api/ratings"


@pytest.fixture
def window(hall_a):
    return WindowFactory(hall=hall_a, number=3, name="3号窗口")


@pytest.fixture
def tablet(window):
    return paired_tablet(window)


@pytest.fixture
def device(tablet):
    return tablet[0]


@pytest.fixture
def tablet_client(en_client, tablet):
    return as_tablet(en_client, tablet[1])


@pytest.fixture
def csrf_client(tablet):
    """The kiosk browser: the device cookie, and CSRF checked as in production."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    return as_tablet(client, tablet[1])


def post_rating(client, visit, path=RATINGS, **fields):
    body = {"visit_id": visit.pk, "level": 5, "client_id": str(uuid.uuid4()), **fields}
    return client.post(path, json.dumps(body), content_type="application/json", **_extra(client))


def _extra(client):
    token = client.cookies.get("csrftoken")
    return {"HTTP_X_CSRFTOKEN": token.value} if token else {}


def test_reverse_names():
    assert reverse("tablet-state") == STATE
    assert reverse("tablet-ratings") == RATINGS
    assert reverse("tablet:api-state") == OLD_STATE
    assert reverse("tablet:api-ratings") == OLD_RATINGS


# ---- state ----


def test_an_idle_tablet_shows_the_staff_member_signed_in(tablet_client, window):
    staff = StaffFactory(hall=window.hall, badge_no="0301", display_name="王芳", job_title="科员")
    sign_in(window, staff)

    response = tablet_client.get(STATE)

    assert response.status_code == 200
    assert response.json() == {
        "hall": "甲大厅",
        "window": {"number": 3, "name": "3号窗口"},
        "staff": {
            "name": "王芳",
            "badge_no": "0301",
            "job_title": "科员",
            "department": "",
            "photo_url": "",
            "initials": "王芳",
        },
        "pending": None,
        "serving": None,
        "invite_questionnaire": False,
    }


def test_a_window_nobody_signed_in_to_shows_no_staff(tablet_client, window):
    other = WindowFactory(hall=window.hall, number=4)
    sign_in(other, StaffFactory(hall=window.hall))

    assert tablet_client.get(STATE).json()["staff"] is None


def test_a_finished_visit_is_pending_until_the_timeout(tablet_client, window):
    visit = finished_visit(window, seconds_ago=10, ticket_no="A017")

    pending = tablet_client.get(STATE).json()["pending"]

    deadline = visit.finished_at + dt.timedelta(seconds=60)
    assert pending["visit_id"] == visit.pk
    assert pending["ticket_no"] == "A017"
    assert dt.datetime.fromisoformat(pending["deadline"]) == deadline
    assert pending["seconds_left"] in (49, 50)


@pytest.mark.parametrize("seconds_ago", [60, 61, 3600])
def test_a_visit_past_the_timeout_is_not_pending(tablet_client, window, seconds_ago):
    finished_visit(window, seconds_ago=seconds_ago)

    assert tablet_client.get(STATE).json()["pending"] is None


def test_a_rated_visit_is_not_pending(tablet_client, window):
    visit = finished_visit(window)
    post_rating(tablet_client, visit)

    assert tablet_client.get(STATE).json()["pending"] is None


def test_only_the_latest_visit_of_the_window_is_pending(tablet_client, window):
    finished_visit(window, seconds_ago=20)
    latest = finished_visit(window, seconds_ago=10)
    finished_visit(WindowFactory(hall=window.hall, number=4), seconds_ago=1)

    assert tablet_client.get(STATE).json()["pending"]["visit_id"] == latest.pk


def test_the_device_header_works_too(en_client, tablet):
    response = en_client.get(STATE, HTTP_AUTHORIZATION=f"Device {tablet[1]}")

    assert response.status_code == 200


# ---- who may not ----


def unpaired(client, tablet):
    return client


def revoked(client, tablet):
    tablet_revoke(device=tablet[0])
    return as_tablet(client, tablet[1])


def wrong_token(client, tablet):
    return as_tablet(client, "not-a-token")


def manager_session(client, tablet):
    client.force_login(tablet[0].window.hall.accesses.get().user)
    return client


def staff_session(client, tablet):
    client.force_login(StaffFactory(hall=tablet[0].window.hall).user)
    return client


OUTSIDERS = [unpaired, revoked, wrong_token, manager_session, staff_session]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_only_a_paired_tablet_reads_the_state(english, en_client, manager_a, tablet, outsider):
    response = outsider(en_client, tablet).get(STATE)

    assert response.status_code == 401
    assert response.json()["detail"] in (
        "This tablet is not paired.",
        "Authentication credentials were not provided.",
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_only_a_paired_tablet_submits_ratings(english, en_client, manager_a, tablet, outsider):
    visit = finished_visit(tablet[0].window)

    response = post_rating(outsider(en_client, tablet), visit)

    assert response.status_code == 401
    assert response.json() == {"detail": "This tablet is not paired."}
    assert Rating.objects.count() == 0


def test_a_revoked_header_token_is_refused(english, en_client, tablet):
    tablet_revoke(device=tablet[0])

    response = en_client.get(STATE, HTTP_AUTHORIZATION=f"Device {tablet[1]}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Device"


# ---- rating submission ----


def test_the_kiosk_submits_with_its_cookie_and_csrf_token(csrf_client, device):
    csrf_client.get("/tablet/")  # the page sets the CSRF cookie it embeds
    visit = finished_visit(device.window)
    client_id = uuid.uuid4()

    response = post_rating(
        csrf_client,
        visit,
        level=2,
        reasons=["long_wait", "other"],
        comment="排队太久",
        phone="13812345678",
        client_id=str(client_id),
    )

    assert response.status_code == 201
    rating = Rating.objects.get()
    assert response.json() == {
        "id": rating.pk,
        "visit": visit.pk,
        "level": 2,
        "reasons": ["long_wait", "other"],
        "rated_at": response.json()["rated_at"],
        "client_id": str(client_id),
    }
    assert (rating.device, rating.source, rating.callback_phone) == (
        device,
        Rating.Source.TABLET,
        "13812345678",
    )
    assert Complaint.objects.get().rating == rating


def test_a_cookie_without_the_csrf_token_is_refused(english, csrf_client, device):
    visit = finished_visit(device.window)

    response = csrf_client.post(
        RATINGS,
        json.dumps({"visit_id": visit.pk, "level": 5, "client_id": str(uuid.uuid4())}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF check failed")
    assert Rating.objects.count() == 0


def test_an_integration_submits_with_the_device_header(tablet, window):
    client = Client(enforce_csrf_checks=True)
    visit = finished_visit(window)

    response = client.post(
        RATINGS,
        json.dumps({"visit_id": visit.pk, "level": 4, "client_id": str(uuid.uuid4())}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {tablet[1]}",
    )

    assert response.status_code == 201
    assert Rating.objects.get().level == 4


def test_a_retry_with_the_same_client_id_counts_once(tablet_client, window):
    visit = finished_visit(window)
    client_id = str(uuid.uuid4())

    first = post_rating(tablet_client, visit, level=1, reasons=["attitude"], client_id=client_id)
    second = post_rating(tablet_client, visit, level=1, reasons=["attitude"], client_id=client_id)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Rating.objects.count() == 1
    assert Complaint.objects.count() == 1


def test_a_second_rating_of_the_visit_is_refused(english, tablet_client, window):
    visit = finished_visit(window)
    post_rating(tablet_client, visit, level=5)

    response = post_rating(tablet_client, visit, level=1, reasons=["attitude"])

    assert response.status_code == 409
    body = response.json()
    assert (body["error"], body["message"]) == (
        "already_rated",
        "This visit has already been rated.",
    )
    assert body["state"]["pending"] is None
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_a_visit_of_another_window_is_refused(english, tablet_client, window):
    visit = finished_visit(WindowFactory(hall=window.hall, number=4))

    response = post_rating(tablet_client, visit)

    assert response.status_code == 403
    assert response.json() == {
        "error": "wrong_window",
        "message": "This visit was not served at this tablet's window.",
    }
    assert Rating.objects.count() == 0


def test_a_visit_of_another_hall_is_not_found(english, tablet_client, hall_b):
    visit = finished_visit(WindowFactory(hall=hall_b, number=3))

    response = post_rating(tablet_client, visit)

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "No such visit."}
    assert Rating.objects.count() == 0


def test_a_timed_out_visit_stays_unrated(english, tablet_client, window):
    visit = finished_visit(window, seconds_ago=61)

    response = post_rating(tablet_client, visit)

    assert response.status_code == 409
    body = response.json()
    body.pop("state")
    assert body == {
        "error": "timed_out",
        "message": "The time for rating this visit is over; it stays unrated.",
    }
    assert Rating.objects.count() == 0


def test_a_rating_kept_offline_counts_from_when_it_was_tapped(tablet_client, window):
    visit = finished_visit(window, seconds_ago=100)
    before = timezone.now()

    response = post_rating(tablet_client, visit, age_ms=70_000)

    assert response.status_code == 201
    rated_at = Rating.objects.get().rated_at
    assert (
        before - dt.timedelta(seconds=70) <= rated_at <= timezone.now() - dt.timedelta(seconds=70)
    )


def test_a_rating_kept_offline_past_the_timeout_is_refused(english, tablet_client, window):
    visit = finished_visit(window, seconds_ago=100)

    response = post_rating(tablet_client, visit, age_ms=30_000)

    assert response.status_code == 409
    assert response.json()["error"] == "timed_out"
    assert Rating.objects.count() == 0


def test_a_claimed_tap_before_the_visit_finished_counts_as_at_the_finish(tablet_client, window):
    visit = finished_visit(window, seconds_ago=10)

    post_rating(tablet_client, visit, age_ms=600_000)

    assert Rating.objects.get().rated_at == visit.finished_at


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"level": 0}, "level", "Ensure this value is greater than or equal to 1."),
        ({"level": 6}, "level", "Ensure this value is less than or equal to 5."),
        ({"level": "good"}, "level", "A valid integer is required."),
        ({"level": 2}, "reasons", "Choose at least one reason for a bad review."),
        ({"level": 2, "reasons": ["rude"]}, "reasons", "Unknown reason: rude."),
        (
            {"level": 2, "reasons": ["other"]},
            "comment",
            "Describe the other reason in a few words.",
        ),
        (
            {"level": 1, "reasons": ["attitude"], "phone": "12345"},
            "phone",
            "Enter a phone number of 7 to 15 digits (may start with +86).",
        ),
        ({"client_id": "abc"}, "client_id", "Must be a valid UUID."),
        ({"visit_id": "x"}, "visit_id", "A valid integer is required."),
        ({"age_ms": -1}, "age_ms", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_input_is_refused_with_the_message_the_user_sees(
    english, tablet_client, window, fields, field, message
):
    visit = finished_visit(window)

    response = post_rating(tablet_client, visit, **fields)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "message": message, "fields": {field: [message]}}
    assert Rating.objects.count() == 0
    assert Complaint.objects.count() == 0


def test_a_missing_field_is_refused(english, tablet_client, window):
    response = tablet_client.post(
        RATINGS,
        json.dumps({"visit_id": finished_visit(window).pk}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "level": ["This field is required."],
        "client_id": ["This field is required."],
    }
    assert Rating.objects.count() == 0


def test_the_state_is_read_only(tablet_client):
    assert tablet_client.post(STATE).status_code == 405


def test_a_tablet_sending_too_many_ratings_is_throttled(tablet_client, window):
    visit = finished_visit(window, seconds_ago=1)

    statuses = [post_rating(tablet_client, visit).status_code for _ in range(31)]

    assert statuses == [201] + [409] * 29 + [429]
    assert Rating.objects.count() == 1


def test_a_concurrent_second_rating_loses_the_race(english, window, monkeypatch):
    from evaluations.services import ratings

    visit = finished_visit(window)
    first = ratings.rating_submit(visit=visit, level=5, source=Rating.Source.TABLET)
    monkeypatch.setattr(ratings, "_check_visit", lambda **kwargs: None)

    with pytest.raises(ratings.ValidationError) as caught:
        ratings.rating_submit(
            visit=visit, level=4, source=Rating.Source.TABLET, client_id=uuid.uuid4()
        )

    assert caught.value.code == "already_rated"
    assert list(Rating.objects.all()) == [first]


def test_the_tablet_invites_to_the_questionnaire_after_every_kth_rating(
    tablet_client, window, device
):
    device.questionnaire_every = 2
    device.save()

    states = []
    for _ in range(2):
        assert post_rating(tablet_client, finished_visit(window)).status_code == 201
        states.append(tablet_client.get(STATE).json()["invite_questionnaire"])

    assert states == [False, True]


# ---- the former paths, for a kiosk page loaded before the upgrade ----


def test_the_former_state_path_answers_as_the_new_one(tablet_client, window):
    sign_in(window, StaffFactory(hall=window.hall, badge_no="0301", display_name="王芳"))
    visit = finished_visit(window)

    new = tablet_client.get(STATE)
    old = tablet_client.get(OLD_STATE)

    assert (old.status_code, new.status_code) == (200, 200)
    assert old.json() == new.json()
    assert (old.json()["pending"]["visit_id"], old.json()["staff"]["badge_no"]) == (
        visit.pk,
        "0301",
    )
    assert (old["ETag"], old["Cache-Control"]) == (new["ETag"], "no-cache")
    unchanged = tablet_client.get(OLD_STATE, HTTP_IF_NONE_MATCH=new["ETag"])
    assert (unchanged.status_code, unchanged.content) == (304, b"")


def test_the_kiosk_submits_to_the_former_ratings_path_and_retries_on_the_new_one(
    csrf_client, device
):
    csrf_client.get("/tablet/")  # the page sets the CSRF cookie it embeds
    visit = finished_visit(device.window)
    client_id = str(uuid.uuid4())

    first = post_rating(csrf_client, visit, OLD_RATINGS, level=4, client_id=client_id)
    retry = post_rating(csrf_client, visit, RATINGS, level=4, client_id=client_id)

    rating = Rating.objects.get()
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json() == retry.json()
    assert (first.json()["id"], rating.level, rating.device) == (rating.pk, 4, device)


def test_the_former_ratings_path_still_checks_the_csrf_token(english, csrf_client, device):
    visit = finished_visit(device.window)
    body = {"visit_id": visit.pk, "level": 5, "client_id": str(uuid.uuid4())}

    response = csrf_client.post(OLD_RATINGS, json.dumps(body), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF check failed")
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_the_former_paths_are_for_a_paired_tablet_only(
    english, en_client, manager_a, tablet, outsider
):
    client = outsider(en_client, tablet)
    visit = finished_visit(tablet[0].window)

    assert client.get(OLD_STATE).status_code == 401
    assert post_rating(client, visit, OLD_RATINGS).status_code == 401
    assert Rating.objects.count() == 0


def test_both_paths_share_the_tablets_throttle(tablet_client, window):
    visit = finished_visit(window, seconds_ago=1)

    statuses = [post_rating(tablet_client, visit, path).status_code for path in [RATINGS] * 30]
    statuses.append(post_rating(tablet_client, visit, OLD_RATINGS).status_code)

    assert statuses == [201] + [409] * 29 + [429]
