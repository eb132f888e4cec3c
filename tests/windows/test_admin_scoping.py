"""The admin shows and accepts only the halls a user may see."""

import datetime

import pytest
from django.urls import reverse

from tests.windows.factories import (
    DepartmentFactory,
    DutyAssignmentFactory,
    HallCalendarDayFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.models import Hall, HallAccess, ServiceItem, Window

SCOPED_MODELS = (
    "hall",
    "department",
    "zone",
    "window",
    "staff",
    "dutyassignment",
    "hallcalendarday",
)
DAY = datetime.date(2026, 11, 25)


def hall_rows(hall, *, number=5):
    """One row of every hall-owned model, keyed by model name."""
    department = DepartmentFactory(hall=hall, name="社保管理中心")
    zone = ZoneFactory(hall=hall, name="社保通办")
    window = WindowFactory(hall=hall, number=number, zone=zone, department=department)
    staff = StaffFactory(hall=hall, department=department)
    duty = DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=DAY)
    day = HallCalendarDayFactory(hall=hall, date=DAY)
    return {
        "hall": hall,
        "department": department,
        "zone": zone,
        "window": window,
        "staff": staff,
        "dutyassignment": duty,
        "hallcalendarday": day,
    }


@pytest.fixture
def rows_a(hall_a):
    return hall_rows(hall_a, number=5)


@pytest.fixture
def rows_b(hall_b):
    return hall_rows(hall_b, number=5)


def management(prefix, *, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def window_post(*, hall, number, name="新窗口", zone=None, department=None):
    return {
        "hall": hall.pk,
        "number": number,
        "name": name,
        "zone": zone.pk if zone else "",
        "department": department.pk if department else "",
        "is_active": "on",
        **management("window_items"),
    }


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_changelist_shows_only_the_managers_hall(client, manager_a, rows_a, rows_b, model):
    # given rows in hall A and hall B
    client.force_login(manager_a)

    # when manager A lists them
    response = client.get(reverse(f"admin:windows_{model}_changelist"))

    # then only hall A's row is listed
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [rows_a[model]]


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_change_page_of_another_hall_is_not_found(
    client, english, manager_a, rows_a, rows_b, model
):
    client.force_login(manager_a)
    url = reverse(f"admin:windows_{model}_change", args=[rows_b[model].pk])

    response = client.get(url, follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"{rows_b[model]._meta.verbose_name} with ID “{rows_b[model].pk}” "
        "doesn’t exist. Perhaps it was deleted?"
    ]


@pytest.mark.parametrize("model", SCOPED_MODELS[1:])
def test_delete_of_another_halls_object_deletes_nothing(client, manager_a, rows_a, rows_b, model):
    client.force_login(manager_a)
    obj = rows_b[model]

    response = client.post(reverse(f"admin:windows_{model}_delete", args=[obj.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_forged_post_creating_a_window_in_another_hall_is_refused(
    client, english, manager_a, rows_a, rows_b, hall_b
):
    client.force_login(manager_a)

    response = client.post(reverse("admin:windows_window_add"), window_post(hall=hall_b, number=9))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hall"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Window.objects.count() == 2
    assert not Window.objects.filter(number=9).exists()


def test_forged_post_with_another_halls_zone_is_refused(
    client, english, manager_a, hall_a, rows_a, rows_b
):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_window_add"),
        window_post(hall=hall_a, number=9, zone=rows_b["zone"]),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["zone"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Window.objects.filter(number=9).exists()


def test_manager_adds_a_window_to_own_hall(client, manager_a, hall_a, rows_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_window_add"),
        window_post(hall=hall_a, number=9, zone=rows_a["zone"], department=rows_a["department"]),
    )

    assert response.status_code == 302
    window = Window.objects.get(hall=hall_a, number=9)
    assert (window.name, window.zone, window.department) == (
        "新窗口",
        rows_a["zone"],
        rows_a["department"],
    )


def test_hall_of_an_existing_object_cannot_be_changed(client, manager_a, rows_a, hall_a, hall_b):
    # given a manager of both halls
    HallAccess.objects.create(user=manager_a, hall=hall_b)
    client.force_login(manager_a)
    window = rows_a["window"]

    # when a change POST names the other hall
    response = client.post(
        reverse("admin:windows_window_change", args=[window.pk]),
        {**window_post(hall=hall_b, number=6, name="改名"), "zone": rows_a["zone"].pk},
    )

    # then the rest is saved but the window stays in its hall
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.hall, window.number, window.name) == (hall_a, 6, "改名")


def test_changing_a_window_to_a_taken_number_is_a_form_error(
    client, english, manager_a, rows_a, hall_a
):
    client.force_login(manager_a)
    WindowFactory(hall=hall_a, number=7, zone=rows_a["zone"])
    window = rows_a["window"]

    response = client.post(
        reverse("admin:windows_window_change", args=[window.pk]),
        window_post(hall=hall_a, number=7, zone=rows_a["zone"]),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Window with this Hall and Window number already exists."
    ]
    window.refresh_from_db()
    assert window.number == 5


def test_zone_inline_adds_windows_to_the_zones_hall(client, manager_a, rows_a, hall_a):
    client.force_login(manager_a)
    zone = rows_a["zone"]

    response = client.post(
        reverse("admin:windows_zone_change", args=[zone.pk]),
        {
            "name": zone.name,
            "kind": zone.kind,
            "sort_order": 1,
            **management("windows", total=2, initial=1),
            "windows-0-id": rows_a["window"].pk,
            "windows-0-zone": zone.pk,
            "windows-0-number": 5,
            "windows-0-name": "5号窗口",
            "windows-0-is_active": "on",
            "windows-1-zone": zone.pk,
            "windows-1-number": 6,
            "windows-1-name": "6号窗口",
            "windows-1-department": rows_a["department"].pk,
            "windows-1-is_active": "on",
        },
    )

    assert response.status_code == 302
    added = Window.objects.get(number=6)
    assert (added.hall, added.zone, added.department) == (hall_a, zone, rows_a["department"])


def test_zone_inline_rejects_a_window_number_taken_in_the_hall(
    client, english, manager_a, rows_a, hall_a
):
    # given window 7 of hall A in another zone
    client.force_login(manager_a)
    WindowFactory(hall=hall_a, number=7)
    zone = rows_a["zone"]

    # when the zone's inline adds another window 7
    response = client.post(
        reverse("admin:windows_zone_change", args=[zone.pk]),
        {
            "name": zone.name,
            "kind": zone.kind,
            "sort_order": 1,
            **management("windows", total=1),
            "windows-0-zone": zone.pk,
            "windows-0-number": 7,
            "windows-0-name": "重复",
        },
    )

    # then the form says so and nothing is stored
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors == [
        {"__all__": ["Window with this Hall and Window number already exists."]}
    ]
    assert Window.objects.filter(hall=hall_a, number=7).count() == 1


@pytest.mark.parametrize("field_name", ["window", "staff"])
def test_autocomplete_offers_only_the_managers_hall(client, manager_a, rows_a, rows_b, field_name):
    client.force_login(manager_a)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "windows",
            "model_name": "dutyassignment",
            "field_name": field_name,
            "term": "",
        },
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(rows_a[field_name].pk)]


@pytest.mark.parametrize(
    ("model", "field"), [("window", "zone"), ("window", "department"), ("staff", "department")]
)
def test_list_filters_offer_only_the_managers_hall(client, manager_a, rows_a, rows_b, model, field):
    client.force_login(manager_a)

    response = client.get(reverse(f"admin:windows_{model}_changelist"))

    spec = next(s for s in response.context["cl"].filter_specs if s.field_path == field)
    assert list(spec.lookup_choices) == [(rows_a[field].pk, str(rows_a[field]))]


def test_form_choices_offer_only_the_managers_hall(client, manager_a, rows_a, rows_b):
    client.force_login(manager_a)

    response = client.get(reverse("admin:windows_window_add"))

    form = response.context["adminform"].form
    assert list(form.fields["hall"].queryset) == [rows_a["hall"]]
    assert list(form.fields["zone"].queryset) == [rows_a["zone"]]
    assert list(form.fields["department"].queryset) == [rows_a["department"]]


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def test_supervisor_views_the_halls_windows(client, supervisor_a, rows_a, rows_b):
    client.force_login(supervisor_a)

    response = client.get(reverse("admin:windows_window_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [rows_a["window"]]


def test_supervisor_may_not_add(client, supervisor_a, rows_a, hall_a):
    client.force_login(supervisor_a)

    get_response = client.get(reverse("admin:windows_window_add"))
    post_response = client.post(
        reverse("admin:windows_window_add"), window_post(hall=hall_a, number=9)
    )

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert not Window.objects.filter(number=9).exists()


def test_supervisor_may_not_change(client, supervisor_a, rows_a, hall_a):
    client.force_login(supervisor_a)
    window = rows_a["window"]

    response = client.post(
        reverse("admin:windows_window_change", args=[window.pk]),
        window_post(hall=hall_a, number=8, name="改名"),
    )

    assert response.status_code == 403
    window.refresh_from_db()
    assert (window.number, window.name) == (5, "5号窗口")


def test_window_staff_is_sent_to_the_admin_login(client, rows_a):
    client.force_login(rows_a["staff"].user)
    url = reverse("admin:windows_window_changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


def test_hall_access_admin_is_invisible_to_managers(client, manager_a):
    client.force_login(manager_a)

    index = client.get(reverse("admin:index"))
    changelist = client.get(reverse("admin:windows_hallaccess_changelist"))

    models = [m["object_name"] for app in index.context["app_list"] for m in app["models"]]
    assert "HallAccess" not in models
    assert "Window" in models
    assert changelist.status_code == 403


def test_hall_access_admin_is_for_the_superuser(client, manager_a, manager_b):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:windows_hallaccess_changelist"))

    assert response.status_code == 200
    assert sorted(a.user.username for a in response.context["cl"].result_list) == [
        "manager_a",
        "manager_b",
    ]


def test_manager_has_no_user_admin(client, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 403


def test_manager_may_neither_add_nor_delete_a_hall(client, manager_a, hall_a):
    client.force_login(manager_a)

    add = client.get(reverse("admin:windows_hall_add"))
    delete = client.post(reverse("admin:windows_hall_delete", args=[hall_a.pk]), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Hall.objects.filter(pk=hall_a.pk).exists()


def test_manager_edits_own_hall_but_not_its_code(client, manager_a, hall_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_hall_change", args=[hall_a.pk]),
        {
            "code": "NEW",
            "name": "甲大厅（新址）",
            "district": "六合区",
            "is_active": "on",
            "rating_timeout_seconds": 90,
            "weekly_questionnaire_quota": 60,
            "followup_due_working_days": 2,
            "queue_recall_limit": 2,
            "display_shows_ratings": "on",
            "booking_miss_limit": 3,
            "booking_miss_days": 30,
            "booking_block_days": 30,
        },
    )

    assert response.status_code == 302
    hall_a.refresh_from_db()
    assert (hall_a.code, hall_a.name, hall_a.rating_timeout_seconds) == ("HA", "甲大厅（新址）", 90)


def test_manager_adds_a_service_item(client, manager_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_serviceitem_add"),
        {"code": "SB101", "name": "参保登记", "handling": "on_the_spot", "is_published": "on"},
    )

    assert response.status_code == 302
    assert ServiceItem.objects.get(code="SB101").name == "参保登记"


def test_manager_may_not_change_a_service_item(client, manager_a):
    client.force_login(manager_a)
    item = ServiceItemFactory(code="SB101", name="参保登记")

    view = client.get(reverse("admin:windows_serviceitem_change", args=[item.pk]))
    change = client.post(
        reverse("admin:windows_serviceitem_change", args=[item.pk]),
        {"code": "SB101", "name": "改名", "handling": "on_the_spot", "is_published": "on"},
    )

    assert (view.status_code, change.status_code) == (200, 403)
    item.refresh_from_db()
    assert item.name == "参保登记"


def test_superuser_sees_every_hall(client, rows_a, rows_b):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:windows_window_changelist"))

    assert list(response.context["cl"].result_list) == [rows_a["window"], rows_b["window"]]


def test_duty_roster_is_ordered_by_date_then_window_number(client, manager_a, rows_a, hall_a):
    client.force_login(manager_a)
    zone = rows_a["zone"]
    later = DutyAssignmentFactory(
        hall=hall_a, date=DAY + datetime.timedelta(days=1), window__zone=zone
    )
    window_2 = DutyAssignmentFactory(hall=hall_a, date=DAY, window__number=2, window__zone=zone)

    response = client.get(reverse("admin:windows_dutyassignment_changelist"))

    assert list(response.context["cl"].result_list) == [window_2, rows_a["dutyassignment"], later]


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_every_page_of_own_rows_renders(client, manager_a, rows_a, model):
    client.force_login(manager_a)
    obj = rows_a[model]

    pages = [
        client.get(reverse(f"admin:windows_{model}_change", args=[obj.pk])),
        client.get(reverse(f"admin:windows_{model}_history", args=[obj.pk])),
    ]
    if model != "hall":
        pages.append(client.get(reverse(f"admin:windows_{model}_add")))
        pages.append(client.get(reverse(f"admin:windows_{model}_delete", args=[obj.pk])))

    assert [page.status_code for page in pages] == [200] * len(pages)


def test_window_inline_adds_service_items_found_by_autocomplete(client, manager_a, rows_a, hall_a):
    client.force_login(manager_a)
    item = ServiceItemFactory(code="SB001", name="参保登记")
    window = rows_a["window"]

    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "windows",
            "model_name": "windowserviceitem",
            "field_name": "service_item",
            "term": "参保",
        },
    )
    saved = client.post(
        reverse("admin:windows_window_change", args=[window.pk]),
        {
            **window_post(hall=hall_a, number=5, name="5号窗口", zone=rows_a["zone"]),
            **management("window_items", total=1),
            "window_items-0-window": window.pk,
            "window_items-0-service_item": item.pk,
        },
    )

    assert found.json()["results"] == [{"id": str(item.pk), "text": "SB001 参保登记"}]
    assert saved.status_code == 302
    assert list(window.service_items.all()) == [item]


def test_add_form_preselects_the_managers_only_hall(client, manager_a, hall_a, hall_b):
    client.force_login(manager_a)

    one_hall = client.get(reverse("admin:windows_window_add"))
    HallAccess.objects.create(user=manager_a, hall=hall_b)
    two_halls = client.get(reverse("admin:windows_window_add"))

    assert one_hall.context["adminform"].form.initial == {"hall": hall_a.pk}
    assert two_halls.context["adminform"].form.initial == {}
