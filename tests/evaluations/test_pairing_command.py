import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from evaluations.models import TabletDevice
from evaluations.services.devices import tablet_pair
from tests.windows.factories import WindowFactory

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_code_that_pairs_a_tablet_with_the_window(hall_a):
    window = WindowFactory(hall=hall_a, number=5, name="社保通办5号窗口")
    out = StringIO()

    with translation.override("en"):
        call_command("tablet_pairing_code", "--hall", "HA", "--window", "5", stdout=out)

    first, second = out.getvalue().splitlines()
    code = re.search(r": (\d{8}) \(valid until \d\d:\d\d\)$", first).group(1)
    assert first.startswith("Pairing code for 社保通办5号窗口: ")
    assert second == f"Open on the tablet: http://testserver/tablet/pair/?code={code}"
    device, _token = tablet_pair(code=code)
    assert device.window == window


def test_an_unknown_window_is_refused_and_nothing_is_stored(hall_a):
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("tablet_pairing_code", "--hall", "HA", "--window", "9")

    assert str(error.value) == "No window 9 in hall HA."
    assert TabletDevice.objects.count() == 0
