"""Fixtures shared by the console and visit-service tests: window 5 of hall A with three items."""

import pytest

from tests.windows.factories import ServiceItemFactory, WindowFactory
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
