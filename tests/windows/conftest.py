"""Fixtures shared by the windows tests: window 5 of hall A with three items (console,
visit services), and a hall configured for the imports."""

import pytest

from tests.windows.factories import ServiceItemFactory, StaffFactory, WindowFactory, ZoneFactory
from windows.models import WindowServiceItem


@pytest.fixture
def items():
    return [
        ServiceItemFactory(code="C01", name="参保登记"),
        ServiceItemFactory(code="C02", name="缴费基数申报"),
        ServiceItemFactory(code="C03", name="社保卡补办"),
    ]


@pytest.fixture
def window(hall_a, items):
    window = WindowFactory(hall=hall_a, number=5, name="社保通办5号窗口")
    for item in items:
        WindowServiceItem.objects.create(window=window, service_item=item)
    return window


@pytest.fixture
def configured_hall(hall_a):
    """Hall HA with windows 1 and 2, staff B001 and service items S001, S002 (imports)."""
    zone = ZoneFactory(hall=hall_a, name="社保通办")
    WindowFactory(hall=hall_a, number=1, zone=zone)
    WindowFactory(hall=hall_a, number=2, zone=zone)
    StaffFactory(hall=hall_a, badge_no="B001")
    ServiceItemFactory(code="S001")
    ServiceItemFactory(code="S002")
    return hall_a
