import pytest
from django.contrib.auth.models import Group

from windows import roles

pytestmark = pytest.mark.django_db


def permission_pairs(group: Group) -> set[tuple[str, str]]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_group_has_exactly_its_permissions_after_migrate(role):
    group = Group.objects.get(name=role)

    assert permission_pairs(group) == set(roles.ROLE_PERMISSIONS[role])


def test_supervisors_can_only_view():
    group = Group.objects.get(name=roles.SUPERVISOR)

    assert {codename.split("_")[0] for _, codename in permission_pairs(group)} == {"view"}


def test_managers_cannot_create_halls_or_change_the_shared_catalogue():
    codenames = {
        codename for _, codename in permission_pairs(Group.objects.get(name=roles.HALL_MANAGER))
    }

    assert {
        "add_hall",
        "delete_hall",
        "change_serviceitem",
        "delete_serviceitem",
    } & codenames == set()
    assert {"change_hall", "add_window", "add_staff", "add_dutyassignment"} <= codenames


def test_syncing_the_roles_again_changes_nothing():
    from django.apps import apps

    before = {g.name: permission_pairs(g) for g in Group.objects.all()}

    roles.sync_role_groups(apps)

    assert {g.name: permission_pairs(g) for g in Group.objects.all()} == before
