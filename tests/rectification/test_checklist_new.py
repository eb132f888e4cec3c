"""A rectification checklist created on /rectification/ (issue 12 item 4), no longer only in
the admin: a manager of the hall creates it (title, source, period) and adds its measures;
a supervisor, window staff and another hall are refused; bad input shows its message and
stores nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from rectification.models import RectificationChecklist
from tests.windows.factories import StaffFactory, make_manager
from windows import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = reverse("rectification:checklist-new")
PROGRESS = reverse("rectification:progress")
VALID = {
    "title": "满意度提升13项工作措施完成进度清单",
    "source": "third_party",
    "period_start": "2026-07-01",
    "period_end": "2026-12-31",
}


def stored() -> list[tuple]:
    return list(
        RectificationChecklist.objects.order_by("pk").values_list(
            "hall__code", "title", "source", "period_start", "period_end"
        )
    )


def test_a_manager_creates_a_checklist_then_adds_its_measures(en_client, manager_a, hall_a):
    en_client.force_login(manager_a)

    progress = en_client.get(PROGRESS, {"hall": "HA"}).content.decode()
    form = en_client.get(NEW, {"hall": "HA"})
    response = en_client.post(f"{NEW}?hall=HA", {**VALID, "title": f"  {VALID['title']} "})

    assert f'id="checklist-new" href="{NEW}?hall=HA"' in progress
    assert form.status_code == 200
    assert 'id="checklist-new-form"' in form.content.decode()
    assert stored() == [
        ("HA", VALID["title"], "third_party", dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    ]
    checklist = RectificationChecklist.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PROGRESS}?hall=HA#checklist-{checklist.pk}"
    page = en_client.get(response["Location"]).content.decode()
    assert f"Checklist “{VALID['title']}” created: add its measures." in page
    assert f'id="checklist-{checklist.pk}"' in page
    assert reverse("rectification:measure-new", args=[checklist.pk]) in page


def test_a_manager_of_two_halls_creates_it_in_the_hall_asked_for(en_client, hall_a, hall_b):
    manager = make_manager(hall_a, "two_halls")
    manager.hall_accesses.create(hall=hall_b)
    en_client.force_login(manager)

    en_client.post(f"{NEW}?hall=HB", VALID)

    assert [row[0] for row in stored()] == ["HB"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "   "}, "title", "This field is required."),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters"),
        ({"source": "rumour"}, "source", "Select a valid choice. rumour is not one of"),
        ({"period_start": "2026-13-01"}, "period_start", "Enter a valid date."),
        ({"period_end": ""}, "period_end", "This field is required."),
        ({"period_end": "2026-06-30"}, "period_end", "The period ends before it starts."),
    ],
)
def test_bad_input_shows_its_message_and_stores_nothing(
    en_client, manager_a, change, field, message
):
    en_client.force_login(manager_a)

    response = en_client.post(f"{NEW}?hall=HA", {**VALID, **change})

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.split("“")[0] in response.content.decode()
    assert stored() == []


def test_a_supervisor_is_refused(en_client, hall_a):
    en_client.force_login(make_manager(hall_a, "watcher", role=roles.SUPERVISOR))

    progress = en_client.get(PROGRESS, {"hall": "HA"}).content.decode()

    assert 'id="checklist-new"' not in progress
    assert en_client.get(NEW, {"hall": "HA"}).status_code == 403
    assert en_client.post(f"{NEW}?hall=HA", VALID).status_code == 403
    assert stored() == []


def test_window_staff_are_refused(client, hall_a):
    client.force_login(StaffFactory(hall=hall_a).user)

    assert client.get(NEW, {"hall": "HA"}).status_code == 403
    assert client.post(f"{NEW}?hall=HA", VALID).status_code == 403
    assert stored() == []


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR])
def test_another_halls_manager_or_supervisor_gets_404(client, hall_a, hall_b, role):
    client.force_login(make_manager(hall_b, "other", role=role))

    assert client.get(NEW, {"hall": "HA"}).status_code == 404
    assert client.post(f"{NEW}?hall=HA", VALID).status_code == 404
    assert stored() == []


def test_anonymous_goes_to_the_login(client, hall_a):
    response = client.post(f"{NEW}?hall=HA", VALID)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert stored() == []
