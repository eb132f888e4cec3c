"""The demo region (seed_demo --region): the demo hall and a smaller second hall in 六合区,
a regional login that ranks them; loading it twice adds nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from complaints.models import Complaint
from demo.region import seed_region
from demo.seed import seed_demo
from windows.models import Hall, Region, Visit
from windows.scoping import user_halls

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 28)


def test_the_demo_region_holds_both_halls_and_the_regional_login_ranks_them(client):
    seed_demo(today=TODAY)

    first = seed_region(today=TODAY, visits_since=date(2026, 9, 21), scale=0.1)
    again = seed_region(today=TODAY, visits_since=date(2026, 9, 21), scale=0.1)

    assert (first.region_created, first.hall_created, first.login_created) == (True, True, True)
    assert (again.region_created, again.hall_created, again.login_created) == (False, False, False)
    assert again.visits_created == 0
    region = Region.objects.get(code="LHQ")
    assert sorted(region.halls.values_list("code", flat=True)) == ["LH01", "LH02"]
    lh02 = Hall.objects.get(code="LH02")
    assert lh02.windows.count() == 3
    # the five business days of 21-28 September 2026 (25th: Mid-Autumn Festival)
    assert Visit.objects.filter(hall=lh02).dates("service_date", "day").count() == 5
    assert Visit.objects.filter(hall=lh02).count() == first.visits_created
    user = authenticate(RequestFactory().post("/"), username="regional", password="Demo@2026")
    assert user is not None
    assert list(user_halls(user).values_list("code", flat=True)) == ["LH01", "LH02"]

    client.force_login(user)
    page = client.get(
        reverse("regional:ranking"), {"region": "LHQ", "start": "2026-09", "end": "2026-09"}
    )
    assert page.status_code == 200
    # LH02 has rated visits, LH01 (seeded without visits here) none: it comes last
    assert [row.hall.code for row in page.context["ranking"].rows] == ["LH02", "LH01"]
    assert {row.hall.code: row.items > 0 for row in page.context["ranking"].rows} == {
        "LH01": False,  # seed_demo was called without visits
        "LH02": True,
    }


def test_seed_demo_with_region_prints_it_and_demo_logins_lists_the_regional_login():
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--today", "2026-09-28", "--no-visits", "--region", stdout=out)
        logins = StringIO()
        call_command("demo_logins", "--base-url", "http://127.0.0.1:9000", stdout=logins)

    assert out.getvalue().splitlines()[-2] == (
        "Demo region LHQ: halls LH01 and LH02 (0 visits created at LH02); regional login regional."
    )
    assert logins.getvalue().splitlines()[-1] == (
        "Regional login: regional, 区域管理员（六合区（演示））, password Demo@2026, "
        "open http://127.0.0.1:9000/regional/"
    )


def test_the_second_halls_follow_ups_are_worked_by_its_own_manager(client):
    seed_demo(today=TODAY)
    seed_region(today=TODAY, visits_since=date(2026, 6, 1), scale=0.1)
    lh02 = Hall.objects.get(code="LH02")
    cases = Complaint.objects.filter(hall=lh02)

    assert cases.count() == 6
    assert set(cases.values_list("status", flat=True)) == {Complaint.Status.CLOSED}
    manager = get_user_model().objects.get(username="manager_lh02")
    assert list(user_halls(manager).values_list("code", flat=True)) == ["LH02"]
    assert set(cases.values_list("handler", flat=True)) == {manager.pk}  # no roster at LH02
    client.force_login(get_user_model().objects.get(username="regional"))
    ranking = client.get(
        reverse("regional:ranking"), {"region": "LHQ", "start": "2026-06", "end": "2026-09"}
    ).context["ranking"]
    [row] = [row for row in ranking.rows if row.hall.code == "LH02"]
    assert (row.overdue_cases, row.callback_rate_pct) == (0, 100.0)


def test_the_demo_region_queues_last_months_bulletin_once(django_capture_on_commit_callbacks):
    from reports.regional.models import RegionalBulletin

    seed_demo(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as first:
        seed_region(today=TODAY, visits_since=date(2026, 8, 3), scale=0.1)
    with django_capture_on_commit_callbacks(execute=True) as again:
        seed_region(today=TODAY, visits_since=date(2026, 8, 3), scale=0.1)

    bulletin = RegionalBulletin.objects.get()  # the eager task built it at the commit
    assert (bulletin.region.code, bulletin.period_start) == ("LHQ", date(2026, 8, 1))
    assert [row["hall"] for row in bulletin.figures["halls"]] == ["LH02", "LH01"]
    assert (len(first), len(again)) == (1, 0)
