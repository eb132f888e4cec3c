"""The rectification progress page, the workbook download and the checklist admin,
for each role: another hall is a 404, window staff 403, anonymous to the login,
supervisors read without changing."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectification.models import Inspection, Measure, RectificationChecklist
from tests.windows.factories import StaffFactory, WindowFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db

PROGRESS = reverse("rectification:progress")
S = Measure.Status


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def checklist(hall_a, today):
    """4 measures: 1 verified, 1 done, 1 in progress 5 days overdue, 1 due in 3 days."""
    checklist = RectificationChecklist.objects.create(
        hall=hall_a, title="满意度提升措施清单", source="questionnaire",
        period_start=today - dt.timedelta(days=60), period_end=today + dt.timedelta(days=30),
    )  # fmt: skip
    for order, title, status, progress, days in (
        (1, "公开服务事项", S.VERIFIED, 100, -30),
        (2, "标画一米线", S.DONE, 100, -20),
        (3, "增加柜面提醒", S.IN_PROGRESS, 40, -5),
        (4, "增加引导人员", S.NOT_STARTED, 0, 3),
    ):
        Measure.objects.create(
            checklist=checklist, order=order, title=title, status=status, progress_pct=progress,
            deadline=today + dt.timedelta(days=days),
            completed_on=today - dt.timedelta(days=40) if progress == 100 else None,
        )  # fmt: skip
    return checklist


@pytest.fixture
def inspection(hall_a, today):
    inspection = Inspection.objects.create(
        hall=hall_a, group_name="第一组", visited_on=today - dt.timedelta(days=10)
    )
    inspection.best_windows.set([WindowFactory(hall=hall_a, number=5, name="5号窗口")])
    inspection.worst_windows.set([WindowFactory(hall=hall_a, number=8, name="8号窗口")])
    return inspection


def export_url(checklist):
    return reverse("rectification:export", args=[checklist.pk])


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR])
def test_the_progress_page_shows_rate_overdue_and_inspections(
    en_client, english, hall_a, checklist, inspection, role
):
    en_client.force_login(make_manager(hall_a, "viewer", role=role))

    response = en_client.get(PROGRESS)

    assert response.status_code == 200
    (row,) = response.context["checklists"]
    assert (row.total, row.completion_rate_pct) == (4, 50.0)
    assert [(o.measure.title, o.days_overdue) for o in row.overdue] == [("增加柜面提醒", 5)]
    content = response.content.decode()
    assert "Completion rate: 50.00%" in content
    assert "5 days overdue" in content
    assert f'href="{export_url(checklist)}"' in content
    assert "Best windows:\n        5号窗口" in content
    assert "Worst windows:\n        8号窗口" in content


def test_a_manager_of_two_halls_picks_one(en_client, english, hall_a, hall_b, checklist):
    manager = make_manager(hall_a, "both")
    manager.hall_accesses.create(hall=hall_b)
    en_client.force_login(manager)

    first = en_client.get(PROGRESS)
    other = en_client.get(f"{PROGRESS}?hall=HB")

    assert (first.context["hall"], len(first.context["checklists"])) == (hall_a, 1)
    assert (other.context["hall"], other.context["checklists"]) == (hall_b, [])
    assert "The hall has no rectification checklist yet." in other.content.decode()


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR])
def test_another_halls_manager_or_supervisor_gets_404(client, hall_a, hall_b, checklist, role):
    client.force_login(make_manager(hall_b, "other", role=role))

    assert client.get(f"{PROGRESS}?hall=HA").status_code == 404
    assert client.get(export_url(checklist)).status_code == 404
    assert client.get(PROGRESS).context["checklists"] == []


def test_window_staff_are_refused(client, hall_a, checklist):
    client.force_login(StaffFactory(hall=hall_a).user)

    assert client.get(PROGRESS).status_code == 403
    assert client.get(export_url(checklist)).status_code == 403


def test_anonymous_goes_to_the_login(client, checklist):
    for url in (PROGRESS, export_url(checklist)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_pages_only_answer_get(client, manager_a, checklist):
    client.force_login(manager_a)

    assert client.post(PROGRESS).status_code == 405
    assert client.post(export_url(checklist)).status_code == 405


def test_the_workbook_downloads(client, manager_a, checklist):
    client.force_login(manager_a)

    response = client.get(export_url(checklist))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="rectification-{checklist.pk}-'
    )
    sheet = load_workbook(BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        "公开服务事项", "标画一米线", "增加柜面提醒", "增加引导人员",
    ]  # fmt: skip
    assert [row[7] for row in sheet.iter_rows(min_row=3, values_only=True)] == [0, 0, 5, 0]


# --- admin ------------------------------------------------------------------------------------

CHANGELIST = reverse("admin:rectification_rectificationchecklist_changelist")


def test_the_checklist_list_shows_the_completion_rate(client, manager_a, checklist, hall_b):
    RectificationChecklist.objects.create(
        hall=hall_b, title="乙厅清单", source="complaint",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31),
    )  # fmt: skip
    client.force_login(manager_a)

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [checklist]
    assert '<td class="field-completion_rate">50.00%</td>' in response.content.decode()


def test_the_change_page_has_ordered_measures_and_the_export_button(client, manager_a, checklist):
    Measure.objects.filter(title="公开服务事项").update(order=9)
    client.force_login(manager_a)

    response = client.get(
        reverse("admin:rectification_rectificationchecklist_change", args=[checklist.pk])
    )

    (formset, *_rest) = response.context["inline_admin_formsets"]
    assert [form.instance.title for form in formset.formset.forms] == [
        "标画一米线", "增加柜面提醒", "增加引导人员", "公开服务事项",
    ]  # fmt: skip
    assert f'id="export-checklist" href="{export_url(checklist)}"' in response.content.decode()


def test_the_export_action_needs_one_checklist(client, manager_a, checklist, english):
    client.force_login(manager_a)

    one = client.post(CHANGELIST, {"action": "export_xlsx", "_selected_action": [checklist.pk]})
    second = RectificationChecklist.objects.create(
        hall=checklist.hall, title="二", source="complaint",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31),
    )  # fmt: skip
    two = client.post(
        CHANGELIST,
        {"action": "export_xlsx", "_selected_action": [checklist.pk, second.pk]},
        follow=True,
    )

    assert load_workbook(BytesIO(one.content)).active["B3"].value == "公开服务事项"
    assert "Select exactly one checklist to export." in two.content.decode()


def measure_change(measure):
    return reverse("admin:rectification_measure_change", args=[measure.pk])


def test_a_manager_verifies_a_done_measure_in_the_admin(client, manager_a, checklist):
    done = Measure.objects.get(title="标画一米线")
    client.force_login(manager_a)

    response = client.post(
        measure_change(done),
        {"status": S.VERIFIED, "progress_pct": 100, "evidence_notes": "照片"},
    )

    assert response.status_code == 302
    done.refresh_from_db()
    assert (done.status, done.verified_by, done.evidence_notes) == (S.VERIFIED, manager_a, "照片")


def test_the_admin_refuses_a_bad_update_and_changes_nothing(client, manager_a, checklist, english):
    measure = Measure.objects.get(title="增加柜面提醒")
    client.force_login(manager_a)

    response = client.post(
        measure_change(measure),
        {"status": S.VERIFIED, "progress_pct": 100, "evidence_notes": "x"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Only a done measure can be verified."
    ]
    measure.refresh_from_db()
    assert (measure.status, measure.progress_pct, measure.evidence_notes) == (S.IN_PROGRESS, 40, "")


def test_a_supervisor_reads_the_admin_but_changes_nothing(client, hall_a, checklist):
    client.force_login(make_manager(hall_a, "sup", role=roles.SUPERVISOR))
    measure = Measure.objects.get(title="增加柜面提醒")
    change = reverse("admin:rectification_rectificationchecklist_change", args=[checklist.pk])

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(change).status_code == 200
    assert client.post(change, {"title": "改"}).status_code == 403
    assert client.post(measure_change(measure), {"status": S.DONE}).status_code == 403
    assert RectificationChecklist.objects.get().title == "满意度提升措施清单"
    assert Measure.objects.get(pk=measure.pk).status == S.IN_PROGRESS


def test_another_halls_manager_does_not_find_the_checklist(client, manager_b, checklist):
    client.force_login(manager_b)
    measure = checklist.measures.first()

    for url in (
        reverse("admin:rectification_rectificationchecklist_change", args=[checklist.pk]),
        measure_change(measure),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("admin:index")


def test_window_staff_have_no_admin(client, hall_a, checklist):
    client.force_login(StaffFactory(hall=hall_a).user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_manager_adds_a_checklist_with_its_measures(client, manager_a, hall_a):
    client.force_login(manager_a)
    prefix = "measures"

    response = client.post(
        reverse("admin:rectification_rectificationchecklist_add"),
        {
            "hall": hall_a.pk, "title": "明察暗访整改清单", "source": "inspection",
            "period_start": "2026-11-01", "period_end": "2026-12-31",
            f"{prefix}-TOTAL_FORMS": 2, f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-0-order": 2, f"{prefix}-0-title": "着装统一",
            f"{prefix}-0-deadline": "2026-12-01",
            f"{prefix}-1-order": 1, f"{prefix}-1-title": "挂牌上岗",
            f"{prefix}-1-deadline": "2026-12-05",
        },
    )  # fmt: skip

    assert response.status_code == 302
    checklist = RectificationChecklist.objects.get()
    assert checklist.hall == hall_a
    assert [(m.order, m.title, m.status, m.progress_pct) for m in checklist.measures.all()] == [
        (1, "挂牌上岗", S.NOT_STARTED, 0),
        (2, "着装统一", S.NOT_STARTED, 0),
    ]


def test_the_hall_column_shows_only_for_a_user_of_several_halls(
    client, manager_a, hall_b, checklist
):
    both = make_manager(checklist.hall, "both")
    both.hall_accesses.create(hall=hall_b)

    client.force_login(manager_a)
    one = client.get(CHANGELIST).content.decode()
    client.force_login(both)
    two = client.get(CHANGELIST).content.decode()

    assert ('class="field-hall' in one, 'class="field-hall nowrap"' in two) == (False, True)
    assert '<td class="field-period">' in one


def test_a_measure_added_in_the_admin_goes_through_the_service(
    client, manager_a, checklist, monkeypatch
):
    from rectification import admin as admin_module
    from rectification import services as services

    calls = []
    real = services.measure_create

    def spy(**kwargs):
        calls.append(kwargs["title"])
        return real(**kwargs)

    monkeypatch.setattr(admin_module, "measure_create", spy)
    client.force_login(manager_a)
    change = reverse("admin:rectification_rectificationchecklist_change", args=[checklist.pk])
    existing = list(checklist.measures.order_by("order", "pk"))
    prefix = "measures"
    data = {
        "hall": checklist.hall_id, "title": checklist.title, "source": checklist.source,
        "period_start": f"{checklist.period_start:%Y-%m-%d}",
        "period_end": f"{checklist.period_end:%Y-%m-%d}",
        f"{prefix}-TOTAL_FORMS": len(existing) + 1, f"{prefix}-INITIAL_FORMS": len(existing),
    }  # fmt: skip
    for index, measure in enumerate(existing):
        data |= {
            f"{prefix}-{index}-id": measure.pk, f"{prefix}-{index}-checklist": checklist.pk,
            f"{prefix}-{index}-order": measure.order, f"{prefix}-{index}-title": measure.title,
            f"{prefix}-{index}-deadline": f"{measure.deadline:%Y-%m-%d}",
        }  # fmt: skip
    new = len(existing)
    data |= {  # the new row's order left at the form's 0: the service puts it last
        f"{prefix}-{new}-order": 0, f"{prefix}-{new}-title": "规范使用文明用语",
        f"{prefix}-{new}-deadline": "2026-12-20",
    }  # fmt: skip

    response = client.post(change, data)

    assert response.status_code == 302
    assert calls == ["规范使用文明用语"]
    added = checklist.measures.get(title="规范使用文明用语")
    assert added.order == max(m.order for m in existing) + 1


def _spy_checklist_create(monkeypatch) -> list:
    from rectification import admin as admin_module
    from rectification import services as services

    calls = []
    real = services.checklist_create

    def spy(**kwargs):
        calls.append((kwargs["hall"], kwargs["title"], kwargs["by"]))
        return real(**kwargs)

    monkeypatch.setattr(admin_module, "checklist_create", spy)
    return calls


def test_a_checklist_added_in_the_admin_goes_through_the_service(
    client, manager_a, hall_a, monkeypatch
):
    calls = _spy_checklist_create(monkeypatch)
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:rectification_rectificationchecklist_add"),
        {
            "hall": hall_a.pk, "title": "12345工单整改清单", "source": "inspection",
            "period_start": "2026-11-01", "period_end": "2026-12-31",
            "measures-TOTAL_FORMS": 1, "measures-INITIAL_FORMS": 0,
            "measures-0-order": 0, "measures-0-title": "首问负责",
            "measures-0-deadline": "2026-12-10",
        },
    )  # fmt: skip

    checklist = RectificationChecklist.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:rectification_rectificationchecklist_changelist")
    assert calls == [(hall_a, "12345工单整改清单", manager_a)]
    assert (checklist.hall, checklist.source, checklist.period_start, checklist.period_end) == (
        hall_a, "inspection", dt.date(2026, 11, 1), dt.date(2026, 12, 31)
    )  # fmt: skip
    assert [(m.order, m.title, m.deadline) for m in checklist.measures.all()] == [
        (1, "首问负责", dt.date(2026, 12, 10))
    ]


def test_editing_a_checklist_in_the_admin_does_not_create_one(
    client, manager_a, checklist, monkeypatch
):
    calls = _spy_checklist_create(monkeypatch)
    client.force_login(manager_a)
    existing = list(checklist.measures.order_by("order", "pk"))
    data = {
        "title": "满意度提升措施清单（修订）", "source": checklist.source,
        "period_start": f"{checklist.period_start:%Y-%m-%d}",
        "period_end": f"{checklist.period_end:%Y-%m-%d}",
        "measures-TOTAL_FORMS": len(existing), "measures-INITIAL_FORMS": len(existing),
    }  # fmt: skip
    for index, measure in enumerate(existing):
        data |= {
            f"measures-{index}-id": measure.pk, f"measures-{index}-checklist": checklist.pk,
            f"measures-{index}-order": measure.order, f"measures-{index}-title": measure.title,
            f"measures-{index}-deadline": f"{measure.deadline:%Y-%m-%d}",
        }  # fmt: skip

    response = client.post(
        reverse("admin:rectification_rectificationchecklist_change", args=[checklist.pk]), data
    )

    assert response.status_code == 302
    assert calls == []
    assert list(RectificationChecklist.objects.values_list("pk", "title")) == [
        (checklist.pk, "满意度提升措施清单（修订）")
    ]
    assert checklist.measures.count() == 4


@pytest.mark.parametrize("who", ["supervisor", "staff", "other_hall"])
def test_only_a_manager_of_the_hall_adds_a_checklist(client, hall_a, manager_b, who):
    user = {
        "supervisor": lambda: make_manager(hall_a, "sup", role=roles.SUPERVISOR),
        "staff": lambda: StaffFactory(hall=hall_a).user,
        "other_hall": lambda: manager_b,
    }[who]()
    client.force_login(user)

    response = client.post(
        reverse("admin:rectification_rectificationchecklist_add"),
        {
            "hall": hall_a.pk, "title": "不该保存", "source": "inspection",
            "period_start": "2026-11-01", "period_end": "2026-12-31",
            "measures-TOTAL_FORMS": 0, "measures-INITIAL_FORMS": 0,
        },
    )  # fmt: skip

    assert RectificationChecklist.objects.count() == 0
    assert response.status_code == {"supervisor": 403, "staff": 302, "other_hall": 200}[who]
