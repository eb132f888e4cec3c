import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from complaints.models import Complaint
from evaluations.models import Rating
from tests.windows.factories import (
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit

pytestmark = pytest.mark.django_db

BATCH = reverse("visit-batch")


def record(ticket: str, **overrides) -> dict:
    return {
        "ticket_no": ticket,
        "issued_at": "2022-01-04 08:30:00",
        "called_at": "2022-01-04 08:40:00",
        "started_at": "2022-01-04 08:41:00",
        "finished_at": "2022-01-04 08:50:00",
        "window_no": 5,
        "staff_badge": "LH005",
        "service_codes": "LHS01;LHS02",
        "status": "completed",
        "rating": 5,
        "rated_at": "2022-01-04 08:50:30",
        **overrides,
    }


@pytest.fixture
def window_a(hall_a):
    ServiceItemFactory(code="LHS01")
    ServiceItemFactory(code="LHS02")
    StaffFactory(hall=hall_a, badge_no="LH005")
    return WindowFactory(hall=hall_a, number=5)


def test_a_manager_posts_a_batch_with_one_bad_record(client, english, manager_a, window_a):
    client.force_login(manager_a)

    response = client.post(
        BATCH,
        {
            "hall": "HA",
            "visits": [
                record("A001"),
                record("A002", rating=None, rated_at=None),
                record("A003", window_no=99),
            ],
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["imported"], body["unchanged"], body["rejected"]) == (2, 0, 1)
    assert body["summary"] == "imported 2, unchanged 0, rejected 1"
    assert [error["message"] for error in body["errors"]] == ["row 3: unknown window 99 of hall HA"]
    assert Visit.objects.filter(hall=window_a.hall).count() == 2
    assert sum(Visit.objects.values_list("item_count", flat=True)) == 4
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_posting_the_same_batch_twice_adds_nothing(client, manager_a, window_a):
    client.force_login(manager_a)
    payload = {"hall": "HA", "visits": [record("A001"), record("A002")]}

    client.post(BATCH, payload, content_type="application/json")
    again = client.post(BATCH, payload, content_type="application/json").json()

    assert (again["imported"], again["unchanged"], again["rejected"]) == (0, 2, 0)
    assert Visit.objects.count() == 2


def test_an_integration_authenticates_with_a_token(client, manager_a, window_a):
    token = Token.objects.create(user=manager_a)

    response = client.post(
        BATCH,
        {"visits": [record("A001", hall_code="HA")]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.json()["imported"] == 1


def test_another_halls_manager_cannot_import_into_this_hall(client, english, manager_b, window_a):
    client.force_login(manager_b)

    response = client.post(
        BATCH, {"visits": [record("A001", hall_code="HA")]}, content_type="application/json"
    )

    assert response.json()["errors"][0]["message"] == "row 1: no permission for hall HA"
    assert Visit.objects.count() == 0


def test_a_fixed_hall_the_caller_cannot_see_refuses_the_whole_batch(
    client, english, manager_b, window_a
):
    client.force_login(manager_b)

    response = client.post(
        BATCH, {"hall": "HA", "visits": [record("A001")]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "no permission for hall HA"}
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.WINDOW_STAFF])
def test_supervisors_and_staff_may_not_post_visits(client, hall_a, window_a, role):
    client.force_login(make_manager(hall_a, "someone", role=role))

    response = client.post(
        BATCH, {"hall": "HA", "visits": [record("A001")]}, content_type="application/json"
    )

    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_anonymous_callers_are_refused(client, window_a):
    response = client.post(
        BATCH, {"hall": "HA", "visits": [record("A001")]}, content_type="application/json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize("payload", [{"hall": "HA", "visits": []}, {"hall": "HA"}, {"visits": "x"}])
def test_a_malformed_batch_is_a_bad_request(client, manager_a, window_a, payload):
    client.force_login(manager_a)

    response = client.post(BATCH, payload, content_type="application/json")

    assert response.status_code == 400
    assert Visit.objects.count() == 0


def test_visits_are_read_back_only_from_the_callers_halls(client, manager_a, manager_b, hall_a):
    visit = VisitFactory(hall=hall_a, ticket_no="A012")
    Rating.objects.create(visit=visit, level=4, rated_at=visit.finished_at, source="import")

    client.force_login(manager_a)
    mine = client.get(reverse("visit-list"), {"hall": "HA", "date": "2020-09-28"}).json()
    client.force_login(manager_b)
    theirs = client.get(reverse("visit-list")).json()
    detail = client.get(reverse("visit-detail", args=[visit.pk]))

    assert [(v["ticket_no"], v["status"], v["rating"]) for v in mine["results"]] == [
        ("A012", "completed", 4)
    ]
    assert theirs["results"] == []
    assert detail.status_code == 404


def test_ratings_are_read_without_the_callback_phone(client, manager_a, manager_b, hall_a):
    visit = VisitFactory(hall=hall_a, ticket_no="A013")
    Rating.objects.create(
        visit=visit,
        level=1,
        rated_at=visit.finished_at,
        source="tablet",
        reasons=["attitude"],
        callback_phone="13812341234",
    )

    client.force_login(manager_a)
    mine = client.get(reverse("rating-list")).json()["results"]
    client.force_login(manager_b)
    theirs = client.get(reverse("rating-list")).json()["results"]

    assert [(r["ticket_no"], r["level"], r["reasons"]) for r in mine] == [("A013", 1, ["attitude"])]
    assert "callback_phone" not in mine[0]
    assert theirs == []


def test_window_staff_cannot_read_visits(client, hall_a):
    staff = StaffFactory(hall=hall_a)
    client.force_login(staff.user)

    assert client.get(reverse("visit-list")).status_code == 403
    assert client.get(reverse("rating-list")).status_code == 403


def test_a_batch_reports_its_historical_bad_reviews_and_opens_no_case_for_them(
    client, manager_a, window_a
):
    client.force_login(manager_a)
    payload = {"hall": "HA", "visits": [record("A001", rating=1), record("A002", rating=5)]}

    body = client.post(BATCH, payload, content_type="application/json").json()
    again = client.post(BATCH, payload, content_type="application/json").json()

    assert (body["imported"], body["historical_bad"]) == (2, 1)
    assert (again["imported"], again["historical_bad"]) == (0, 0)
    assert list(
        Rating.objects.order_by("level").values_list("level", "historical_followup_skipped")
    ) == [(1, True), (5, False)]
    assert Complaint.objects.count() == 0
