"""Seeding the demo hall (`python manage.py seed_demo`), safe to run any number of times.

Each step creates only what is missing, found by its natural key (hall code, department
and zone name, service code, window number, badge number, username), and never changes
a row that is already there: a manager's edits to the demo hall survive a re-run, and
passwords are set only when a login is created. A roster day that already has any
entry is left as it is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from evaluations.rollups import rollups_refresh
from windows import roles
from windows.models import (
    AppointmentSlot,
    Department,
    DutyAssignment,
    Hall,
    HallAccess,
    QueueCategory,
    ServiceItem,
    Staff,
    Visit,
    Window,
    WindowServiceItem,
    Zone,
)
from windows.queue.defaults import default_categories_create
from windows.workdays import business_days

from . import catalogue
from .casework import casework_start, demo_now, plan_followup
from .casework_steps import reopen_cases_closed_without_steps, work_open_cases
from .complaints import plan_complaint, seed_complaints
from .rectification import seed_rectification
from .reports import seed_bulletin_recipients
from .roster import roster_plan
from .surveys import seed_questionnaire, seed_questionnaire_responses
from .visits import seed_visits


@dataclass(frozen=True)
class Tally:
    """How many rows of one kind this run created, and how many were already there."""

    created: int = 0
    present: int = 0

    @property
    def total(self) -> int:
        return self.created + self.present


@dataclass(frozen=True)
class SeedSummary:
    hall_code: str
    hall_name: str
    roster_start: date
    roster_end: date
    hall: Tally
    departments: Tally
    zones: Tally
    service_items: Tally
    windows: Tally
    window_items: Tally
    staff: Tally
    roster_entries: Tally
    logins: Tally
    questionnaire: Tally
    visits: Tally
    visits_since: date | None

    def tallies(self) -> dict[str, Tally]:
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if isinstance(getattr(self, field.name), Tally)
        }

    @property
    def created_anything(self) -> bool:
        """Whether the hall's configuration got anything new (visits are told apart)."""
        return any(tally.created for name, tally in self.tallies().items() if name != "visits")


PasswordHash = Callable[[], str]


@transaction.atomic
def seed_demo(*, today: date, visits_since: date | None = None, scale: float = 1.0) -> SeedSummary:
    """Create whatever is missing of the demo hall; the roster covers four weeks from
    the Monday of `today`'s week. With `visits_since`, also the visits and ratings of
    every business day from then to today (see demo.visits), at `scale` times the
    source's volume."""
    # One hash for every demo login, computed only if a login is created: hashing
    # each of ~40 passwords would take seconds with the production hasher.
    password_hash: PasswordHash = functools.cache(lambda: make_password(catalogue.DEMO_PASSWORD))
    hall, hall_tally = seed_hall()
    departments = seed_departments(hall=hall)
    zones = seed_zones(hall=hall)
    service_items = seed_catalogue()
    windows, window_items = seed_windows(hall=hall)
    # The kiosk's business categories: one per general zone, one for the specialist windows.
    default_categories_create(hall=hall)
    seed_appointment_slots(hall=hall)
    staff = seed_staff(hall=hall, password_hash=password_hash)
    start = today - timedelta(days=today.weekday())
    end = start + timedelta(weeks=catalogue.ROSTER_WEEKS, days=-1)
    roster = seed_roster(hall=hall, start=start, end=end)
    logins = seed_logins(hall=hall, password_hash=password_hash)
    created_questionnaire = seed_questionnaire(hall=hall)
    questionnaire = Tally(
        created=int(created_questionnaire), present=int(not created_questionnaire)
    )
    visits = Tally()
    if visits_since is not None:  # the demo's history: visits and questionnaire answers
        seed_questionnaire_responses(hall=hall, today=today)
        seed_rectification(hall=hall, today=today)
        seed_bulletin_recipients(hall=hall)
        created = seed_visits(hall=hall, start=visits_since, today=today, scale=scale)
        seed_casework(hall=hall, today=today)
        # The visits were written in bulk (the import's store): their daily rollups at once.
        rollups_refresh(hall_id=hall.pk, start=visits_since, end=today)
        stored = Visit.objects.filter(hall=hall, service_date__range=(visits_since, today))
        visits = Tally(created=created, present=stored.count() - created)
    return SeedSummary(
        hall_code=hall.code,
        hall_name=hall.name,
        roster_start=start,
        roster_end=end,
        hall=hall_tally,
        departments=departments,
        zones=zones,
        service_items=service_items,
        windows=windows,
        window_items=window_items,
        staff=staff,
        roster_entries=roster,
        logins=logins,
        questionnaire=questionnaire,
        visits=visits,
        visits_since=visits_since,
    )


def seed_casework(*, hall: Hall, today: date) -> None:
    """The other channels' complaints, then every open case worked up to the seed's clock
    (see demo.casework)."""
    reopen_cases_closed_without_steps(hall=hall)
    work = casework_start(hall=hall, now=demo_now(hall=hall, today=today))
    if work is not None:
        seed_complaints(work=work)
        work_open_cases(work=work, planners=(plan_followup, plan_complaint))


def seed_hall() -> tuple[Hall, Tally]:
    hall, created = Hall.objects.get_or_create(
        code=catalogue.HALL_CODE,
        defaults={
            "name": catalogue.HALL_NAME,
            "district": catalogue.HALL_DISTRICT,
            "address": catalogue.HALL_ADDRESS,
            "supervision_phone": catalogue.HALL_SUPERVISION_PHONE,
        },
    )
    return hall, Tally(created=int(created), present=int(not created))


def _create_missing(existing: Iterable, wanted: dict, model: type) -> Tally:
    """bulk_create the wanted rows (by natural key) whose key is not among existing."""
    existing = set(existing)
    missing = [row for key, row in wanted.items() if key not in existing]
    model.objects.bulk_create(missing)
    return Tally(created=len(missing), present=len(wanted) - len(missing))


def seed_departments(*, hall: Hall) -> Tally:
    return _create_missing(
        Department.objects.filter(hall=hall).values_list("name", flat=True),
        {name: Department(hall=hall, name=name) for name in catalogue.DEPARTMENTS},
        Department,
    )


def seed_zones(*, hall: Hall) -> Tally:
    return _create_missing(
        Zone.objects.filter(hall=hall).values_list("name", flat=True),
        {
            name: Zone(hall=hall, name=name, kind=Zone.Kind.GENERAL, sort_order=order)
            for order, name in enumerate(catalogue.ZONES, start=1)
        },
        Zone,
    )


def seed_catalogue() -> Tally:
    """The service items of the shared catalogue that the demo hall's windows handle."""
    wanted = {
        spec.code: ServiceItem(
            code=spec.code,
            name=spec.name,
            category=spec.category,
            handling=(
                ServiceItem.Handling.ON_THE_SPOT
                if spec.promised_working_days is None
                else ServiceItem.Handling.TIME_LIMITED
            ),
            promised_working_days=spec.promised_working_days,
            required_materials="\n".join(spec.materials),
            is_published=True,
        )
        for spec in catalogue.SERVICE_ITEMS
    }
    return _create_missing(
        ServiceItem.objects.filter(code__in=wanted).values_list("code", flat=True),
        wanted,
        ServiceItem,
    )


def seed_windows(*, hall: Hall) -> tuple[Tally, Tally]:
    """The windows and, for each window created now, the service items of its desk.

    A window that exists already keeps the items it has: a manager may have changed them.
    """
    departments = {d.name: d for d in Department.objects.filter(hall=hall)}
    zones = {z.name: z for z in Zone.objects.filter(hall=hall)}
    existing = set(Window.objects.filter(hall=hall).values_list("number", flat=True))
    new_specs = [spec for spec in catalogue.WINDOWS if spec.number not in existing]
    Window.objects.bulk_create(
        Window(
            hall=hall,
            number=spec.number,
            name=spec.name,
            zone=zones.get(spec.zone) if spec.zone else None,
            department=departments.get(spec.department),
        )
        for spec in new_specs
    )
    window_tally = Tally(created=len(new_specs), present=len(catalogue.WINDOWS) - len(new_specs))

    codes = [item.code for item in catalogue.SERVICE_ITEMS]
    items = ServiceItem.objects.in_bulk(codes, field_name="code")
    new_windows = {
        window.number: window
        for window in Window.objects.filter(
            hall=hall, number__in=[spec.number for spec in new_specs]
        )
    }
    links = [
        WindowServiceItem(window=new_windows[spec.number], service_item=items[item.code])
        for spec in new_specs
        for item in catalogue.SERVICE_ITEMS
        if spec.desk in item.desks and item.code in items
    ]
    WindowServiceItem.objects.bulk_create(links)
    present_links = WindowServiceItem.objects.filter(window__hall=hall).count() - len(links)
    return window_tally, Tally(created=len(links), present=present_links)


def _ensure_users(
    specs: dict[str, dict], *, groups: dict[str, str | None], password_hash: PasswordHash
) -> tuple[dict[str, AbstractUser], int]:
    """The users of the given usernames, creating the missing ones with the demo password
    and the attributes given; every one of them is put in its group if not in it yet.

    Returns the users by username and how many were created.
    """
    user_model = get_user_model()
    existing = set(user_model.objects.filter(username__in=specs).values_list("username", flat=True))
    missing = [name for name in specs if name not in existing]
    if missing:
        user_model.objects.bulk_create(
            user_model(
                username=name,
                password=password_hash(),
                # Reminders and duty alerts go by email; in the embedded default they land
                # in var/outbox/.
                **{"email": f"{name}@{catalogue.DEMO_EMAIL_DOMAIN}", **specs[name]},
            )
            for name in missing
        )
    users = user_model.objects.in_bulk(list(specs), field_name="username")

    membership = user_model.groups.through
    group_names = {group for group in groups.values() if group is not None}
    group_ids = dict(Group.objects.filter(name__in=group_names).values_list("name", "id"))
    wanted = {
        (users[name].pk, group_ids[group]) for name, group in groups.items() if group is not None
    }
    present = set(
        membership.objects.filter(user__in=users.values()).values_list("user_id", "group_id")
    )
    membership.objects.bulk_create(
        membership(user_id=user_id, group_id=group_id) for user_id, group_id in wanted - present
    )
    return users, len(missing)


def seed_staff(*, hall: Hall, password_hash: PasswordHash) -> Tally:
    """Badge cards (挂牌上岗), each with a login named after the badge (lh001)."""
    existing = set(Staff.objects.filter(hall=hall).values_list("badge_no", flat=True))
    new_specs = [spec for spec in catalogue.STAFF if spec.badge_no not in existing]
    if new_specs:
        users, _ = _ensure_users(
            {
                spec.username: {"first_name": spec.display_name, "is_staff": False}
                for spec in new_specs
            },
            groups={spec.username: roles.WINDOW_STAFF for spec in new_specs},
            password_hash=password_hash,
        )
        departments = {d.name: d for d in Department.objects.filter(hall=hall)}
        Staff.objects.bulk_create(
            Staff(
                user=users[spec.username],
                hall=hall,
                badge_no=spec.badge_no,
                display_name=spec.display_name,
                department=departments.get(spec.department),
                job_title=spec.job_title,
                # Reminders and duty alerts reach a staff member at their card's address
                # (windows.contacts); in the embedded default they land in var/outbox/.
                email=f"{spec.username}@{catalogue.DEMO_EMAIL_DOMAIN}",
            )
            for spec in new_specs
        )
    return Tally(created=len(new_specs), present=len(catalogue.STAFF) - len(new_specs))


def seed_roster(*, hall: Hall, start: date, end: date) -> Tally:
    """Full-day duties on each business day from start to end that has no roster yet:
    every active window staffed, one duty leader (值班长) and the guides (引导员)."""
    days = business_days(hall=hall, start=start, end=end)
    rostered = set(
        DutyAssignment.objects.filter(hall=hall, date__in=days).values_list("date", flat=True)
    )
    staff = {s.badge_no: s for s in Staff.objects.filter(hall=hall).active()}
    windows = {window.number: window for window in Window.objects.filter(hall=hall).active()}
    regulars = {spec.window_number: spec.badge_no for spec in catalogue.STAFF}
    full_day = DutyAssignment.Shift.FULL_DAY
    entries = []
    for day in days:
        if day in rostered:
            continue
        by_window, leader, guides = roster_plan(day)
        for number, badge in by_window.items():
            if number in windows and badge in staff:
                note = "" if badge == regulars[number] else f"替班（{regulars[number]}轮休）"
                entries.append(
                    DutyAssignment(
                        hall=hall,
                        date=day,
                        shift=full_day,
                        staff=staff[badge],
                        role=DutyAssignment.Role.WINDOW,
                        window=windows[number],
                        note=note,
                    )
                )
        others = [(leader, DutyAssignment.Role.DUTY_LEADER)]
        others += [(badge, DutyAssignment.Role.GUIDE) for badge in guides]
        entries += [
            DutyAssignment(hall=hall, date=day, shift=full_day, staff=staff[badge], role=role)
            for badge, role in others
            if badge in staff
        ]
    DutyAssignment.objects.bulk_create(entries)
    present = DutyAssignment.objects.filter(hall=hall, date__range=(start, end)).count()
    return Tally(created=len(entries), present=present - len(entries))


def seed_logins(*, hall: Hall, password_hash: PasswordHash) -> Tally:
    """The demo logins of each role; see catalogue.DEMO_LOGINS and `demo_logins`."""
    users, created = _ensure_users(
        {
            login.username: {
                "email": f"{login.username}@example.com",
                "is_staff": login.is_staff,
                "is_superuser": login.is_superuser,
            }
            for login in catalogue.DEMO_LOGINS
        },
        groups={login.username: login.group for login in catalogue.DEMO_LOGINS},
        password_hash=password_hash,
    )
    granted = [users[login.username] for login in catalogue.DEMO_LOGINS if login.hall_access]
    present = set(
        HallAccess.objects.filter(hall=hall, user__in=granted).values_list("user_id", flat=True)
    )
    HallAccess.objects.bulk_create(
        HallAccess(user=user, hall=hall) for user in granted if user.pk not in present
    )
    return Tally(created=created, present=len(catalogue.DEMO_LOGINS) - created)


# Bookable hours of every demo category (预约办): two in the morning, two in the afternoon.
DEMO_SLOTS = ((time(9), time(10)), (time(10), time(11)), (time(14), time(15)), (time(15), time(16)))


def seed_appointment_slots(*, hall) -> None:
    for category in QueueCategory.objects.filter(hall=hall):
        for starts_at, ends_at in DEMO_SLOTS:
            AppointmentSlot.objects.get_or_create(
                category=category, starts_at=starts_at, defaults={"ends_at": ends_at, "capacity": 5}
            )
