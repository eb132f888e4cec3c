"""Guessing the hall screens' pairing codes: the tablets' limits, on the same counts."""

import logging

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from evaluations.services.devices import tablet_issue_pairing_code
from tests.windows.factories import WindowFactory, make_manager
from windows.hall_devices import hall_device_issue_pairing_code
from windows.models import HallDevice

pytestmark = pytest.mark.django_db
REFUSED = "Too many wrong pairing codes from this network. Try again in 15 minutes."


@pytest.fixture
def waiting_code(hall_a):
    return hall_device_issue_pairing_code(hall=hall_a, kind=HallDevice.Kind.KIOSK)[1]


def pair_from(address: str, code: str, path: str = "/kiosk/pair/"):
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address).post(path, {"code": code})


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10**8).zfill(8)


def test_ten_wrong_codes_and_the_address_is_refused_another_is_not(waiting_code, caplog):
    caplog.set_level(logging.WARNING, logger="windows.pairing")

    statuses = [pair_from("10.0.0.7", wrong(waiting_code)).status_code for _ in range(10)]
    refused = pair_from("10.0.0.7", waiting_code)
    other = pair_from("10.0.0.8", waiting_code)

    assert statuses == [400] * 10
    assert refused.status_code == 429
    assert REFUSED in refused.content.decode()
    assert (other.status_code, other["Location"]) == (302, "/kiosk/")
    messages = [r.getMessage() for r in caplog.records if r.name == "windows.pairing"]
    assert [m.split(":")[0] for m in messages] == ["screen pairing code wrong"] * 10 + [
        "screen pairing refused"
    ]
    assert "attempt 10 of 10" in messages[9]


def test_wrong_tablet_codes_count_against_the_kiosk_too(waiting_code, hall_a):
    """An address does not get ten guesses per kind of device."""
    _tablet, tablet_code = tablet_issue_pairing_code(window=WindowFactory(hall=hall_a))
    for _ in range(10):
        pair_from("10.0.0.20", wrong(tablet_code), path="/tablet/pair/")

    refused = pair_from("10.0.0.20", waiting_code)

    assert refused.status_code == 429
    assert not HallDevice.objects.filter(token_hash__isnull=False).exists()


def test_right_codes_are_not_held_against_an_address(hall_a):
    codes = [hall_device_issue_pairing_code(hall=hall_a, kind=kind)[1] for kind in ["kiosk"] * 12]
    pair_from("10.0.0.10", wrong(codes[0]))

    statuses = [pair_from("10.0.0.10", code).status_code for code in codes]

    assert statuses == [302] * 12


def test_a_burst_alerts_the_managers_of_the_hall_with_a_screen_code_waiting_once(
    waiting_code, hall_a, manager_a, manager_b, caplog
):
    caplog.set_level(logging.WARNING, logger="windows.pairing")
    second_manager = make_manager(hall_a, "manager_a2")

    for address in range(4):
        for _ in range(10):
            pair_from(f"10.0.1.{address}", wrong(waiting_code))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([manager_a.email, second_manager.email])
    with translation.override(settings.LANGUAGE_CODE):  # the alert's language
        subject = gettext("[%(hall)s] Pairing codes of the hall's screens are being guessed")
    assert message.subject == subject % {"hall": "甲大厅"}
    assert message.body.endswith(f"{settings.PORTAL_BASE_URL}/admin/windows/halldevice/")
    bursts = [r for r in caplog.records if r.getMessage().startswith("screen pairing burst")]
    assert len(bursts) == 1 and bursts[0].levelno == logging.ERROR
