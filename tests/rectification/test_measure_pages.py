"""Measures added and changed on /rectification/ (issue 12 item 4): a manager of the hall
adds and plans them, picks the responsible person by name; a supervisor reads; the
responsible person updates the progress of their own; window staff and another hall are
refused; bad input shows its message and changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rectification.models import Measure, RectificationChecklist
from tests.windows.factories import DepartmentFactory, StaffFactory, make_manager
from windows import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = Measure.Status


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def checklist(hall_a, today):
    return RectificationChecklist.objects.create(
        hall=hall_a, title="满意度提升措施清单", source="questionnaire",
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=60),
    )  # fmt: skip


@pytest.fixture
def wang(hall_a):
    return StaffFactory(
        hall=hall_a, badge_no="LH005", display_name="王小明", user__username="lh005"
    )


@pytest.fixture
def measure(checklist, wang, today):
    return Measure.objects.create(
        checklist=checklist, order=1, title="标画一米线", responsible_person=wang.user,
        deadline=today + dt.timedelta(days=10),
    )  # fmt: skip


def new_url(checklist):
    return reverse("rectification:measure-new", args=[checklist.pk])


def page_url(measure):
    return reverse("rectification:measure", args=[measure.pk])


def plan_url(measure):
    return reverse("rectification:measure-plan", args=[measure.pk])


def progress_url(measure):
    return reverse("rectification:measure-progress", args=[measure.pk])


def stored(measure) -> tuple:
    measure.refresh_from_db()
    return (
        measure.title,
        measure.deadline,
        measure.responsible_person_id,
        measure.responsible_department_id,
        measure.status,
        measure.progress_pct,
        measure.evidence_notes,
    )


def test_a_manager_adds_a_measure_picking_the_person_by_name(
    en_client, manager_a, checklist, wang, hall_a
):
    department = DepartmentFactory(hall=hall_a, name="社保中心")
    en_client.force_login(manager_a)

    form = en_client.get(new_url(checklist))
    response = en_client.post(
        new_url(checklist),
        {
            "title": " 增加引导人员 ",
            "responsible_department": department.pk,
            "responsible_person": wang.user.pk,
            "deadline": "2030-05-31",
        },
    )

    assert form.status_code == 200
    content = form.content.decode()
    assert f'<option value="{wang.user.pk}">王小明</option>' in content
    assert ">lh005<" not in content
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(measure)
    assert (measure.title, measure.order, measure.deadline) == (
        "增加引导人员",
        1,
        dt.date(2030, 5, 31),
    )
    assert (measure.responsible_person, measure.responsible_department) == (wang.user, department)
    assert measure.status == S.NOT_STARTED
    page = en_client.get(page_url(measure)).content.decode()
    assert '<dd class="col-sm-7" id="measure-person">王小明</dd>' in page
    assert "Measure “增加引导人员” added to the checklist “满意度提升措施清单”." in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "  ", "deadline": "2030-05-31"}, "This field is required."),
        ({"title": "增加引导人员", "deadline": "2030-13-45"}, "Enter a valid date."),
        ({"title": "增加引导人员", "deadline": ""}, "This field is required."),
        (
            {"title": "增加引导人员", "deadline": "2030-05-31", "responsible_person": "999999"},
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"title": "x" * 201, "deadline": "2030-05-31"}, "Ensure this value has at most 200"),
    ],
)
def test_a_bad_new_measure_shows_the_error_and_stores_nothing(
    en_client, manager_a, checklist, data, error
):
    en_client.force_login(manager_a)

    response = en_client.post(new_url(checklist), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Measure.objects.count() == 0


def test_another_halls_staff_or_department_cannot_be_picked(
    en_client, manager_a, checklist, hall_b
):
    other_staff = StaffFactory(hall=hall_b)
    other_department = DepartmentFactory(hall=hall_b)
    en_client.force_login(manager_a)

    for field, value in (
        ("responsible_person", other_staff.user.pk),
        ("responsible_department", other_department.pk),
    ):
        response = en_client.post(
            new_url(checklist), {"title": "导办", "deadline": "2030-05-31", field: value}
        )
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    assert Measure.objects.count() == 0


def test_a_manager_changes_the_plan(en_client, manager_a, measure, hall_a):
    manager = make_manager(hall_a, "li", role=roles.HALL_MANAGER)
    manager.first_name, manager.last_name = "丽", "李"
    manager.save()
    en_client.force_login(manager_a)

    response = en_client.post(
        plan_url(measure),
        {
            "title": "标画一米线并张贴提示",
            "responsible_person": manager.pk,
            "deadline": "2030-06-30",
        },
    )

    assert response.status_code == 302
    assert stored(measure)[:4] == ("标画一米线并张贴提示", dt.date(2030, 6, 30), manager.pk, None)
    page = en_client.get(page_url(measure)).content.decode()
    assert "The measure’s plan was saved." in page


def test_a_verified_measure_cannot_be_replanned(en_client, manager_a, measure):
    Measure.objects.filter(pk=measure.pk).update(status=S.VERIFIED, progress_pct=100)
    en_client.force_login(manager_a)
    before = stored(measure)

    page = en_client.get(page_url(measure))
    response = en_client.post(plan_url(measure), {"title": "改", "deadline": "2030-06-30"})

    assert 'id="measure-plan-form"' not in page.content.decode()
    assert "This measure is verified and closed." in page.content.decode()
    assert response.status_code == 400
    assert "A verified measure cannot be changed." in response.content.decode()
    assert stored(measure) == before


def test_a_manager_updates_the_progress(en_client, manager_a, measure):
    en_client.force_login(manager_a)

    response = en_client.post(
        progress_url(measure),
        {"status": "in_progress", "progress_pct": "40", "evidence_notes": "已标画东区"},
    )

    assert response.status_code == 302
    assert stored(measure)[4:] == ("in_progress", 40, "已标画东区")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": "done", "progress_pct": "50"}, "A done measure is 100% complete."),
        ({"status": "in_progress", "progress_pct": "100"}, "A measure at 100% is done"),
        ({"status": "not_started", "progress_pct": "10"}, "A measure not started has no progress"),
        ({"status": "verified", "progress_pct": "100"}, "Only a done measure can be verified."),
        ({"status": "in_progress", "progress_pct": "101"}, "Ensure this value is less than or"),
        ({"status": "in_progress", "progress_pct": "四十"}, "Enter a whole number."),
        ({"status": "finished", "progress_pct": "40"}, "Select a valid choice."),
    ],
)
def test_bad_progress_shows_the_rule_and_changes_nothing(
    en_client, manager_a, measure, data, error
):
    en_client.force_login(manager_a)
    before = stored(measure)

    response = en_client.post(progress_url(measure), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert stored(measure) == before


def test_the_responsible_staff_member_updates_their_own_measures_progress(en_client, measure, wang):
    en_client.force_login(wang.user)

    page = en_client.get(page_url(measure))
    plan = en_client.post(plan_url(measure), {"title": "改", "deadline": "2030-06-30"})
    progress = en_client.post(
        progress_url(measure), {"status": "in_progress", "progress_pct": "30"}
    )

    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="measure-progress-form"' in content
    assert 'id="measure-plan-form"' not in content
    assert plan.status_code == 403
    assert progress.status_code == 302
    assert stored(measure)[:2] == ("标画一米线", measure.deadline)
    assert stored(measure)[4:6] == ("in_progress", 30)


def test_a_supervisor_reads_without_changing(en_client, hall_a, checklist, measure):
    en_client.force_login(make_manager(hall_a, "watcher", role=roles.SUPERVISOR))
    before = stored(measure)

    page = en_client.get(page_url(measure))
    progress = en_client.get(reverse("rectification:progress"))
    posts = [
        en_client.get(new_url(checklist)).status_code,
        en_client.post(new_url(checklist), {"title": "x", "deadline": "2030-05-31"}).status_code,
        en_client.post(plan_url(measure), {"title": "x", "deadline": "2030-05-31"}).status_code,
        en_client.post(
            progress_url(measure), {"status": "done", "progress_pct": "100"}
        ).status_code,
    ]

    assert page.status_code == 200
    content = page.content.decode()
    assert "only a manager of the hall changes it" in content
    assert 'id="measure-plan-form"' not in content
    assert 'id="measure-progress-form"' not in content
    assert f'href="{page_url(measure)}"' in progress.content.decode()
    assert "data-add-measure" not in progress.content.decode()
    assert posts == [403, 403, 403, 403]
    assert stored(measure) == before
    assert Measure.objects.count() == 1


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR])
def test_another_halls_manager_or_supervisor_gets_404(client, hall_b, checklist, measure, role):
    client.force_login(make_manager(hall_b, "other", role=role))
    before = stored(measure)

    assert client.get(new_url(checklist)).status_code == 404
    assert (
        client.post(new_url(checklist), {"title": "x", "deadline": "2030-05-31"}).status_code == 404
    )
    assert client.get(page_url(measure)).status_code == 404
    assert (
        client.post(plan_url(measure), {"title": "x", "deadline": "2030-05-31"}).status_code == 404
    )
    assert (
        client.post(progress_url(measure), {"status": "done", "progress_pct": "100"}).status_code
        == 404
    )
    assert stored(measure) == before
    assert Measure.objects.count() == 1


def test_window_staff_not_responsible_are_refused(client, hall_a, checklist, measure):
    client.force_login(StaffFactory(hall=hall_a).user)
    before = stored(measure)

    assert client.get(new_url(checklist)).status_code == 403
    assert (
        client.post(new_url(checklist), {"title": "x", "deadline": "2030-05-31"}).status_code == 403
    )
    assert client.get(page_url(measure)).status_code == 403
    assert (
        client.post(plan_url(measure), {"title": "x", "deadline": "2030-05-31"}).status_code == 403
    )
    assert (
        client.post(progress_url(measure), {"status": "done", "progress_pct": "100"}).status_code
        == 403
    )
    assert stored(measure) == before


def test_anonymous_goes_to_the_login(client, checklist, measure):
    for url in (new_url(checklist), page_url(measure)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_progress_page_lists_every_measure_by_name_with_an_add_button(
    en_client, manager_a, checklist, measure
):
    en_client.force_login(manager_a)

    content = en_client.get(reverse("rectification:progress")).content.decode()

    assert f'href="{new_url(checklist)}"' in content
    assert f'<a href="{page_url(measure)}">标画一米线</a>' in content
    row = content.split(f'data-measure-row="{measure.pk}"')[1].split("</tr>")[0]
    assert "王小明" in row
    assert "lh005" not in row
