"""The demo region (`seed_demo --region`): 六合区 (LHQ) holding the demo hall LH01 and a
second, smaller hall LH02 (a street's service centre: three 社保通办 windows, its visits at a
fifth of the demo's scale on those windows), and a regional manager login `regional` that
sees both halls, read-only, and ranks them on /regional/. LH02 has its own manager login
(`manager_lh02`), who worked its bad reviews' follow-up cases as the demo hall's manager
worked LH01's (demo.casework's plan_followup), so the ranking's callback rate and overdue
cases read like a hall's that does its follow-ups. Last month's regional bulletin is queued
for the worker, as the beat job of the 1st would.

Idempotent like the rest of the seed: what exists is left as it is (a hall already in
another region stays there). `make run` passes --region (scripts/run.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from evaluations.rollups import rollups_refresh
from reports.periods import scheduled_day
from reports.regional.models import RegionalBulletin, RegionalBulletinRecipient
from reports.regional.tasks import build_and_send_regional_bulletin
from windows import roles
from windows.models import Hall, HallAccess, Region, RegionAccess, ServiceItem, Window, Zone

from . import catalogue
from .casework import casework_start, demo_now, plan_followup
from .casework_steps import work_open_cases
from .visits import seed_visits

REGION_CODE = "LHQ"
REGION_NAME = "六合区（演示）"
SECOND_HALL_CODE = "LH02"
SECOND_HALL_NAME = "六合区雄州街道便民服务中心（演示）"
SECOND_HALL_WINDOWS = 3
SECOND_HALL_ITEMS = 12  # the catalogue's first items, by code
SECOND_HALL_SCALE = 0.2  # of the demo's scale, on its three windows
REGIONAL_USERNAME = "regional"
SECOND_HALL_MANAGER = "manager_lh02"
REGIONAL_ROLE_LABEL = f"{roles.REGIONAL_MANAGER}（{REGION_NAME}）"


@dataclass(frozen=True)
class RegionSummary:
    region_created: bool
    hall_created: bool
    login_created: bool
    visits_created: int


@transaction.atomic
def seed_region(
    *, today: date, visits_since: date | None = None, scale: float = 1.0
) -> RegionSummary:
    """Create what is missing of the demo region (after seed_demo made LH01)."""
    region, region_created = Region.objects.get_or_create(
        code=REGION_CODE, defaults={"name": REGION_NAME, "kind": Region.Kind.DISTRICT}
    )
    Hall.objects.filter(code=catalogue.HALL_CODE, region__isnull=True).update(region=region)
    hall, hall_created = Hall.objects.get_or_create(
        code=SECOND_HALL_CODE,
        defaults={"name": SECOND_HALL_NAME, "district": catalogue.HALL_DISTRICT, "region": region},
    )
    if hall_created:
        _second_hall_windows(hall)
    login_created = _regional_login(region)
    _second_hall_manager(hall)
    RegionalBulletinRecipient.objects.get_or_create(
        region=region, email="region@example.com", defaults={"name": "六合区人社局（演示）"}
    )
    created = 0
    if visits_since is not None:
        created = seed_visits(
            hall=hall, start=visits_since, today=today, scale=scale * SECOND_HALL_SCALE
        )
        rollups_refresh(hall_id=hall.pk, start=visits_since, end=today)
        _work_followups(hall=hall, today=today)
        _last_months_bulletin(region=region, today=today)
    return RegionSummary(region_created, hall_created, login_created, created)


def _second_hall_windows(hall: Hall) -> None:
    zone = Zone.objects.create(hall=hall, name="社保通办", kind=Zone.Kind.GENERAL, sort_order=1)
    items = list(ServiceItem.objects.order_by("code")[:SECOND_HALL_ITEMS])
    for number in range(1, SECOND_HALL_WINDOWS + 1):
        window = Window.objects.create(
            hall=hall, zone=zone, number=number, name=f"便民服务{number}号窗口"
        )
        window.service_items.set(items)


def _second_hall_manager(hall: Hall) -> None:
    """LH02's manager (大厅管理员 of that hall only), who works its follow-up cases."""
    user, created = get_user_model().objects.get_or_create(
        username=SECOND_HALL_MANAGER,
        defaults={
            "email": f"{SECOND_HALL_MANAGER}@lh02.demo.invalid",  # RFC 2606
            "is_staff": True,
            "password": make_password(catalogue.DEMO_PASSWORD),
        },
    )
    if created:
        user.groups.add(Group.objects.get(name=roles.HALL_MANAGER))
    HallAccess.objects.get_or_create(user=user, hall=hall)


def _work_followups(*, hall: Hall, today: date) -> None:
    """Every open bad-review case of LH02 worked up to the seed's clock by its manager
    (it has no roster: the manager is the day's duty leader too)."""
    work = casework_start(
        hall=hall, now=demo_now(hall=hall, today=today), manager_username=SECOND_HALL_MANAGER
    )
    if work is not None:
        work_open_cases(work=work, planners=(plan_followup,))


def _last_months_bulletin(*, region: Region, today: date) -> None:
    """Last month's regional bulletin, built and emailed (to var/outbox/ in the embedded
    default) by the worker as the beat job of the 1st would, unless it exists: the page
    /regional/ then lists one, and its email is there to read."""
    day = scheduled_day(kind="monthly", today=today)
    if RegionalBulletin.objects.filter(region=region, period_start=day.replace(day=1)).exists():
        return
    transaction.on_commit(
        lambda: build_and_send_regional_bulletin.delay(region.pk, day.isoformat())
    )


def _regional_login(region: Region) -> bool:
    user, created = get_user_model().objects.get_or_create(
        username=REGIONAL_USERNAME,
        defaults={
            "email": f"{REGIONAL_USERNAME}@example.com",
            "is_staff": True,  # reads the halls' configuration in the admin, changes nothing
            "password": make_password(catalogue.DEMO_PASSWORD),
        },
    )
    if created:
        user.groups.add(Group.objects.get(name=roles.REGIONAL_MANAGER))
    RegionAccess.objects.get_or_create(user=user, region=region)
    return created
