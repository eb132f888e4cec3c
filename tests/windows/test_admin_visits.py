import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.windows.factories import ServiceItemFactory, VisitFactory, WindowFactory, make_manager
from windows import roles
from windows.models import Visit

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:windows_visit_import")
HEADER = "排队号,取号时间,开始办理时间,办结时间,窗口号,业务编码,状态,评价\n"


def upload(rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("visits.csv", ("\ufeff" + HEADER + rows).encode(), "text/csv")


@pytest.fixture
def window_a(hall_a):
    ServiceItemFactory(code="LHS01")
    return WindowFactory(hall=hall_a, number=5)


def test_the_visit_list_shows_only_the_managers_hall(client, manager_a, hall_a, hall_b):
    mine = VisitFactory(hall=hall_a)
    VisitFactory(hall=hall_b)
    client.force_login(manager_a)

    response = client.get(reverse("admin:windows_visit_changelist"))

    assert list(response.context["cl"].result_list) == [mine]
    assert 'class="import-visits"' in response.content.decode()


def test_visits_cannot_be_edited_in_the_admin(client, manager_a, hall_a):
    visit = VisitFactory(hall=hall_a)
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_visit_change", args=[visit.pk]), {"ticket_no": "Z999"}
    )

    assert response.status_code == 403
    assert Visit.objects.get().ticket_no == visit.ticket_no


def test_a_manager_uploads_visits_for_their_hall(client, english, manager_a, window_a):
    client.force_login(manager_a)
    rows = (
        "A001,2022-01-04 08:30:00,2022-01-04 08:41:00,2022-01-04 08:50:00,5,LHS01,办结,5\n"
        "A002,2022-01-04 08:31:00,2022-01-04 08:51:00,,5,LHS01,过号,\n"
        "A003,2022-01-04 08:32:00,2022-01-04 08:52:00,2022-01-04 08:59:00,9,LHS01,办结,\n"
    )

    response = client.post(IMPORT_URL, {"file": upload(rows), "hall": window_a.hall.pk})

    assert response.status_code == 200
    assert response.context["result"].summary == "imported 2, unchanged 0, rejected 1"
    assert [str(error) for error in response.context["result"].errors] == [
        "row 4: unknown window 9 of hall HA"
    ]
    assert sorted(Visit.objects.values_list("ticket_no", flat=True)) == ["A001", "A002"]


def test_a_dry_run_stores_nothing(client, manager_a, window_a):
    client.force_login(manager_a)
    row = "A001,2022-01-04 08:30:00,2022-01-04 08:41:00,2022-01-04 08:50:00,5,LHS01,办结,5\n"

    response = client.post(
        IMPORT_URL, {"file": upload(row), "hall": window_a.hall.pk, "dry_run": "on"}
    )

    assert response.context["result"].summary == "imported 1, unchanged 0, rejected 0"
    assert Visit.objects.count() == 0


def test_another_halls_manager_cannot_choose_this_hall(client, manager_b, window_a):
    client.force_login(manager_b)
    row = "A001,2022-01-04 08:30:00,2022-01-04 08:41:00,2022-01-04 08:50:00,5,LHS01,办结,5\n"

    response = client.post(IMPORT_URL, {"file": upload(row), "hall": window_a.hall.pk})

    assert list(response.context["form"].errors) == ["hall"]
    assert Visit.objects.count() == 0


def test_a_supervisor_sees_visits_but_cannot_import(client, hall_a):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    client.force_login(supervisor)

    listing = client.get(reverse("admin:windows_visit_changelist"))
    upload_page = client.get(IMPORT_URL)

    assert listing.status_code == 200
    assert 'class="import-visits"' not in listing.content.decode()
    assert upload_page.status_code == 403


def test_a_supervisor_sees_the_tickets_in_service_of_their_hall_only(client, hall_a, hall_b):
    from tests.windows.factories import StaffFactory
    from windows.services import visit_start, window_sign_in

    item = ServiceItemFactory(code="LHS01")
    serving = {}
    for hall, ticket in ((hall_a, "A101"), (hall_b, "B201")):
        session = window_sign_in(staff=StaffFactory(hall=hall), window=WindowFactory(hall=hall))
        serving[hall.code] = visit_start(session=session, ticket_no=ticket, service_items=[item])
    VisitFactory(hall=hall_a)  # a completed one, not in service
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    response = client.get(
        reverse("admin:windows_visit_changelist"), {"status__exact": "in_service"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [serving[hall_a.code]]
