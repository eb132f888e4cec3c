"""The demo hall LH01 made ready: a window, a staff member and a tablet for each tablet
polling, a history of visits to import, everyone signed in."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from .config import CONSOLE_PASSWORD, HALL


def is_workday(day: date) -> bool:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # beyond the package's calendar data
        return day.weekday() < 5


def write_history(path: Path, *, windows: int, total: int, last_day: date, days: int) -> int:
    """`total` visits over the working days of `days` days up to `last_day` (import format)."""
    rng = random.Random(2026)
    workdays = [
        last_day - timedelta(days=n)
        for n in range(days - 1, -1, -1)
        if is_workday(last_day - timedelta(days=n))
    ]
    per_day = total // len(workdays) + 1
    fmt = "%Y-%m-%d %H:%M:%S"
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["hall_code", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
             "window_no", "staff_badge", "service_codes", "status", "rating", "rated_at"]
        )  # fmt: skip
        for day in workdays:
            for n in range(min(per_day, total - written)):
                start = datetime.combine(day, datetime.min.time()) + timedelta(
                    hours=9, seconds=n * 28000 // per_day
                )
                window = rng.randint(1, windows)
                status = rng.choices(["completed", "no_show", "transferred"], (93, 4, 3))[0]
                finished = start + timedelta(seconds=rng.randint(120, 1500))
                level = rng.choices(["5", "4", "3", "2", "1", ""], (80, 7, 2, 1, 0.5, 9.5))[0]
                rated = status == "completed" and level
                codes = ";".join(
                    f"LHS{c:02d}" for c in rng.sample(range(1, 31), rng.choice((1, 1, 2, 3)))
                )
                writer.writerow(
                    [
                        HALL,
                        f"{'ABCD'[window % 4]}{n:04d}",
                        (start - timedelta(seconds=rng.randint(60, 2400))).strftime(fmt),
                        "",
                        start.strftime(fmt),
                        finished.strftime(fmt) if status == "completed" else "",
                        window,
                        f"LH{window:03d}",
                        codes,
                        status,
                        level if rated else "",
                        (finished + timedelta(seconds=15)).strftime(fmt) if rated else "",
                    ]
                )
                written += 1
    return written


def grow_hall(windows: int) -> None:
    """LH01 grown to `windows` windows, each with a staff member of its own."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from windows import roles
    from windows.models import Hall, Staff, Window, WindowServiceItem

    hall = Hall.objects.get(code=HALL)
    first = Window.objects.get(hall=hall, number=1)
    items = list(first.service_items.all())
    have = set(Window.objects.filter(hall=hall).values_list("number", flat=True))
    for number in range(1, windows + 1):
        if number in have:
            continue
        window = Window.objects.create(
            hall=hall,
            number=number,
            name=f"通办窗口{number}",
            zone=first.zone,
            department=first.department,
        )
        WindowServiceItem.objects.bulk_create(
            WindowServiceItem(window=window, service_item=item) for item in items
        )
    users = get_user_model()
    group = Group.objects.get(name=roles.WINDOW_STAFF)
    password = make_password(CONSOLE_PASSWORD)
    badges = set(Staff.objects.filter(hall=hall).values_list("badge_no", flat=True))
    for number in range(1, windows + 1):
        badge = f"LH{number:03d}"
        if badge in badges:
            continue
        user = users.objects.create(username=badge.lower(), password=password)
        user.groups.add(group)
        Staff.objects.create(
            user=user,
            hall=hall,
            badge_no=badge,
            display_name=f"工作人员{number}",
            department=first.department,
            job_title="窗口经办员",
        )


def open_the_hall(windows: int) -> tuple[list[str], dict]:
    """Everyone signed in to their window, a tablet paired at each; a third of the windows
    serving a ticket, the others with a visit just finished (a rating prompt, for the
    hall's rating timeout). Returns the tablets' tokens, window 1's first."""
    from django.utils import timezone

    from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair
    from windows.models import Hall, Staff, Window
    from windows.services import visit_finish, visit_start, window_sign_in

    hall = Hall.objects.get(code=HALL)
    tokens = []
    kinds = {"console": 0, "serving": 0, "finished": 0}
    for number in range(1, windows + 1):
        window = Window.objects.select_related("hall").get(hall=hall, number=number)
        staff = Staff.objects.get(hall=hall, badge_no=f"LH{number:03d}")
        session = window_sign_in(staff=staff, window=window, now=timezone.now())
        _, code = tablet_issue_pairing_code(window=window, label=f"bench tablet {number}")
        _, token = tablet_pair(code=code)
        tokens.append(token)
        if number == 1:
            kinds["console"] += 1
            continue
        item = window.service_items.first()
        visit = visit_start(session=session, ticket_no=f"W{number:03d}", service_items=[item])
        if number % 3 == 0:
            kinds["serving"] += 1
        else:
            visit_finish(session=session, visit=visit)
            kinds["finished"] += 1
    return tokens, kinds


def table_sizes() -> dict:
    from evaluations.models import Rating, TabletDevice
    from windows.models import Staff, Visit, VisitItem, Window, WindowSession

    return {
        model.__name__: model.objects.count()
        for model in (Visit, VisitItem, Rating, Window, Staff, WindowSession, TabletDevice)
    }
