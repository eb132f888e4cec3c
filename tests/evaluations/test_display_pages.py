"""Pairing the big screen (/display/pair/): a big screen's one-time code, within the limits."""

import datetime as dt

import pytest
from django.utils import timezone

from windows.hall_devices import (
    COOKIES,
    hall_device_issue_pairing_code,
    hall_device_revoke,
    hash_secret,
)
from windows.models import HallDevice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
COOKIE = COOKIES[HallDevice.Kind.DISPLAY]
WRONG = "The pairing code is wrong or has expired."
TOO_MANY = "Too many wrong pairing codes from this network. Try again in 15 minutes."


@pytest.fixture
def issued(hall_a):
    return hall_device_issue_pairing_code(hall=hall_a, kind=HallDevice.Kind.DISPLAY, label="大屏1")


def test_the_pairing_link_fills_in_the_code_and_pairs_nothing(en_client, issued):
    device, code = issued

    response = en_client.get(f"/display/pair/?code={code}")

    assert response.status_code == 200
    assert f'value="{code}"' in response.content.decode()
    assert COOKIE not in response.cookies
    device.refresh_from_db()
    assert (device.token_hash, device.paired_at) == (None, None)


def test_pairing_sets_the_screen_cookie_and_opens_the_screen(en_client, issued):
    device, code = issued

    response = en_client.post("/display/pair/", {"code": f"{code[:4]} {code[4:]}"})

    assert (response.status_code, response["Location"]) == (302, "/display/")
    cookie = response.cookies[COOKIE]
    assert (cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (
        True,
        "Lax",
        5 * 365 * 24 * 3600,
    )
    device.refresh_from_db()
    assert device.is_paired
    assert device.token_hash == hash_secret(cookie.value)
    assert en_client.get("/display/").status_code == 200


def expire(device, code, client):
    HallDevice.objects.filter(pk=device.pk).update(
        pairing_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return code


def use_twice(device, code, client):
    client.post("/display/pair/", {"code": code})
    client.cookies.clear()
    return code


def revoke_first(device, code, client):
    hall_device_revoke(device=device)
    return code


def kiosk_code(device, code, client):
    _kiosk, kiosk_code = hall_device_issue_pairing_code(
        hall=device.hall, kind=HallDevice.Kind.KIOSK
    )
    return kiosk_code


@pytest.mark.parametrize(
    "case", ["wrong", "empty", "too long", "expired", "used", "revoked", "a kiosk's code"]
)
def test_a_bad_code_is_refused_and_pairs_nothing(en_client, issued, case):
    device, code = issued
    code = {
        "wrong": lambda d, c, client: "00000000" if c != "00000000" else "11111111",
        "empty": lambda d, c, client: "",
        "too long": lambda d, c, client: c + "9" * 20,
        "expired": expire,
        "used": use_twice,
        "revoked": revoke_first,
        "a kiosk's code": kiosk_code,
    }[case](device, code, en_client)
    paired_before = sorted(
        HallDevice.objects.filter(token_hash__isnull=False).values_list("pk", flat=True)
    )

    response = en_client.post("/display/pair/", {"code": code})

    messages = {
        "empty": "This field is required.",
        "too long": "Ensure this value has at most 20 characters (it has 28).",
    }
    assert response.status_code == 400
    assert response.context["form"].errors == {"code": [messages.get(case, WRONG)]}
    assert COOKIE not in response.cookies
    assert (
        sorted(HallDevice.objects.filter(token_hash__isnull=False).values_list("pk", flat=True))
        == paired_before
    )


def test_ten_wrong_codes_refuse_the_address_even_a_right_code(en_client, issued):
    device, code = issued
    for _attempt in range(10):
        assert en_client.post("/display/pair/", {"code": "00000000"}).status_code == 400

    response = en_client.post("/display/pair/", {"code": code})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.context["form"].errors == {"code": [TOO_MANY]}
    assert COOKIE not in response.cookies
    device.refresh_from_db()
    assert device.token_hash is None


def test_wrong_tablet_codes_count_against_the_big_screen_too(en_client, issued):
    _device, code = issued
    for _attempt in range(10):
        en_client.post("/tablet/pair/", {"code": "00000000"})

    response = en_client.post("/display/pair/", {"code": code})

    assert response.status_code == 429


def test_a_right_code_gives_its_attempt_back(en_client, hall_a):
    for _attempt in range(9):
        en_client.post("/display/pair/", {"code": "00000000"})
    for _screen in range(3):
        _device, code = hall_device_issue_pairing_code(hall=hall_a, kind=HallDevice.Kind.DISPLAY)
        assert en_client.post("/display/pair/", {"code": code}).status_code == 302

    assert en_client.post("/display/pair/", {"code": "00000000"}).status_code == 400
    assert en_client.post("/display/pair/", {"code": "00000000"}).status_code == 429


def test_the_pairing_page_refuses_other_methods(en_client):
    assert en_client.put("/display/pair/").status_code == 405
