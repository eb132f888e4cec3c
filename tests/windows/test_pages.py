"""The staff pages: login, logout, password change and reset, the home page, the layout."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.windows.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    DutyAssignmentFactory,
    HallCalendarDayFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import DutyAssignment, HallCalendarDay

NEW_PASSWORD = "Window-27-service"


@pytest.fixture
def staff(hall_a):
    department = DepartmentFactory(hall=hall_a, name="社保管理中心")
    return StaffFactory(
        hall=hall_a,
        department=department,
        badge_no="A027",
        display_name="王小明",
        user=UserFactory(username="wangxm", email="wangxm@example.com"),
    )


def logged_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- the layout and the login page -------------------------------------------------


def test_login_page_renders_the_form_from_local_static_files(en_client):
    # when
    response = en_client.get("/accounts/login/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="login-form"' in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "Social insurance service hall portal" in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'action="/i18n/setlang/"' in html
    assert '<link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css">' in html
    assert '<script src="/static/bootstrap/js/bootstrap.bundle.min.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "cdn" not in html.lower()


def test_pages_default_to_simplified_chinese(client):
    response = client.get("/accounts/login/")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_language_switch_to_english_changes_the_page_language(client, staff):
    # given a logged-in staff member on the default (Chinese) page
    client.force_login(staff.user)
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "星期一" in html
    # when they press English in the switcher
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # then the next page is English (Django's own catalogue names the weekdays)
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Monday" in html
    assert "星期一" not in html
    # and back to Chinese
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_login_with_the_right_password_lands_on_home(client, staff):
    # when
    response = client.post("/accounts/login/", {"username": "wangxm", "password": TEST_PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(staff.user.pk)


def test_login_follows_next(client, staff):
    response = client.post(
        "/accounts/login/?next=/accounts/password/change/",
        {"username": "wangxm", "password": TEST_PASSWORD, "next": "/accounts/password/change/"},
    )
    assert response["Location"] == "/accounts/password/change/"


def test_login_never_redirects_to_another_site(client, staff):
    response = client.post(
        "/accounts/login/",
        {"username": "wangxm", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_shows_the_error_and_the_attempts_left(en_client, staff):
    # when
    response = en_client.post("/accounts/login/", {"username": "wangxm", "password": "wrong"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    ) in html
    assert "4 more failed attempts lock the account for 15 minutes." in html
    assert logged_in_user_id(en_client) is None


def test_login_with_empty_fields_shows_required_errors(en_client, staff):
    response = en_client.post("/accounts/login/", {"username": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("This field is required.") == 2
    assert 'id="login-attempts-left"' not in html
    assert logged_in_user_id(en_client) is None


def test_logged_in_user_on_the_login_page_goes_home(client, staff):
    client.force_login(staff.user)
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_logout_needs_post(en_client, staff):
    # given
    en_client.force_login(staff.user)
    # when GET
    response = en_client.get("/accounts/logout/")
    # then nothing happens
    assert response.status_code == 405
    assert logged_in_user_id(en_client) == str(staff.user.pk)
    # when POST
    response = en_client.post("/accounts/logout/", follow=True)
    # then
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert logged_in_user_id(en_client) is None
    assert "You have been logged out." in response.content.decode()


def test_navbar_shows_the_badge_and_a_logout_form_but_no_management_to_staff(client, staff):
    client.force_login(staff.user)
    html = client.get("/").content.decode()
    assert re.search(r'id="nav-user">\s*王小明 · \S+ A027\s*</span>', html)
    assert '<form method="post" action="/accounts/logout/"' in html
    assert 'href="/accounts/password/change/"' in html
    assert 'id="nav-management"' not in html
    assert 'href="/admin/"' not in html


def test_navbar_shows_management_to_managers(client, manager_a):
    client.force_login(manager_a)
    html = client.get("/").content.decode()
    assert '<a class="nav-link" id="nav-management" href="/admin/">' in html


# --- password change -----------------------------------------------------------------


def test_password_change_needs_login(client, db):
    response = client.get("/accounts/password/change/")
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def test_password_change_with_a_wrong_old_password_changes_nothing(en_client, staff):
    # given
    en_client.force_login(staff.user)
    # when
    response = en_client.post(
        "/accounts/password/change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    # then
    assert response.status_code == 200
    assert "Your old password was entered incorrectly. Please enter it again." in (
        response.content.decode()
    )
    staff.user.refresh_from_db()
    assert staff.user.check_password(TEST_PASSWORD)


def test_password_change_with_mismatched_new_passwords_changes_nothing(en_client, staff):
    en_client.force_login(staff.user)
    response = en_client.post(
        "/accounts/password/change/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "x"},
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    staff.user.refresh_from_db()
    assert staff.user.check_password(TEST_PASSWORD)


def test_password_change_sets_the_new_password_and_keeps_the_session(en_client, staff):
    # given
    en_client.force_login(staff.user)
    # when
    response = en_client.post(
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    # then
    assert response.redirect_chain == [("/accounts/password/change/done/", 302)]
    assert 'id="password-change-done"' in response.content.decode()
    staff.user.refresh_from_db()
    assert staff.user.check_password(NEW_PASSWORD)
    assert en_client.get("/").status_code == 200


# --- password reset by email ---------------------------------------------------------


def test_password_reset_sends_one_email_with_a_working_link(en_client, staff, mailoutbox):
    # when the staff member asks for a link
    response = en_client.post("/accounts/password/reset/", {"email": "wangxm@example.com"})
    # then one email goes to them
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["wangxm@example.com"]
    assert mail.subject == "Set a new password for the hall portal"
    assert "Hello 王小明," in mail.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.body)
    assert link is not None
    # when they open the link and choose a new password
    response = en_client.get(link.group(1))
    assert response.status_code == 302
    set_password_url = response["Location"]
    assert set_password_url.endswith("/set-password/")
    response = en_client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    # then the password is set and the link is spent
    assert response.redirect_chain == [("/accounts/password/reset/complete/", 302)]
    assert 'id="password-reset-complete"' in response.content.decode()
    staff.user.refresh_from_db()
    assert staff.user.check_password(NEW_PASSWORD)
    spent = en_client.get(link.group(1), follow=True)
    assert "This link is not valid any more" in spent.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(
    en_client, staff, mailoutbox
):
    # when
    response = en_client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mailoutbox == []
    done = en_client.get(response["Location"])
    assert 'id="password-reset-done"' in done.content.decode()


def test_password_reset_with_an_invalid_email_shows_the_error(en_client, staff, mailoutbox):
    response = en_client.post("/accounts/password/reset/", {"email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


def test_password_reset_link_with_a_bad_token_is_refused(en_client, staff):
    response = en_client.get("/accounts/password/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert "This link is not valid any more" in response.content.decode()
    staff.user.refresh_from_db()
    assert staff.user.check_password(TEST_PASSWORD)


def test_password_reset_with_mismatched_passwords_changes_nothing(en_client, staff, mailoutbox):
    en_client.post("/accounts/password/reset/", {"email": "wangxm@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mailoutbox[0].body)
    set_password_url = en_client.get(link.group(1))["Location"]
    response = en_client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "different"}
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    staff.user.refresh_from_db()
    assert staff.user.check_password(TEST_PASSWORD)


# --- the staff home page ---------------------------------------------------------------


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, element_id
    return match.group(1).strip()


def test_home_shows_the_badge_card(client, staff):
    # given
    client.force_login(staff.user)
    # when
    html = client.get("/").content.decode()
    # then
    assert text_of(html, "badge-name") == "王小明"
    assert text_of(html, "badge-no") == "A027"
    assert text_of(html, "badge-department") == "社保管理中心"
    assert text_of(html, "badge-hall") == "甲大厅"
    assert text_of(html, "badge-initials") == "小明"


def test_home_shows_the_photo_when_there_is_one(client, staff):
    staff.photo.name = "staff-photos/HA/A027.jpg"
    staff.save()
    client.force_login(staff.user)
    html = client.get("/").content.decode()
    # Through the photo's view: the media directory has no public URL.
    assert f'<img class="badge-photo" src="/staff/{staff.pk}/photo/"' in html
    assert 'id="badge-initials"' not in html


def test_home_shows_todays_window_from_the_roster(en_client, staff, hall_a):
    # given a window duty today
    window = WindowFactory(hall=hall_a, number=27, name="企保退休综合服务27号窗口")
    DutyAssignmentFactory(
        hall=hall_a,
        staff=staff,
        window=window,
        date=timezone.localdate(),
        shift=DutyAssignment.Shift.MORNING,
    )
    en_client.force_login(staff.user)
    # when
    html = en_client.get("/").content.decode()
    # then
    today = re.search(r'id="today-duty-1">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert '<div class="today-window">Window 27</div>' in today
    assert '<div class="fs-5">企保退休综合服务27号窗口</div>' in today
    assert "window service · morning" in today
    assert 'id="today-no-duty"' not in html


def test_home_says_no_duty_today(en_client, staff):
    en_client.force_login(staff.user)
    html = en_client.get("/").content.decode()
    assert text_of(html, "today-no-duty") == "No duty today."


def test_home_shows_the_week_with_today_highlighted_and_closed_days_marked(client, staff, hall_a):
    # given the hall closed today
    today = timezone.localdate()
    HallCalendarDayFactory(hall=hall_a, date=today, kind=HallCalendarDay.Kind.CLOSURE)
    client.force_login(staff.user)
    # when
    html = client.get("/").content.decode()
    # then seven rows from Monday, today highlighted and marked closed
    rows = re.findall(r'<tr id="roster-(\d{4}-\d{2}-\d{2})" class="([^"]*)"', html)
    monday = today - timedelta(days=today.weekday())
    assert [day for day, _ in rows] == [(monday + timedelta(days=i)).isoformat() for i in range(7)]
    classes = dict(rows)
    assert classes[today.isoformat()] == "roster-today roster-closed"
    assert 'id="today-closed"' in html


def test_home_never_shows_another_staff_members_roster(client, staff, hall_a):
    # given a colleague on duty today at window 12
    colleague = StaffFactory(hall=hall_a, badge_no="A012", display_name="李四")
    window = WindowFactory(hall=hall_a, number=12, name="社保通办12号窗口")
    DutyAssignmentFactory(hall=hall_a, staff=colleague, window=window, date=timezone.localdate())
    client.force_login(staff.user)
    # when the staff member even tries to ask for the colleague's page
    html = client.get("/", {"staff": colleague.pk, "badge_no": "A012"}).content.decode()
    # then they see only their own
    assert text_of(html, "badge-no") == "A027"
    assert "社保通办12号窗口" not in html
    assert "李四" not in html
    assert 'id="today-no-duty"' in html


def test_home_of_a_manager_lists_their_halls_and_the_management_link(client, manager_a, hall_b):
    client.force_login(manager_a)
    html = client.get("/").content.decode()
    assert "甲大厅" in html
    assert "乙大厅" not in html
    assert '<a href="/admin/" class="btn btn-danger btn-lg" id="management-link">' in html


def test_home_of_a_user_without_halls_says_so(en_client, db):
    en_client.force_login(UserFactory(username="nobody"))
    html = en_client.get("/").content.decode()
    assert text_of(html, "no-halls").startswith("No hall has been granted to your account yet.")
    assert 'id="management-link"' not in html


def test_home_refuses_post(client, staff):
    client.force_login(staff.user)
    assert client.post("/").status_code == 405


def test_static_assets_exist_in_the_installed_apps():
    from django.contrib.staticfiles import finders

    for path in (
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
        "css/portal.css",
        "img/logo.svg",
    ):
        assert finders.find(path), path
