"""The demo hall has its business categories, and demo_logins --screens pairs its screens."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from demo.seed import seed_demo
from windows.hall_devices import hall_device_pair
from windows.models import HallDevice, QueueCategory

pytestmark = pytest.mark.django_db


def test_the_demo_hall_gets_its_default_categories_once():
    seed_demo(today=date(2026, 9, 28))
    seed_demo(today=date(2026, 9, 28))

    rows = [
        (c.prefix, c.name, sorted(c.zones.values_list("name", flat=True)), c.windows.count())
        for c in QueueCategory.objects.filter(hall__code="LH01")
    ]
    assert rows == [
        ("A", "社保通办", ["社保通办"], 0),
        ("B", "医保通办", ["医保通办"], 0),
        ("C", "企保待遇通办", ["企保待遇通办"], 0),
        ("D", "专窗业务", [], rows[3][3]),
    ]
    assert rows[3][3] > 0


def test_demo_logins_screens_prints_a_kiosk_and_a_display_link_that_pair():
    seed_demo(today=date(2026, 9, 28))

    def run() -> list[str]:
        out = StringIO()
        with translation.override("en"):
            call_command("demo_logins", "--screens", "--base-url", "http://h:9000", stdout=out)
        return out.getvalue().splitlines()

    run()
    lines = run()[-3:]

    assert lines[0] == "Hall screens (open the link on the screen, valid 15 minutes):"
    kiosk = re.fullmatch(r"  ticket kiosk: http://h:9000/kiosk/pair/\?code=(\d{8})", lines[1])
    display = re.fullmatch(
        r"  hall display screen: http://h:9000/display/pair/\?code=(\d{8})", lines[2]
    )
    assert kiosk and display
    # the first run's unused codes are gone; this run's two wait
    assert HallDevice.objects.filter(token_hash__isnull=True).count() == 2
    assert hall_device_pair(code=kiosk.group(1), kind="kiosk")[0].label == "演示取号机"
    assert hall_device_pair(code=display.group(1), kind="display")[0].label == "演示大屏"


def test_demo_logins_prints_no_screen_link_without_the_option():
    seed_demo(today=date(2026, 9, 28))
    out = StringIO()

    call_command("demo_logins", stdout=out)

    assert "/kiosk/pair/" not in out.getvalue()
    assert HallDevice.objects.count() == 0
