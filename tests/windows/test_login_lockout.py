"""Repeated failed logins lock the account (django-axes), and the user is told why."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.windows.factories import TEST_PASSWORD, UserFactory

LOGIN = "/accounts/login/"


@pytest.fixture
def user(db):
    return UserFactory(username="wangxm")


def clock(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def fail(client, username: str, times: int) -> list[int]:
    return [
        client.post(LOGIN, {"username": username, "password": "wrong"}).status_code
        for _ in range(times)
    ]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(en_client, user):
    # given four failures: each shows the login form again with the attempts left
    assert fail(en_client, "wangxm", 4) == [200, 200, 200, 200]
    # when the fifth fails too
    fifth = en_client.post(LOGIN, {"username": "wangxm", "password": "wrong"})
    # then the account is locked
    assert fifth.status_code == 429
    # and the right password no longer opens it
    before = timezone.now()
    response = en_client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    after = timezone.now()
    html = response.content.decode()
    assert response.status_code == 429
    assert en_client.session.get(SESSION_KEY) is None
    assert 'id="locked-out"' in html
    assert (
        "The account “wangxm” is locked because a wrong password was entered 5 times in a row."
    ) in html
    # and is told when to come back: 15 minutes after this latest attempt
    when = re.search(r'id="locked-out-when">\s*(.*?)\s*</p>', html, re.S).group(1)
    assert when in {
        f"Please try again in 15 minutes, after {clock(moment + timedelta(minutes=15))}."
        for moment in (before, after)
    }
    assert '<link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css">' in html


def test_the_attempts_left_count_down(en_client, user):
    messages = []
    for _ in range(4):
        html = en_client.post(LOGIN, {"username": "wangxm", "password": "wrong"}).content
        messages.append(
            re.search(r'id="login-attempts-left">\s*(.*?)\s*</div>', html.decode(), re.S).group(1)
        )
    assert messages == [
        "4 more failed attempts lock the account for 15 minutes.",
        "3 more failed attempts lock the account for 15 minutes.",
        "2 more failed attempts lock the account for 15 minutes.",
        "One more failed attempt locks the account for 15 minutes.",
    ]


def test_a_locked_account_does_not_lock_another_user(client, user):
    # given wangxm is locked out from the hall's shared address
    UserFactory(username="lisi")
    fail(client, "wangxm", 5)
    # when a colleague logs in from the same address
    response = client.post(LOGIN, {"username": "lisi", "password": TEST_PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_account_opens_again_after_the_cool_off(client, user):
    # given a locked account whose last failure was 16 minutes ago
    fail(client, "wangxm", 5)
    AccessAttempt.objects.filter(username="wangxm").update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )
    # when
    response = client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    # then
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_the_account_is_still_locked_just_before_the_cool_off_ends(client, user):
    fail(client, "wangxm", 5)
    AccessAttempt.objects.filter(username="wangxm").update(
        attempt_time=timezone.now() - timedelta(minutes=14)
    )
    response = client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_a_reset_by_the_administrator_unlocks_at_once(client, user):
    fail(client, "wangxm", 5)
    assert reset(username="wangxm") == 1
    response = client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, user):
    # given three failures, then a success
    fail(client, "wangxm", 3)
    client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    client.post("/accounts/logout/")
    # when four more failures follow
    statuses = fail(client, "wangxm", 4)
    # then the account is not locked
    assert statuses == [200, 200, 200, 200]


def test_failures_of_an_unknown_username_lock_that_name_only(client, user):
    assert fail(client, "nosuchuser", 5)[-1] == 429
    response = client.post(LOGIN, {"username": "wangxm", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_admin_login_shares_the_lock_and_the_page(en_client, db):
    # given a manager who failed five times on the management site's login
    UserFactory(username="boss", is_staff=True)
    statuses = [
        en_client.post(
            "/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    # when they try the staff login with the right password
    response = en_client.post(LOGIN, {"username": "boss", "password": TEST_PASSWORD})
    # then
    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()


def test_the_admin_lockout_page_says_how_long_to_wait(en_client, db):
    UserFactory(username="boss", is_staff=True)
    for _ in range(5):
        response = en_client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    html = response.content.decode()
    when = re.search(r'id="locked-out-when">\s*(.*?)\s*</p>', html, re.S).group(1)
    assert when == "Please try again in 15 minutes."
