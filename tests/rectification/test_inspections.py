"""Inspections (明察暗访): results for the bulletin, each window's honours and warnings,
and the admin that names windows of the inspected hall only."""

import datetime as dt

import pytest
from django.urls import reverse

from demo.rectification import seed_rectification
from rectification.models import Inspection
from rectification.selectors import inspection_results, window_inspection_record
from tests.windows.factories import WindowFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows_a(hall_a):
    return {n: WindowFactory(hall=hall_a, number=n, name=f"{n}号窗口") for n in (5, 7, 9, 12)}


def inspect(hall, day, group, *, best=(), worst=()):
    inspection = Inspection.objects.create(hall=hall, group_name=group, visited_on=day)
    inspection.best_windows.set(best)
    inspection.worst_windows.set(worst)
    return inspection


@pytest.fixture
def visits(hall_a, hall_b, windows_a):
    w = windows_a
    first = inspect(hall_a, dt.date(2020, 10, 12), "第一组", best=[w[9], w[5]])
    third = inspect(hall_a, dt.date(2020, 11, 3), "第三组", best=[w[7], w[9]], worst=[w[12]])
    earlier = inspect(hall_a, dt.date(2020, 9, 30), "第二组", worst=[w[5]])
    other = inspect(hall_b, dt.date(2020, 10, 20), "乙组", best=[WindowFactory(hall=hall_b)])
    return first, third, earlier, other


def test_inspection_results_of_a_period_with_named_windows(hall_a, visits):
    first, third, _earlier, _other = visits

    results = inspection_results(hall=hall_a, start=dt.date(2020, 10, 1), end=dt.date(2020, 11, 30))

    assert [
        (r.inspection, [w.number for w in r.best_windows], [w.number for w in r.worst_windows])
        for r in results
    ] == [(first, [5, 9], []), (third, [7, 9], [12])]


def test_each_windows_honours_and_warnings(windows_a, visits):
    first, third, earlier, _other = visits

    records = {n: window_inspection_record(window=w) for n, w in windows_a.items()}

    assert (records[9].honours, records[9].warnings) == ([third, first], [])
    assert (records[5].honours, records[5].warnings) == ([first], [earlier])
    assert (records[7].honours, records[7].warnings) == ([third], [])
    assert (records[12].honours, records[12].warnings) == ([], [third])


def test_the_demo_inspection_names_windows_5_9_and_7(hall_a, windows_a):
    seed_rectification(hall=hall_a, today=dt.date(2026, 11, 25))

    (result,) = inspection_results(
        hall=hall_a, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert [w.number for w in result.best_windows] == [5, 7, 9]
    assert result.worst_windows == []


# --- admin -------------------------------------------------------------------------------

ADD = reverse("admin:rectification_inspection_add")


def post_inspection(client, hall, **windows):
    return client.post(
        ADD,
        {
            "hall": hall.pk,
            "group_name": "第四组",
            "visited_on": "2020-12-01",
            "findings": "",
            "best_windows": [w.pk for w in windows.get("best", ())],
            "worst_windows": [w.pk for w in windows.get("worst", ())],
        },
    )


def test_a_manager_records_an_inspection_of_own_hall(client, manager_a, hall_a, windows_a):
    client.force_login(manager_a)

    response = post_inspection(client, hall_a, best=[windows_a[5]], worst=[windows_a[12]])

    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert list(inspection.best_windows.all()) == [windows_a[5]]
    assert list(inspection.worst_windows.all()) == [windows_a[12]]


def test_another_halls_window_is_not_a_choice(client, manager_a, hall_a, hall_b, english):
    client.force_login(manager_a)
    foreign = WindowFactory(hall=hall_b, number=5)

    response = post_inspection(client, hall_a, best=[foreign])

    assert response.status_code == 200
    assert "Select a valid choice." in str(response.context["adminform"].form.errors)
    assert Inspection.objects.count() == 0


def test_a_superuser_cannot_name_another_halls_window(client, hall_a, hall_b, english):
    from tests.windows.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    foreign = WindowFactory(hall=hall_b, number=5)

    response = post_inspection(client, hall_a, best=[foreign])

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["best_windows"] == [
        "Only windows of the inspected hall may be named."
    ]
    assert Inspection.objects.count() == 0


def test_a_window_cannot_be_best_and_worst(client, manager_a, hall_a, windows_a, english):
    client.force_login(manager_a)

    response = post_inspection(client, hall_a, best=[windows_a[5]], worst=[windows_a[5]])

    assert response.context["adminform"].form.errors["worst_windows"] == [
        "A window cannot be both among the best and the worst."
    ]
    assert Inspection.objects.count() == 0


def test_a_supervisor_reads_but_cannot_add(client, hall_a, windows_a, visits):
    client.force_login(make_manager(hall_a, "sup", role=roles.SUPERVISOR))
    first = visits[0]

    assert client.get(reverse("admin:rectification_inspection_changelist")).status_code == 200
    assert client.get(ADD).status_code == 403
    change = reverse("admin:rectification_inspection_change", args=[first.pk])
    assert client.post(change, {"group_name": "改"}).status_code == 403
    assert Inspection.objects.get(pk=first.pk).group_name == "第一组"


def test_another_halls_manager_does_not_find_the_inspection(client, manager_b, visits):
    client.force_login(manager_b)

    response = client.get(reverse("admin:rectification_inspection_change", args=[visits[0].pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_the_window_admin_shows_honours_and_warnings(client, manager_a, windows_a, visits, english):
    client.force_login(manager_a)

    page = client.get(reverse("admin:windows_window_change", args=[windows_a[5].pk]))
    none = client.get(reverse("admin:windows_window_change", args=[windows_a[7].pk]))

    content = page.content.decode()
    assert content.count('class="inspection-honour"') == 1
    assert content.count('class="inspection-warning"') == 1
    assert "Best window: 第一组 · 2020-10-12" in content
    assert "Worst window: 第二组 · 2020-09-30" in content
    assert none.content.decode().count('class="inspection-honour"') == 1
