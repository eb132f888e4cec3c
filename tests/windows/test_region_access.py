"""Regional users: windows.scoping gives them the halls of their regions (and districts) and
nothing else; windows.roles gives them no write; the regional page is theirs alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint
from rectification.models import Measure
from tests.reports.test_regional_ranking import region_with_two_halls, regional_user
from tests.windows.factories import StaffFactory, UserFactory, make_manager
from windows import roles
from windows.models import Hall, Region, RegionAccess, Window
from windows.scoping import user_halls, user_regions, visible_hall_ids

pytestmark = pytest.mark.django_db


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


def test_a_district_user_sees_the_districts_halls_and_a_city_user_all_of_the_citys():
    region, *_halls = region_with_two_halls()
    district = regional_user(region, "district")
    city = regional_user(region.parent, "city")

    assert codes(user_halls(district)) == ["HA", "HB"]
    assert codes(user_halls(city)) == ["HA", "HB", "HC"]
    assert codes(user_regions(district)) == ["R1"]
    assert codes(user_regions(city)) == ["C1", "R1", "R2"]
    assert sorted(row["pk"] for row in visible_hall_ids(district)) == sorted(
        Hall.objects.filter(code__in=("HA", "HB")).values_list("pk", flat=True)
    )


def test_a_hall_access_and_a_region_access_add_up_and_an_inactive_user_sees_nothing():
    region, _hall_a, _hall_b, hall_c = region_with_two_halls()
    user = make_manager(hall_c, "both", role=roles.SUPERVISOR)
    RegionAccess.objects.create(user=user, region=region)

    assert codes(user_halls(user)) == ["HA", "HB", "HC"]
    user.is_active = False
    user.save()
    assert codes(user_halls(user)) == []
    assert codes(user_regions(user)) == []


def test_a_hall_moved_out_of_the_region_leaves_the_regional_users_sight():
    region, hall_a, *_rest = region_with_two_halls()
    user = regional_user(region)
    hall_a.region = None
    hall_a.save()

    assert codes(user_halls(user)) == ["HB"]


def test_a_regional_user_manages_nothing_and_receives_no_hall_alerts():
    region, hall_a, hall_b, _hall_c = region_with_two_halls()
    user = regional_user(region)
    manager = make_manager(hall_a, "manager_a")

    assert roles.is_hall_manager(user, hall_a) is False
    assert roles.is_hall_manager(user, hall_b.pk) is False
    assert roles.is_hall_manager(user) is False
    assert roles.is_supervisor(user, hall_a) is False
    assert roles.managed_hall_ids(user) == set()
    assert list(roles.hall_managers(hall_a)) == [manager]
    assert list(roles.hall_managers(hall_b)) == []


def test_the_regional_group_only_views():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=roles.REGIONAL_MANAGER)
    codenames = set(group.permissions.values_list("codename", flat=True))

    assert {codename.split("_")[0] for codename in codenames} == {"view"}
    assert {"view_hall", "view_visit", "view_complaint", "view_region"} <= codenames


@pytest.fixture
def regional_staff_user():
    region, hall_a, _hall_b, hall_c = region_with_two_halls()
    user = regional_user(region)
    user.is_staff = True  # may open the admin, where they only read
    user.save()
    return user, hall_a, hall_c


def test_in_the_admin_a_regional_user_reads_a_hall_and_a_window_and_cannot_change_them(
    client, regional_staff_user
):
    user, hall_a, hall_c = regional_staff_user
    client.force_login(user)
    window = Window.objects.get(hall=hall_a)

    hall_page = client.get(reverse("admin:windows_hall_change", args=[hall_a.pk]))
    hall_post = client.post(
        reverse("admin:windows_hall_change", args=[hall_a.pk]), {"name": "改名", "code": "HA"}
    )
    window_post = client.post(
        reverse("admin:windows_window_change", args=[window.pk]), {"name": "改名"}
    )
    other_hall = client.get(reverse("admin:windows_hall_change", args=[hall_c.pk]))
    add_window = client.get(reverse("admin:windows_window_add"))
    regions = client.get(reverse("admin:windows_region_changelist"))

    assert hall_page.status_code == 200
    assert hall_post.status_code == 403
    assert window_post.status_code == 403
    assert other_hall.status_code == 302  # "doesn't exist": another region's hall
    assert add_window.status_code == 403
    assert regions.status_code == 403
    hall_a.refresh_from_db()
    window.refresh_from_db()
    assert (hall_a.name, window.name) == ("甲大厅", f"{window.number}号窗口")


def test_a_regional_user_cannot_act_on_a_case_nor_a_measure(client, regional_staff_user):
    user, hall_a, _hall_c = regional_staff_user
    client.force_login(user)
    complaint = Complaint.objects.filter(hall=hall_a, status="in_progress").get()
    measure = Measure.objects.filter(checklist__hall=hall_a, status="in_progress").get()

    reply = client.post(
        reverse("complaints:action", args=[complaint.pk, "reply"]), {"reply": "已处理"}
    )
    progress = client.post(
        reverse("rectification:measure-progress", args=[measure.pk]),
        {"status": "done", "progress_pct": "100"},
    )
    detail = client.get(reverse("complaints:detail", args=[complaint.pk]))

    assert (reply.status_code, progress.status_code) == (403, 403)
    assert detail.status_code == 200
    complaint.refresh_from_db()
    measure.refresh_from_db()
    assert (complaint.status, measure.status) == ("in_progress", "in_progress")


def test_a_regional_user_reads_its_halls_pages_and_not_another_regions(client, regional_staff_user):
    user, _hall_a, _hall_c = regional_staff_user
    client.force_login(user)

    for name in ("results:hall", "complaints:dashboard", "rectification:progress"):
        assert client.get(reverse(name), {"hall": "HB"}).status_code == 200, name
        assert client.get(reverse(name), {"hall": "HC"}).status_code == 404, name
    assert client.get("/api/v1/halls/HC/stats/volume/", {"year": 2025}).status_code == 404


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff", "plain"])
def test_hall_users_cannot_open_the_regional_page(client, who):
    region, hall_a, *_rest = region_with_two_halls()
    if who == "manager":
        user = make_manager(hall_a, "m")
    elif who == "supervisor":
        user = make_manager(hall_a, "s", role=roles.SUPERVISOR)
    elif who == "staff":
        user = StaffFactory(hall=hall_a).user
    else:
        user = UserFactory(username="nobody", role=roles.REGIONAL_MANAGER)  # no region granted
    client.force_login(user)

    for url in (reverse("regional:ranking"), reverse("regional:export")):
        assert client.get(url).status_code == 403
        assert client.get(url, {"region": region.code}).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client):
    region_with_two_halls()

    for url in (reverse("regional:ranking"), reverse("regional:export")):
        response = client.get(url, {"region": "R1"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_regional_page_is_read_only(client):
    region, *_rest = region_with_two_halls()
    client.force_login(regional_user(region))

    assert client.post(reverse("regional:ranking"), {"region": "R1"}).status_code == 405


def test_a_region_cannot_be_part_of_a_district():
    from django.core.exceptions import ValidationError

    region, *_rest = region_with_two_halls()
    inner = Region(code="R9", name="街道", parent=region)

    with pytest.raises(ValidationError) as error:
        inner.full_clean()
    assert list(error.value.message_dict) == ["parent"]


def test_the_superuser_sees_every_region_or_where_to_create_one(client, english):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    empty = client.get(reverse("regional:ranking"))

    assert empty.status_code == 200
    assert "No region has been created yet." in empty.content.decode()
    region_with_two_halls()
    page = client.get(reverse("regional:ranking"), {"region": "R2", "start": "2025-03"})
    assert page.status_code == 200
    assert [row.hall.code for row in page.context["ranking"].rows] == ["HC"]


def test_a_manager_of_one_hall_with_a_region_only_reads_the_regions_other_halls(client):
    """Managing hall C and seeing region R1 (halls A and B) by a region access: the admin
    shows A's window but refuses to change or delete it, and a new window's hall can only
    be C (a form's choices are the halls granted by name)."""
    region, hall_a, _hall_b, hall_c = region_with_two_halls()
    user = make_manager(hall_c, "both")
    RegionAccess.objects.create(user=user, region=region)
    client.force_login(user)
    window_a = Window.objects.get(hall=hall_a)

    page = client.get(reverse("admin:windows_window_change", args=[window_a.pk]))
    post = client.post(reverse("admin:windows_window_change", args=[window_a.pk]), {"name": "改名"})
    delete = client.post(
        reverse("admin:windows_window_delete", args=[window_a.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:windows_window_add"))

    assert page.status_code == 200
    assert post.status_code == 403
    assert delete.status_code == 403
    assert list(add.context["adminform"].form.fields["hall"].queryset) == [hall_c]
    window_a.refresh_from_db()
    assert window_a.name == f"{window_a.number}号窗口"
    assert Window.objects.filter(pk=window_a.pk).exists()


def test_imports_write_only_into_the_halls_granted_by_name_not_a_regions():
    from imports.visits import IMPORT_PERMISSIONS
    from windows.importing.rows import import_hall_ids

    region, _hall_a, _hall_b, hall_c = region_with_two_halls()
    user = make_manager(hall_c, "both")
    RegionAccess.objects.create(user=user, region=region)

    assert codes(user_halls(user)) == ["HA", "HB", "HC"]
    assert import_hall_ids(user, permissions=IMPORT_PERMISSIONS) == frozenset({hall_c.pk})


def test_a_manager_with_a_region_issues_pairing_codes_only_for_the_hall_it_manages(client):
    region, _hall_a, _hall_b, hall_c = region_with_two_halls()
    user = make_manager(hall_c, "both")
    RegionAccess.objects.create(user=user, region=region)
    client.force_login(user)

    tablet = client.get(reverse("admin:evaluations_tabletdevice_add"))
    screen = client.get(reverse("admin:windows_halldevice_add"))

    windows = tablet.context["form"].fields["window"].queryset
    assert {window.hall_id for window in windows} == {hall_c.pk}
    assert list(screen.context["form"].fields["hall"].queryset) == [hall_c]
