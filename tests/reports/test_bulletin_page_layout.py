"""The bulletin page and email write rates as every other page does ("100.00%", one rule:
windows/rules/rounding.percent_text) and gives each window's bar label a column of its
own (issue 12 item 5)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports.models import BulletinRecipient
from reports.services import bulletin_build, bulletin_send
from tests.reports.test_bulletins import MONDAY, make_period_data, pages, urlpatterns

pytestmark = pytest.mark.django_db

__all__ = ["urlpatterns"]

LONG_NAME = "社保通办1号窗口（参保登记、缴费基数申报、转移接续）"


@pages
def test_rates_have_two_decimals_and_bar_labels_their_own_column(
    en_client, english, hall_a, manager_a
):
    window_1, _window_2 = make_period_data(hall_a)
    window_1.name = LONG_NAME
    window_1.save()
    bulletin = bulletin_build(hall=hall_a, kind="weekly", day=MONDAY)
    en_client.force_login(manager_a)

    html = en_client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()

    assert '<div class="fs-4" id="sum-satisfaction">66.67%</div>' in html
    rates = re.findall(r"\d+\.\d+%", html)
    assert rates and all(re.fullmatch(r"\d+\.\d\d%", rate) for rate in rates)
    assert "100.0%" not in html
    chart = html.split('id="bulletin-chart"')[1].split("</section>")[0]
    assert chart.count('<span class="bulletin-bar-label">') == 2
    assert f'<span class="bulletin-bar-label">{LONG_NAME}</span>' in chart
    assert "text-nowrap" not in chart


def test_the_bulletin_email_writes_rates_as_the_pages_do(hall_a, english, mailoutbox):
    make_period_data(hall_a)  # Monday: 3 of 3 served visits rated, 2 good of 3
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="a@example.com")
    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)

    bulletin_send(bulletin=bulletin)

    body = mailoutbox[0].body
    assert "Evaluation rate: 100.00%" in body  # was 100.0%
    assert "Satisfaction rate: 66.67%" in body
