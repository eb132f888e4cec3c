"""The hall results page's 排队 section (issue 14 item 5): the queue's figures of the range,
by business category, window and staff, scoped to the hall the user may see."""

import re

import pytest
from django.urls import reverse

from tests.reports.test_queue_figures import DAY, appointments, queue  # noqa: F401 (fixtures)
from tests.windows.factories import StaffFactory, UserFactory, WindowFactory

HALL = reverse("results:hall")
RANGE = {"hall": "HA", "start": DAY.isoformat(), "end": DAY.isoformat()}


def section(html: str) -> str:
    return html[html.index('id="queue"') :]


def rows(html: str, table: int) -> list[list[str]]:
    """The cells of the queue section's n-th table, row by row (tags and spaces stripped)."""
    body = re.search(rf'id="results-queue-{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


@pytest.mark.usefixtures("english", "queue", "appointments")
def test_the_queue_section_shows_the_figures_of_the_range(client, manager_a, hall_a):
    client.force_login(manager_a)
    html = section(client.get(HALL, RANGE).content.decode())

    totals = dict(re.findall(r'data-queue="(\w+)">([^<]*)<', html))
    assert totals == {
        "tickets": "6",
        "mean_wait_minutes": "9.50",
        "p90_wait_minutes": "17.00",
        "mean_service_minutes": "5.75",
        "no_shows": "1",
        "no_show_rate_pct": "16.67%",
        "appointments": "4",
        "punctuality_pct": "50.00%",
    }
    assert rows(html, 1) == [
        [
            "A · 社保通办",
            "4",
            "3",
            "1",
            "25.00%",
            "11.67",
            "18.00",
            "6.00",
            "4",
            "2",
            "1",
            "50.00%",
        ],
        ["M · 医保专窗", "2", "1", "0", "0.00%", "3.00", "3.00", "5.00", "0", "0", "0", "—"],
    ]
    window_names = [hall_a.windows.get(number=n).name for n in (1, 2)]
    assert rows(html, 2) == [
        [f"{window_names[0]} 1", "3", "2", "0", "0.00%", "7.50", "9.50", "5.00"],
        [f"{window_names[1]} 2", "3", "2", "1", "33.33%", "11.50", "18.30", "6.50"],
    ]
    assert rows(html, 3) == [
        ["张一 S1", "3", "2", "0", "0.00%", "7.50", "9.50", "5.00"],
        ["李二 S2", "3", "2", "1", "33.33%", "11.50", "18.30", "6.50"],
    ]


@pytest.mark.usefixtures("english")
def test_a_hall_without_the_queue_says_so(client, manager_a, hall_a):
    WindowFactory(hall=hall_a, number=1)
    client.force_login(manager_a)
    html = section(client.get(HALL, RANGE).content.decode())

    assert 'id="results-queue-empty"' in html
    assert "results-queue-1" not in html


@pytest.mark.usefixtures("english", "queue", "appointments")
def test_another_halls_manager_and_window_staff_see_nothing_of_it(
    client, manager_b, hall_a, hall_b
):
    client.force_login(manager_b)
    response = client.get(HALL, RANGE)
    assert response.status_code == 404  # another hall's code is not found

    response = client.get(HALL, {**RANGE, "hall": "HB"})
    assert response.status_code == 200
    assert 'id="results-queue-empty"' in section(response.content.decode())

    staff_user = UserFactory(username="window_staff")
    StaffFactory(hall=hall_a, badge_no="S9", user=staff_user)
    client.force_login(staff_user)
    assert client.get(HALL, RANGE).status_code == 403
