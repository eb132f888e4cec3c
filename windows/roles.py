"""The portal's roles, as auth groups with permissions (created by a data migration).

- hall manager: full control of the configuration of the halls granted to them;
- supervisor: reads everything of the halls granted to them, changes nothing;
- window staff: no admin access; their own badge card, roster and results on the pages;
- tablet device: the identity of a rating tablet paired with a window;
- regional manager: reads everything of the halls of the regions granted to them
  (RegionAccess: a district's halls, or a city's and its districts'), changes nothing.
Which halls a manager or supervisor sees is decided by HallAccess, and a regional
manager's by RegionAccess (windows.scoping); only HallAccess with the manager role manages.

Who may act is decided here and nowhere else: `is_hall_manager`, `is_supervisor`,
`hall_managers` (the same rule as a query of users), `managed_hall_ids`; and whether a
citizen's phone is shown (`may_see_phone`, `phone_visibility`) or masked (`mask_phone`).
A role is its auth group; a superuser may act as the manager of every hall (but is no
hall's manager in `hall_managers`: alerts and handler lists are for real managers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

HALL_MANAGER = "大厅管理员"
SUPERVISOR = "监督员"
WINDOW_STAFF = "窗口工作人员"
TABLET_DEVICE = "评价平板"
REGIONAL_MANAGER = "区域管理员"

ALL_ROLES = (HALL_MANAGER, SUPERVISOR, WINDOW_STAFF, TABLET_DEVICE, REGIONAL_MANAGER)

HALL_CONFIGURATION_MODELS = (
    "department",
    "zone",
    "window",
    "windowserviceitem",
    "staff",
    "dutyassignment",
    "hallcalendarday",
    # the hall's own queue: business categories, their appointment slots, its screens
    "queuecategory",
    "appointmentslot",
    "halldevice",
)

# Visits are imported from the queue system (managers may import them) and never edited.
VISIT_READS = [
    ("windows", "view_visit"),
    ("windows", "view_visititem"),
    ("windows", "view_appointment"),  # booked on the public page, never edited here
    ("evaluations", "view_rating"),
]

# (app_label, model) of what managers configure and supervisors read, per app.
CONFIGURATION_MODELS = (
    ("evaluations", "tabletdevice"),
    ("evaluations", "questionnaire"),
    ("evaluations", "question"),
    ("complaints", "deadlinerule"),
    ("rectification", "rectificationchecklist"),
    ("rectification", "measure"),
    ("rectification", "inspection"),
)
RECORDS = (
    ("evaluations", "questionnaireresponse"),
    ("evaluations", "answer"),
    ("complaints", "complaint"),
    ("complaints", "deadlineextension"),
)

# (app_label, codename) pairs per role. Halls themselves and the shared service
# catalogue are created by the system administrator (a superuser); managers change
# their own hall's details and may add catalogue items a window needs. Managers create
# staff login accounts through the staff admin, never through the user admin, so they
# cannot touch accounts outside their halls.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    HALL_MANAGER: [
        ("windows", "view_hall"),
        ("windows", "change_hall"),
        ("windows", "view_serviceitem"),
        ("windows", "add_serviceitem"),
        *[
            ("windows", f"{action}_{model}")
            for model in HALL_CONFIGURATION_MODELS
            for action in ("view", "add", "change", "delete")
        ],
        *VISIT_READS,
        ("windows", "add_visit"),
        ("windows", "view_windowsession"),
        *[
            (app, f"{action}_{model}")
            for app, model in CONFIGURATION_MODELS
            for action in ("view", "add", "change", "delete")
        ],
        *[(app, f"view_{model}") for app, model in RECORDS],
        ("complaints", "add_complaint"),
        ("complaints", "change_complaint"),
        ("complaints", "add_deadlineextension"),
        ("complaints", "change_deadlineextension"),
        *[
            ("reports", f"{action}_bulletinrecipient")
            for action in ("view", "add", "change", "delete")
        ],
        ("reports", "view_bulletin"),
        ("reports", "view_bulletindelivery"),
        *[("reports", f"{a}_surgesettings") for a in ("view", "add", "change")],
        ("reports", "view_surgealert"),
    ],
    SUPERVISOR: [
        ("windows", "view_hall"),
        ("windows", "view_serviceitem"),
        *[("windows", f"view_{model}") for model in HALL_CONFIGURATION_MODELS],
        *VISIT_READS,
        ("windows", "view_windowsession"),
        *[(app, f"view_{model}") for app, model in CONFIGURATION_MODELS + RECORDS],
        ("reports", "view_bulletin"),
    ],
    WINDOW_STAFF: [],
    TABLET_DEVICE: [],
}
# A regional manager reads what a supervisor reads, of every hall of their regions, and
# the regional bulletins; never a write permission (tests/windows/test_region_roles.py).
ROLE_PERMISSIONS[REGIONAL_MANAGER] = [
    *ROLE_PERMISSIONS[SUPERVISOR],
    ("windows", "view_region"),
    ("reports", "view_regionalbulletin"),
]


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (idempotent).

    Called from data migrations. A permission of a model that a later migration creates
    does not exist yet and is skipped here; the migration adding that model calls this
    again (tests/windows/test_roles.py checks every group ends up complete).
    """
    from django.contrib.auth.management import create_permissions
    from django.db.models import Q

    for app_config in apps.get_app_configs():
        # create_permissions skips an app without models_module, which a migration's
        # registry does not set; the global registry's value is put back afterwards.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, pairs in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = Q()
        for app, codename in pairs:
            wanted |= Q(content_type__app_label=app, codename=codename)
        group.permissions.set(permission_model.objects.filter(wanted) if pairs else [])


def hall_managers(hall):
    """The hall's managers: active users granted the hall (HallAccess) in the manager role.

    The one answer to "who manages this hall" for whoever must reach them (reminders, duty
    alerts, the handlers a case may be assigned to). Superusers are not listed: they see
    every hall but manage none of them by name.
    """
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, hall_accesses__hall=hall, groups__name=HALL_MANAGER)
        .distinct()
    )


# --- who may act ---------------------------------------------------------------------------


class PhoneCase(Protocol):
    """What the phone rules read of a case (a Complaint; duck-typed: windows is below it)."""

    hall_id: int
    handler_id: int | None
    callback_phone: str


def _acting(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_role(user: User | None, role: str, hall=None) -> bool:
    """The user (active) holds the role, and, with a hall (or its id), is granted that hall."""
    if not _acting(user):
        return False
    if hall is None:
        return user.groups.filter(name=role).exists()
    from windows.models import HallAccess

    return HallAccess.objects.filter(user=user, hall=hall, user__groups__name=role).exists()


def is_hall_manager(user: User | None, hall=None) -> bool:
    """A manager of the hall (a Hall or its id), or of any hall without one; or a superuser.

    Managers change their halls' configuration, handle and verify cases, verify measures,
    resend bulletins and see complainants' phones.
    """
    if _acting(user) and user.is_superuser:
        return True
    return has_role(user, HALL_MANAGER, hall)


def is_supervisor(user: User | None, hall=None) -> bool:
    """A supervisor of the hall (a Hall or its id), or of any hall without one: reads only."""
    return has_role(user, SUPERVISOR, hall)


def managed_hall_ids(user: User | None) -> set[int] | None:
    """Ids of the halls the user manages; None means every hall (a superuser)."""
    if not _acting(user):
        return set()
    if user.is_superuser:
        return None
    if not has_role(user, HALL_MANAGER):
        return set()
    return set(user.hall_accesses.values_list("hall_id", flat=True))


# --- citizens' phones ------------------------------------------------------------------------

SHORTEST_PARTLY_SHOWN = 8


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four characters; shorter numbers fully masked."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) < SHORTEST_PARTLY_SHOWN:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def may_see_phone(user: User | None, complaint: PhoneCase) -> bool:
    """Whoever may call the complainant back: the case's handler and its hall's managers."""
    if not _acting(user):
        return False
    if complaint.handler_id is not None and complaint.handler_id == user.pk:
        return True
    return is_hall_manager(user, complaint.hall_id)


def phone_visibility(user: User | None) -> Callable[[PhoneCase], bool]:
    """may_see_phone for many cases of one user (a list), with the halls looked up once."""
    if not _acting(user):
        return lambda complaint: False
    managed = managed_hall_ids(user)

    def sees(complaint: PhoneCase) -> bool:
        if complaint.handler_id is not None and complaint.handler_id == user.pk:
            return True
        return managed is None or complaint.hall_id in managed

    return sees


def phone_shower(user: User | None) -> Callable[[PhoneCase], str]:
    """The complainant's phone of each case as this user may see it (a list's column)."""
    sees = phone_visibility(user)
    return lambda complaint: (
        complaint.callback_phone if sees(complaint) else mask_phone(complaint.callback_phone)
    )


def shown_phone(user: User | None, complaint: PhoneCase) -> str:
    """The complainant's phone as this user may see it."""
    if may_see_phone(user, complaint):
        return complaint.callback_phone
    return mask_phone(complaint.callback_phone)
