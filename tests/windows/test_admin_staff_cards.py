"""The staff admin with cards without a login, the staff email, giving a card a login, the
staff import upload and the staff export (issue 12 item 1)."""

from io import BytesIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from tests.windows.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    StaffFactory,
    make_manager,
)
from windows import roles
from windows.exports import write_staff_xlsx
from windows.importing import RowError, staff_import
from windows.models import ImportJob, Staff

User = get_user_model()
NEW_PASSWORD = "Window-5-counter"
STAFF_HEADER = ("大厅编码", "工号", "姓名", "部门", "职务", "邮箱", "在岗", "登录名")


@pytest.fixture
def card_a(hall_a):
    """A badge card of hall A without a login."""
    return Staff.objects.create(
        hall=hall_a, badge_no="A020", display_name="历史人员", email="old@example.com"
    )


@pytest.fixture
def card_b(hall_b):
    return Staff.objects.create(hall=hall_b, badge_no="B020", display_name="乙厅人员")


@pytest.fixture
def staff_a(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A001", display_name="张三", user__username="zhang")


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password) is not None


def stored() -> tuple[list, list]:
    return (
        sorted(Staff.objects.values_list("hall__code", "badge_no", "email", "user__username")),
        sorted(User.objects.values_list("username", "password")),
    )


def card_data(hall, **overrides) -> dict:
    data = {
        "hall": hall.pk,
        "badge_no": "A007",
        "display_name": "王五",
        "department": "",
        "job_title": "",
        "email": "wangwu@example.com",
        "is_active": "on",
        "username": "",
        "password1": "",
        "password2": "",
    }
    return {**data, **overrides}


# --- cards without a login, and the email ------------------------------------------------


def test_manager_adds_a_card_without_a_login(client, english, manager_a, hall_a):
    client.force_login(manager_a)

    response = client.post(reverse("admin:windows_staff_add"), card_data(hall_a))

    assert response.status_code == 302
    staff = Staff.objects.get(badge_no="A007")
    assert (staff.display_name, staff.email, staff.user) == ("王五", "wangwu@example.com", None)
    assert User.objects.filter(username="").exists() is False


def test_manager_adds_a_card_with_a_login(client, english, manager_a, hall_a):
    client.force_login(manager_a)

    client.post(
        reverse("admin:windows_staff_add"),
        card_data(hall_a, username="wangwu", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    staff = Staff.objects.get(badge_no="A007")
    assert (staff.user.username, staff.user.email, staff.email) == (
        "wangwu",
        "",
        "wangwu@example.com",
    )
    assert can_log_in("wangwu", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"username": "wangwu"},
            {"password1": ["This field is required."], "password2": ["This field is required."]},
        ),
        (
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            {"username": ["A password needs a username: give one, or leave the passwords empty."]},
        ),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
    ],
    ids=["username-without-password", "password-without-username", "bad-email"],
)
def test_bad_add_form_stores_nothing(client, english, manager_a, hall_a, overrides, errors):
    client.force_login(manager_a)
    before = stored()

    response = client.post(reverse("admin:windows_staff_add"), card_data(hall_a, **overrides))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert stored() == before


def test_manager_sees_and_sets_a_staff_members_email(client, english, manager_a, staff_a):
    client.force_login(manager_a)
    change_url = reverse("admin:windows_staff_change", args=[staff_a.pk])
    assert 'value="zhang@example.com"' in client.get(change_url).content.decode()

    response = client.post(
        change_url,
        {"badge_no": "A001", "display_name": "张三", "email": "zs@hall.example", "is_active": "on"},
    )

    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert (staff_a.email, staff_a.user.email) == ("zs@hall.example", "zhang@example.com")


def test_a_bad_email_on_the_change_page_is_refused(client, english, manager_a, staff_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_staff_change", args=[staff_a.pk]),
        {"badge_no": "A001", "display_name": "张三", "email": "zs@", "is_active": "on"},
    )

    assert response.context["adminform"].form.errors == {"email": ["Enter a valid email address."]}
    staff_a.refresh_from_db()
    assert staff_a.email == "zhang@example.com"


def test_the_list_shows_cards_with_and_without_a_login(
    client, english, manager_a, staff_a, card_a, card_b
):
    client.force_login(manager_a)
    changelist = reverse("admin:windows_staff_changelist")

    page = client.get(changelist)
    without = client.get(changelist, {"login": "no"})
    with_login = client.get(changelist, {"login": "yes"})

    assert [s.badge_no for s in page.context["cl"].result_list] == ["A001", "A020"]
    html = page.content.decode()
    assert '<td class="field-account">no login</td>' in html
    assert '<td class="field-account">zhang</td>' in html
    assert '<td class="field-email">old@example.com</td>' in html
    assert [s.badge_no for s in without.context["cl"].result_list] == ["A020"]
    assert [s.badge_no for s in with_login.context["cl"].result_list] == ["A001"]


def test_a_card_without_a_login_is_changed_and_deleted(client, english, manager_a, card_a):
    client.force_login(manager_a)
    change_url = reverse("admin:windows_staff_change", args=[card_a.pk])

    page = client.get(change_url).content.decode()
    changed = client.post(
        change_url, {"badge_no": "A020", "display_name": "李历史", "email": "", "is_active": ""}
    )
    deleted = client.post(reverse("admin:windows_staff_delete", args=[card_a.pk]), {"post": "yes"})

    assert "no login" in page
    assert (changed.status_code, deleted.status_code) == (302, 302)
    assert Staff.objects.filter(pk=card_a.pk).exists() is False


def test_the_duty_roster_takes_a_card_without_a_login(client, english, manager_a, hall_a, card_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_dutyassignment_add"),
        {
            "hall": hall_a.pk,
            "date": "2026-11-30",
            "shift": "full_day",
            "role": "duty_leader",
            "staff": card_a.pk,
            "window": "",
            "note": "",
        },
    )
    roster = client.get(reverse("admin:windows_dutyassignment_changelist"))

    assert response.status_code == 302
    assert "历史人员（A020）" in roster.content.decode()


# --- giving a card a login --------------------------------------------------------------


def login_url(staff) -> str:
    return reverse("admin:windows_staff_login", args=[staff.pk])


def test_manager_gives_a_card_a_login(client, english, manager_a, card_a):
    client.force_login(manager_a)
    change_url = reverse("admin:windows_staff_change", args=[card_a.pk])
    assert f'<a href="{login_url(card_a)}" class="give-login">Give a login</a>' in (
        client.get(change_url).content.decode()
    )

    response = client.post(
        login_url(card_a),
        {"username": "lishi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (response.status_code, response.url) == (302, change_url)
    assert [str(m) for m in client.get(response.url).context["messages"]] == [
        "历史人员（A020） can now sign in as lishi."
    ]
    card_a.refresh_from_db()
    user = card_a.user
    assert (user.username, user.is_staff, user.is_superuser, user.is_active, user.email) == (
        "lishi",
        False,
        False,
        True,
        "",
    )
    assert list(user.groups.values_list("name", flat=True)) == [roles.WINDOW_STAFF]
    assert can_log_in("lishi", NEW_PASSWORD)
    # the card has a login now: set its password instead
    assert client.get(login_url(card_a)).status_code == 403
    assert "give-login" not in client.get(change_url).content.decode()


def test_an_off_duty_card_gets_a_closed_login(client, manager_a, card_a):
    card_a.is_active = False
    card_a.save()
    client.force_login(manager_a)

    client.post(
        login_url(card_a),
        {"username": "lishi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert User.objects.get(username="lishi").is_active is False
    assert can_log_in("lishi", NEW_PASSWORD) is False


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"username": "ZHANG", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            {"username": ["A user with that username already exists."]},
        ),
        (
            {"username": "li shi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            {
                "username": [
                    "Enter a valid username. This value may contain only letters, numbers, "
                    "and @/./+/-/_ characters."
                ]
            },
        ),
        (
            {"username": "lishi", "password1": NEW_PASSWORD, "password2": "other"},
            {"password2": ["The two password fields didn’t match."]},
        ),
        (
            {"username": "lishi", "password1": "12345678", "password2": "12345678"},
            {"password2": ["This password is too common.", "This password is entirely numeric."]},
        ),
        ({"username": "", "password1": "", "password2": ""}, None),
    ],
    ids=["taken", "invalid", "mismatch", "weak", "empty"],
)
def test_bad_login_form_stores_nothing(client, english, manager_a, staff_a, card_a, data, errors):
    client.force_login(manager_a)
    before = stored()

    response = client.post(login_url(card_a), data)

    assert response.status_code == 200
    if errors is not None:
        assert response.context["form"].errors == errors
    else:
        assert set(response.context["form"].errors) == {"username", "password1", "password2"}
    assert stored() == before


def test_another_halls_manager_cannot_give_a_login(client, manager_b, card_a):
    client.force_login(manager_b)

    response = client.post(
        login_url(card_a),
        {"username": "lishi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 404
    card_a.refresh_from_db()
    assert card_a.user is None


def test_supervisor_cannot_give_a_login(client, supervisor_a, card_a):
    client.force_login(supervisor_a)
    change_page = client.get(reverse("admin:windows_staff_change", args=[card_a.pk]))

    response = client.post(
        login_url(card_a),
        {"username": "lishi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "give-login" not in change_page.content.decode()
    assert response.status_code == 403
    assert User.objects.filter(username="lishi").exists() is False


def test_window_staff_cannot_reach_the_login_page(client, staff_a, card_a):
    client.force_login(staff_a.user)

    response = client.get(login_url(card_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_card_without_a_login_has_no_password_page(client, manager_a, card_a):
    client.force_login(manager_a)

    response = client.get(reverse("admin:windows_staff_password", args=[card_a.pk]))

    assert response.status_code == 403


# --- the staff import upload ---------------------------------------------------------------


def upload(text: str, name: str = "staff.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def post_import(client, file, **data):
    return client.post(reverse("admin:windows_staff_import"), {"file": file, **data})


CSV = "大厅编码,工号,姓名,邮箱,登录名\nHA,A010,赵六,zl@example.com,zhaoliu\nHA,A011,钱七,,\n"


def test_the_staff_list_links_to_the_import_page_for_managers(
    client, english, manager_a, supervisor_a
):
    link = f'<a href="{reverse("admin:windows_staff_import")}" class="import-staff">'

    client.force_login(manager_a)
    manager_page = client.get(reverse("admin:windows_staff_changelist")).content.decode()
    client.force_login(supervisor_a)
    supervisor_page = client.get(reverse("admin:windows_staff_changelist")).content.decode()

    assert link in manager_page
    assert link not in supervisor_page


def test_manager_imports_staff(client, english, manager_a, hall_a):
    client.force_login(manager_a)
    assert client.get(reverse("admin:windows_staff_import")).status_code == 200

    response = post_import(client, upload(CSV))

    assert response.status_code == 302
    assert response.url == reverse("admin:windows_staff_changelist")
    assert [str(m) for m in client.get(response.url).context["messages"]] == [
        "Staff imported: imported 2, unchanged 0, rejected 0."
    ]
    assert stored()[0] == [
        ("HA", "A010", "zl@example.com", "zhaoliu"),
        ("HA", "A011", "", None),
    ]


def test_import_upload_with_the_hall_chosen_and_a_dry_run(client, english, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("工号,姓名\nA010,赵六\n"), hall=hall_a.pk, dry_run="on")

    assert response.status_code == 200
    assert response.context["result"].summary == "imported 1, unchanged 0, rejected 0"
    assert Staff.objects.count() == 0


def test_import_upload_shows_rejected_rows(client, english, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload(CSV + "HA,A012,,,\n"))

    assert response.status_code == 200
    assert response.context["result"].errors == [RowError(row=4, reason="missing name")]
    assert '<p class="import-summary">' in response.content.decode()
    assert Staff.objects.count() == 2


def test_manager_cannot_import_into_another_hall(client, english, manager_a, hall_a, hall_b):
    client.force_login(manager_a)
    before = stored()

    rows = post_import(client, upload("大厅编码,工号,姓名\nHB,B010,赵六\nHB,B011,钱七\n"))
    chosen = post_import(client, upload("工号,姓名\nB010,赵六\n"), hall=hall_b.pk)

    assert rows.context["result"].errors == [
        RowError(row=2, reason="no permission for hall HB"),
        RowError(row=3, reason="no permission for hall HB"),
    ]
    assert chosen.status_code == 200
    assert chosen.context["form"].errors == {
        "hall": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert stored() == before


@pytest.mark.parametrize("who", ["supervisor", "staff"])
def test_supervisor_and_staff_cannot_import(client, hall_a, staff_a, supervisor_a, who):
    client.force_login(supervisor_a if who == "supervisor" else staff_a.user)
    before = stored()

    response = post_import(client, upload(CSV))

    assert response.status_code == (403 if who == "supervisor" else 302)
    assert stored() == before


def test_import_upload_refuses_a_bad_file(client, english, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("not a workbook", name="staff.xlsx"))

    assert response.context["form"].errors == {
        "file": ["the file is not a readable .xlsx workbook"]
    }
    assert Staff.objects.count() == 0


# --- the staff export ----------------------------------------------------------------------


def export(client, *, selected=(), select_across=True):
    return client.post(
        reverse("admin:windows_staff_changelist"),
        {
            "action": "export_xlsx",
            "_selected_action": [str(pk) for pk in selected],
            "select_across": "1" if select_across else "0",
            "index": "0",
        },
    )


def read_xlsx(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def test_the_export_has_the_import_columns_and_only_the_managers_hall(
    client, manager_a, hall_a, staff_a, card_a, card_b
):
    staff_a.department = DepartmentFactory(hall=hall_a, name="社保管理中心")
    staff_a.job_title = "窗口受理员"
    staff_a.save()
    client.force_login(manager_a)

    response = export(client, selected=[staff_a.pk])

    assert response["Content-Disposition"].startswith('attachment; filename="staff-')
    assert read_xlsx(response.content) == [
        STAFF_HEADER,
        ("HA", "A001", "张三", "社保管理中心", "窗口受理员", "zhang@example.com", "是", "zhang"),
        ("HA", "A020", "历史人员", None, None, "old@example.com", "是", None),
    ]


def test_supervisor_may_export_staff(client, supervisor_a, staff_a):
    client.force_login(supervisor_a)

    response = export(client, selected=[staff_a.pk])

    assert [row[1] for row in read_xlsx(response.content)] == ["工号", "A001"]


def test_hostile_names_are_exported_as_text(hall_a):
    Staff.objects.create(hall=hall_a, badge_no="A030", display_name="=HYPERLINK(1)")
    output = BytesIO()

    write_staff_xlsx(Staff.objects.all(), output)

    cell = load_workbook(BytesIO(output.getvalue())).active["C2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=HYPERLINK(1)", "s", True)


def test_the_export_imports_back_unchanged(manager_a, hall_a, staff_a, card_a):
    # given cards with and without a login, on and off duty, hostile text included
    off = StaffFactory(
        hall=hall_a,
        badge_no="A002",
        display_name="+李四",
        department=DepartmentFactory(hall=hall_a, name="=医保中心"),
        job_title="-科长",
        is_active=False,
    )
    off.user.is_active = False
    off.user.save()
    output = BytesIO()
    write_staff_xlsx(Staff.objects.for_user(manager_a), output)
    before = stored()

    # when the file is imported again
    result = staff_import(file=BytesIO(output.getvalue()), filename="staff.xlsx", user=manager_a)

    # then every row is unchanged
    assert (result.summary, result.errors) == ("imported 0, unchanged 3, rejected 0", [])
    assert stored() == before
    assert can_log_in("zhang", TEST_PASSWORD)


def test_a_big_staff_upload_runs_as_a_job_scoped_to_the_managers_halls(
    client,
    english,
    manager_a,
    hall_a,
    hall_b,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_IN_BACKGROUND_FROM = 10  # bytes: this upload is "big"
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, upload(CSV + "HB,B010,乙厅,,\n"))

    job = ImportJob.objects.get()
    assert response.url == reverse("admin:windows_staff_import_job", args=[job.pk])
    assert (job.kind, job.status, job.summary, job.errors) == (
        "staff",
        "done",
        "imported 2, unchanged 0, rejected 1",
        [[4, "no permission for hall HB"]],
    )
    assert [card[:2] for card in stored()[0]] == [("HA", "A010"), ("HA", "A011")]
    assert client.get(response.url).status_code == 200
