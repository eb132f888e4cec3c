"""The tablet's pages: pairing with a one-time code and the kiosk page."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from evaluations.models import TabletDevice
from evaluations.services.devices import hash_secret, tablet_issue_pairing_code, tablet_revoke
from evaluations.tablet.auth import DEVICE_COOKIE
from tests.evaluations.tablet_factories import as_tablet, paired_tablet
from tests.windows.factories import WindowFactory

pytestmark = pytest.mark.django_db
WRONG = "The pairing code is wrong or has expired."


@pytest.fixture
def window(hall_a):
    return WindowFactory(hall=hall_a, number=3, name="3号窗口")


@pytest.fixture
def issued(window):
    return tablet_issue_pairing_code(window=window, label="3号评价器")


def test_the_pairing_link_fills_in_the_code_and_pairs_nothing(en_client, issued):
    device, code = issued

    response = en_client.get(f"/tablet/pair/?code={code}")

    assert response.status_code == 200
    assert f'value="{code}"' in response.content.decode()
    assert DEVICE_COOKIE not in response.cookies
    device.refresh_from_db()
    assert (device.token_hash, device.paired_at) == (None, None)


def test_pairing_sets_the_device_cookie_and_opens_the_kiosk(en_client, issued):
    device, code = issued

    response = en_client.post("/tablet/pair/", {"code": code})

    assert response.status_code == 302
    assert response["Location"] == "/tablet/"
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 5 * 365 * 24 * 3600
    device.refresh_from_db()
    assert device.is_paired
    assert device.token_hash == hash_secret(cookie.value)
    assert en_client.get("/tablet/").status_code == 200


def test_a_code_typed_with_spaces_pairs(en_client, issued):
    device, code = issued

    en_client.post("/tablet/pair/", {"code": f"{code[:4]} {code[4:]}"})

    device.refresh_from_db()
    assert device.is_paired


def expire(device, code):
    TabletDevice.objects.filter(pk=device.pk).update(
        pairing_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return code


def use_twice(en_client):
    def used(device, code):
        en_client.post("/tablet/pair/", {"code": code})
        en_client.cookies.clear()
        return code

    return used


def revoke_first(device, code):
    tablet_revoke(device=device)
    return code


@pytest.mark.parametrize("case", ["wrong", "empty", "expired", "used", "revoked"])
def test_a_bad_code_is_refused(english, en_client, issued, case):
    device, code = issued
    code = {
        "wrong": lambda d, c: "00000000" if c != "00000000" else "11111111",
        "empty": lambda d, c: "",
        "expired": expire,
        "used": use_twice(en_client),
        "revoked": revoke_first,
    }[case](device, code)
    paired_before = TabletDevice.objects.filter(token_hash__isnull=False).count()

    response = en_client.post("/tablet/pair/", {"code": code})

    assert response.status_code == 400
    message = "This field is required." if case == "empty" else WRONG
    assert response.context["form"].errors == {"code": [message]}
    assert DEVICE_COOKIE not in response.cookies
    assert TabletDevice.objects.filter(token_hash__isnull=False).count() == paired_before


def test_pairing_a_second_tablet_revokes_the_first(en_client, window):
    first, first_token = paired_tablet(window)
    _second, code = tablet_issue_pairing_code(window=window)

    en_client.post("/tablet/pair/", {"code": code})

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert as_tablet(en_client, first_token).get("/api/v1/tablet/state").status_code == 401


def test_the_kiosk_page_is_standalone_and_embeds_its_settings(en_client, window):
    _device, token = paired_tablet(window)

    response = as_tablet(en_client, token).get("/tablet/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "portal-navbar" not in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "/static/evaluations/tablet.js" in html
    for level in range(1, 6):
        assert f'data-level="{level}"' in html
    for reason in ("attitude", "long_wait", "notification", "unskilled", "other"):
        assert f'data-reason="{reason}"' in html
    config = json.loads(html.split('id="tablet-config" type="application/json">')[1].split("<")[0])
    assert config["stateUrl"] == "/api/v1/tablet/state"
    assert config["ratingsUrl"] == "/api/v1/tablet/ratings"
    assert config["goodFrom"] == 3
    assert config["pollMs"] == 400
    assert config["tapGuardMs"] == 1500
    assert config["csrfToken"]


def test_the_kiosk_levels_go_from_very_satisfied_to_very_dissatisfied(english, en_client, window):
    _device, token = paired_tablet(window)

    html = as_tablet(en_client, token).get("/tablet/").content.decode()

    positions = [html.index(f'data-level="{level}"') for level in (5, 4, 3, 2, 1)]
    assert positions == sorted(positions)
    assert "very satisfied" in html and "very dissatisfied" in html


@pytest.mark.parametrize("who", ["nobody", "revoked", "manager", "unknown token"])
def test_the_kiosk_page_needs_a_paired_tablet(en_client, manager_a, window, who):
    device, token = paired_tablet(window)
    if who == "revoked":
        tablet_revoke(device=device)
        as_tablet(en_client, token)
    elif who == "manager":
        en_client.force_login(manager_a)
    elif who == "unknown token":
        as_tablet(en_client, "forged")

    response = en_client.get("/tablet/")

    assert response.status_code == 302
    assert response["Location"] == "/tablet/pair/"


def test_the_kiosk_page_is_read_only(en_client, window):
    _device, token = paired_tablet(window)

    assert as_tablet(en_client, token).post("/tablet/").status_code == 405
