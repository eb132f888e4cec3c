"""The region admin: the system administrator creates a region, puts halls in it and grants a
regional user; nobody else opens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.windows.factories import HallFactory, UserFactory, make_manager
from windows import roles
from windows.models import Hall, Region, RegionAccess

pytestmark = pytest.mark.django_db


def form_data(**fields) -> dict:
    return {
        "code": "R1",
        "name": "六合区",
        "kind": "district",
        "parent": "",
        "accesses-TOTAL_FORMS": "0",
        "accesses-INITIAL_FORMS": "0",
        **fields,
    }


def test_the_superuser_creates_a_region_with_its_halls_and_a_regional_user(client):
    hall_a, hall_b, hall_c = (HallFactory(code=code) for code in ("HA", "HB", "HC"))
    regional = UserFactory(username="regional", role=roles.REGIONAL_MANAGER)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.post(
        reverse("admin:windows_region_add"),
        form_data(
            halls=[hall_a.pk, hall_b.pk],
            **{
                "accesses-TOTAL_FORMS": "1",
                "accesses-0-user": regional.pk,
            },
        ),
    )

    assert response.status_code == 302
    region = Region.objects.get(code="R1")
    assert sorted(region.halls.values_list("code", flat=True)) == ["HA", "HB"]
    assert list(RegionAccess.objects.values_list("user__username", "region__code")) == [
        ("regional", "R1")
    ]

    response = client.post(
        reverse("admin:windows_region_change", args=[region.pk]), form_data(halls=[hall_c.pk])
    )

    assert response.status_code == 302
    assert dict(Hall.objects.values_list("code", "region__code")) == {
        "HA": None,
        "HB": None,
        "HC": "R1",
    }
    listing = client.get(reverse("admin:windows_region_changelist"))
    assert "HC" in listing.content.decode()


def test_a_bad_region_code_or_a_district_under_a_district_is_refused(client, english):
    district = Region.objects.create(code="R1", name="六合区")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    bad_code = client.post(reverse("admin:windows_region_add"), form_data(code="六合"))
    nested = client.post(
        reverse("admin:windows_region_add"), form_data(code="R2", parent=district.pk)
    )

    assert bad_code.status_code == nested.status_code == 200
    assert "Use 1-20 letters, digits" in bad_code.content.decode()
    assert "A region can be part of a city, not of a district." in nested.content.decode()
    assert list(Region.objects.values_list("code", flat=True)) == ["R1"]


@pytest.mark.parametrize("role", [roles.HALL_MANAGER, roles.SUPERVISOR, roles.REGIONAL_MANAGER])
def test_nobody_but_the_superuser_opens_the_region_admin(client, role):
    hall = HallFactory(code="HA")
    region = Region.objects.create(code="R1", name="六合区")
    user = make_manager(hall, "someone", role=role)
    RegionAccess.objects.create(user=user, region=region)
    client.force_login(user)

    assert client.get(reverse("admin:windows_region_changelist")).status_code == 403
    assert client.get(reverse("admin:windows_region_change", args=[region.pk])).status_code == 403
    assert client.get(reverse("admin:windows_regionaccess_changelist")).status_code == 403
    assert client.post(reverse("admin:windows_region_add"), form_data(code="R9")).status_code == 403
    assert Region.objects.count() == 1
