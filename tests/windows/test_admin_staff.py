"""Staff badge cards with their login accounts, created and reset by the hall's managers."""

from io import BytesIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from tests.windows.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    StaffFactory,
    make_manager,
)
from windows import roles
from windows.models import HallAccess, Staff

User = get_user_model()
NEW_PASSWORD = "Window-5-counter"


@pytest.fixture
def department_a(hall_a):
    return DepartmentFactory(hall=hall_a, name="社保管理中心")


@pytest.fixture
def staff_a(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A001", display_name="张三", user__username="zhang")


@pytest.fixture
def staff_b(hall_b):
    return StaffFactory(hall=hall_b, badge_no="B001", display_name="李四", user__username="li")


def add_data(hall, **overrides):
    data = {
        "hall": hall.pk,
        "badge_no": "A007",
        "display_name": "王五",
        "department": "",
        "job_title": "窗口受理员",
        "is_active": "on",
        "username": "wangwu",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password) is not None


def stored() -> tuple[list, list]:
    return (
        sorted(Staff.objects.values_list("hall__code", "badge_no", "user__username")),
        sorted(User.objects.values_list("username", flat=True)),
    )


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_manager_creates_a_staff_member_with_a_login_account(
    client, manager_a, hall_a, department_a
):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_staff_add"), add_data(hall_a, department=department_a.pk)
    )

    assert response.status_code == 302
    staff = Staff.objects.get(badge_no="A007")
    assert response.url == reverse("admin:windows_staff_changelist")
    assert (staff.hall, staff.display_name, staff.department, staff.job_title) == (
        hall_a,
        "王五",
        department_a,
        "窗口受理员",
    )
    user = staff.user
    assert (user.username, user.is_staff, user.is_superuser, user.is_active) == (
        "wangwu",
        False,
        False,
        True,
    )
    assert list(user.groups.values_list("name", flat=True)) == [roles.WINDOW_STAFF]
    assert can_log_in("wangwu", NEW_PASSWORD)


def test_staff_photo_is_stored_and_shown_in_the_list(client, manager_a, hall_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_a)

    client.post(reverse("admin:windows_staff_add"), add_data(hall_a, photo=png()))
    response = client.get(reverse("admin:windows_staff_changelist"))

    staff = Staff.objects.get(badge_no="A007")
    assert staff.photo.name == "staff-photos/HA/A007.png"
    assert (tmp_path / "staff-photos/HA/A007.png").exists()
    # The photo is linked through its view (the media directory has no public URL).
    photo_url = reverse("staff-photo", args=[staff.pk])
    assert f'<img src="{photo_url}" alt="" style="height: 40px">' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"password2": "Something-else-9"},
            "password2",
            "The two password fields didn’t match.",
        ),
        (
            {"password1": "12345678", "password2": "12345678"},
            "password2",
            "This password is too common.",
        ),
        ({"username": "Zhang"}, "username", "A user with that username already exists."),
        (
            {"username": "bad name!"},
            "username",
            "Enter a valid username. This value may contain only letters, numbers, "
            "and @/./+/-/_ characters.",
        ),
        ({"badge_no": ""}, "badge_no", "This field is required."),
    ],
    ids=["mismatch", "weak", "taken-username", "bad-username", "no-badge"],
)
def test_bad_staff_add_form_stores_nothing(
    client, english, manager_a, hall_a, staff_a, overrides, field, message
):
    client.force_login(manager_a)
    before = stored()

    response = client.post(reverse("admin:windows_staff_add"), add_data(hall_a, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert message in errors[field]
    assert stored() == before


def test_duplicate_badge_in_the_same_hall_is_refused(client, english, manager_a, hall_a, staff_a):
    client.force_login(manager_a)
    before = stored()

    response = client.post(reverse("admin:windows_staff_add"), add_data(hall_a, badge_no="A001"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Staff member with this Hall and Badge number already exists."]
    }
    assert "Staff member with this Hall and Badge number already exists." in (
        response.content.decode()
    )
    assert stored() == before


def test_staff_cannot_be_added_to_another_hall(client, english, manager_a, hall_b, staff_b):
    client.force_login(manager_a)
    before = stored()

    response = client.post(reverse("admin:windows_staff_add"), add_data(hall_b))

    assert response.context["adminform"].form.errors == {
        "hall": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert stored() == before


def test_department_of_another_hall_is_refused(client, english, manager_a, hall_a, hall_b, staff_a):
    # given a manager of both halls
    HallAccess.objects.create(user=manager_a, hall=hall_b)
    client.force_login(manager_a)
    department_b = DepartmentFactory(hall=hall_b, name="乙厅部门")
    before = stored()

    response = client.post(
        reverse("admin:windows_staff_add"), add_data(hall_a, department=department_b.pk)
    )

    assert response.context["adminform"].form.errors == {
        "department": ["The department belongs to another hall."]
    }
    assert stored() == before


def test_login_account_is_not_editable_on_the_change_page(
    client, manager_a, hall_a, staff_a, staff_b
):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_staff_change", args=[staff_a.pk]),
        {
            "user": staff_b.user.pk,
            "badge_no": "A001",
            "display_name": "张三丰",
            "department": "",
            "job_title": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert (staff_a.display_name, staff_a.user.username, staff_a.hall) == (
        "张三丰",
        "zhang",
        hall_a,
    )


def test_taking_a_staff_member_off_duty_closes_their_login(client, manager_a, staff_a):
    client.force_login(manager_a)
    card = {"badge_no": "A001", "display_name": "张三", "department": "", "job_title": ""}

    response = client.post(reverse("admin:windows_staff_change", args=[staff_a.pk]), card)

    assert response.status_code == 302
    assert can_log_in("zhang", TEST_PASSWORD) is False

    client.post(
        reverse("admin:windows_staff_change", args=[staff_a.pk]), {**card, "is_active": "on"}
    )

    assert can_log_in("zhang", TEST_PASSWORD) is True


def test_deleting_a_staff_member_keeps_the_account_but_closes_it(client, manager_a, staff_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_staff_delete", args=[staff_a.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert Staff.objects.filter(pk=staff_a.pk).exists() is False
    assert User.objects.get(username="zhang").is_active is False


# Set password


def password_url(staff) -> str:
    return reverse("admin:windows_staff_password", args=[staff.pk])


def test_manager_sets_a_staff_password(client, english, manager_a, staff_a):
    client.force_login(manager_a)

    response = client.post(
        password_url(staff_a), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:windows_staff_change", args=[staff_a.pk])
    assert [str(m) for m in client.get(response.url).context["messages"]] == [
        "The password of 张三（A001） was changed."
    ]
    assert can_log_in("zhang", NEW_PASSWORD)
    assert not can_log_in("zhang", TEST_PASSWORD)


def test_change_page_links_to_set_password_for_managers_only(client, english, hall_a, staff_a):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    manager = make_manager(hall_a, "manager_x")
    change_url = reverse("admin:windows_staff_change", args=[staff_a.pk])
    link = f'<a href="{password_url(staff_a)}">Set password</a>'

    client.force_login(manager)
    manager_page = client.get(change_url).content.decode()
    client.force_login(supervisor)
    supervisor_page = client.get(change_url).content.decode()

    assert link in manager_page
    assert link not in supervisor_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"password1": NEW_PASSWORD, "password2": "other"},
            "The two password fields didn’t match.",
        ),
        (
            {"password1": "Ab3$x", "password2": "Ab3$x"},
            "This password is too short. It must contain at least 8 characters.",
        ),
    ],
    ids=["mismatch", "too-short"],
)
def test_bad_new_password_is_refused(client, english, manager_a, staff_a, data, message):
    client.force_login(manager_a)

    response = client.post(password_url(staff_a), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"password2": [message]}
    assert can_log_in("zhang", TEST_PASSWORD)


def test_manager_cannot_set_another_halls_staff_password(client, manager_a, staff_b):
    client.force_login(manager_a)

    get_response = client.get(password_url(staff_b))
    post_response = client.post(
        password_url(staff_b), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert (get_response.status_code, post_response.status_code) == (404, 404)
    assert can_log_in("li", TEST_PASSWORD)


def test_supervisor_cannot_set_a_staff_password(client, hall_a, staff_a):
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    response = client.post(
        password_url(staff_a), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    assert can_log_in("zhang", TEST_PASSWORD)


def test_window_staff_cannot_reach_the_password_page(client, staff_a):
    client.force_login(staff_a.user)

    response = client.get(password_url(staff_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_manager_cannot_set_the_password_of_an_admin_account(client, manager_a, hall_a):
    # given a staff card linked to an account with admin access
    staff = StaffFactory(hall=hall_a, user__username="boss", user__is_staff=True)
    client.force_login(manager_a)

    response = client.post(
        password_url(staff), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    assert can_log_in("boss", TEST_PASSWORD)
