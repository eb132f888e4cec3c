from collections import Counter
from datetime import date, datetime, time
from io import StringIO
from itertools import groupby, pairwise
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory
from django.utils import translation

from complaints.models import Channel, Complaint
from complaints.selectors import complaint_dashboard, complaint_timeline
from complaints.services import complaints as services
from complaints.services.complaints import complaint_receive
from demo.casework import Planner, casework_start
from demo.casework_steps import backdate_registration, play, write_in_bulk
from demo.complaints import OVERDUE_CASES
from demo.seed import roster_plan, seed_demo
from evaluations.models import Rating
from tests.windows.factories import HallCalendarDayFactory, HallFactory
from windows import roles
from windows.models import (
    Department,
    DutyAssignment,
    Hall,
    HallAccess,
    HallCalendarDay,
    ServiceItem,
    Staff,
    Visit,
    VisitItem,
    Window,
    WindowServiceItem,
    Zone,
)
from windows.workdays import business_days

pytestmark = pytest.mark.django_db

User = get_user_model()
ZONE = ZoneInfo("Asia/Shanghai")
# The week of National Day 2026: 10-01..10-07 off, Saturday 10-10 a make-up working day.
TODAY = date(2026, 9, 28)
BUSINESS_DAYS = [
    date(2026, 9, 28),
    date(2026, 9, 29),
    date(2026, 9, 30),
    date(2026, 10, 8),
    date(2026, 10, 9),
    date(2026, 10, 10),
    *(date(2026, 10, day) for day in range(12, 17)),
    *(date(2026, 10, day) for day in range(19, 24)),
]
DUTIES_PER_DAY = 23 + 1 + 2  # every window, the duty leader, two guides


def table_counts() -> dict[str, int]:
    models = [
        Hall,
        HallAccess,
        Department,
        Zone,
        ServiceItem,
        Window,
        WindowServiceItem,
        Staff,
        DutyAssignment,
        HallCalendarDay,
        User,
        User.groups.through,
    ]
    return {model._meta.label: model.objects.count() for model in models}


def run_command(*args: str, command: str = "seed_demo") -> list[str]:
    out = StringIO()
    with translation.override("en"):
        call_command(command, *args, stdout=out, no_color=True)
    return out.getvalue().splitlines()


def test_the_demo_hall_has_the_zones_and_specialist_windows_of_the_source():
    seed_demo(today=TODAY)

    hall = Hall.objects.get(code="LH01")
    assert (hall.name, hall.district, hall.supervision_phone) == (
        "六合区社会保障综合服务大厅（演示）",
        "六合区",
        "025-57108899",
    )
    zones = Zone.objects.filter(hall=hall).annotate(n=Count("windows"))
    assert [(z.name, z.kind, z.sort_order, z.n) for z in zones] == [
        ("社保通办", Zone.Kind.GENERAL, 1, 12),
        ("医保通办", Zone.Kind.GENERAL, 2, 4),
        ("企保待遇通办", Zone.Kind.GENERAL, 3, 4),
    ]
    specialist = Window.objects.filter(hall=hall, zone=None).select_related("department")
    assert [(w.number, w.name, w.department.name) for w in specialist] == [
        (21, "失业特殊业务窗口", "劳动就业管理中心"),
        (22, "居保及被征地保障服务窗口", "社保管理中心"),
        (23, "社保卡服务窗口", "社保卡服务中心"),
    ]
    assert sorted(Department.objects.filter(hall=hall).values_list("name", flat=True)) == sorted(
        ["社保管理中心", "合作医疗办公室", "社保卡服务中心", "人社保障信息中心", "劳动就业管理中心"]
    )
    window_5, window_17 = Window.objects.filter(hall=hall, number__in=[5, 17])
    assert (window_5.name, window_5.department.name) == ("社保通办5号窗口", "社保管理中心")
    assert (window_17.name, window_17.department.name) == (
        "企保退休综合服务17号窗口",
        "社保管理中心",
    )
    assert list(Window.objects.filter(hall=hall).values_list("number", flat=True)) == list(
        range(1, 24)
    )


def test_the_catalogue_has_45_published_items_with_codes_and_promises():
    seed_demo(today=TODAY)

    items = ServiceItem.objects.all()
    assert [item.code for item in items] == [f"LHS{n:02d}" for n in range(1, 46)]
    assert items.filter(is_published=True).count() == 45
    assert items.filter(handling=ServiceItem.Handling.ON_THE_SPOT).count() == 22
    assert items.filter(handling=ServiceItem.Handling.TIME_LIMITED).count() == 23
    assert dict(items.values_list("category").annotate(n=Count("id"))) == {
        "综合": 8,
        "养老保险": 11,
        "工伤保险": 4,
        "失业保险": 6,
        "医疗保险": 9,
        "居民保险": 4,
        "社保卡": 3,
    }
    retirement = ServiceItem.objects.get(code="LHS32")
    assert (retirement.name, retirement.handling, retirement.promised_working_days) == (
        "企业职工退休审批",
        ServiceItem.Handling.TIME_LIMITED,
        15,
    )
    flexible = ServiceItem.objects.get(code="LHS05")
    assert (flexible.name, flexible.handling, flexible.promised_working_days) == (
        "灵活就业人员参保登记",
        ServiceItem.Handling.ON_THE_SPOT,
        None,
    )
    assert flexible.materials_list == ["居民身份证原件", "社会保障卡", "银行代扣协议"]
    assert items.filter(required_materials="").count() == 0


def test_every_window_handles_the_items_of_its_zone_or_desk():
    seed_demo(today=TODAY)

    per_window = dict(Window.objects.annotate(n=Count("window_items")).values_list("number", "n"))
    assert per_window == {
        **{number: 19 for number in range(1, 13)},
        **{number: 11 for number in range(13, 17)},
        **{number: 12 for number in range(17, 21)},
        21: 6,
        22: 5,
        23: 3,
    }
    assert WindowServiceItem.objects.count() == 334

    def codes(number: int) -> list[str]:
        return list(
            WindowServiceItem.objects.filter(window__number=number).values_list(
                "service_item__code", flat=True
            )
        )

    assert codes(14) == ["LHS08", "LHS12", *(f"LHS{n}" for n in range(23, 32))]
    assert codes(18) == ["LHS07", "LHS08", "LHS09", "LHS10", *(f"LHS{n}" for n in range(31, 39))]
    assert codes(21) == ["LHS17", "LHS18", "LHS19", "LHS20", "LHS21", "LHS22"]
    assert codes(22) == ["LHS07", "LHS39", "LHS40", "LHS41", "LHS42"]
    assert codes(23) == ["LHS43", "LHS44", "LHS45"]


def test_staff_have_badges_departments_and_window_staff_logins():
    seed_demo(today=TODAY)

    staff = Staff.objects.select_related("user", "department")
    assert [s.badge_no for s in staff] == [f"LH{n:03d}" for n in range(1, 33)]
    assert all(s.user.username == s.badge_no.lower() for s in staff)
    assert [s.user.is_staff for s in staff] == [False] * 32
    window_staff = User.objects.filter(groups__name=roles.WINDOW_STAFF)
    assert sorted(window_staff.values_list("username", flat=True)) == [
        f"lh{n:03d}" for n in range(1, 33)
    ]
    titles = dict(staff.values_list("job_title").annotate(n=Count("id")))
    assert titles == {
        "窗口经办员": 23,
        "值班长": 3,
        "引导员": 3,
        "综合柜员（机动）": 2,
        "信息系统管理员": 1,
    }
    lh013 = staff.get(badge_no="LH013")
    assert (lh013.department.name, lh013.hall.code) == ("合作医疗办公室", "LH01")


def test_the_roster_covers_the_business_days_of_four_weeks_from_monday():
    summary = seed_demo(today=date(2026, 10, 1))  # a Thursday: the roster starts on Monday

    assert (summary.roster_start, summary.roster_end) == (date(2026, 9, 28), date(2026, 10, 25))
    assert DutyAssignment.objects.count() == 16 * DUTIES_PER_DAY == 416
    per_day_and_role = DutyAssignment.objects.values_list("date", "role").annotate(n=Count("id"))
    assert sorted(per_day_and_role) == [
        (day, role, n)
        for day in BUSINESS_DAYS
        for role, n in (("duty_leader", 1), ("guide", 2), ("window", 23))
    ]
    assert set(DutyAssignment.objects.values_list("shift", flat=True)) == {"full_day"}
    windows_per_day = (
        DutyAssignment.objects.filter(role="window")
        .values_list("date")
        .annotate(n=Count("window", distinct=True))
    )
    assert set(windows_per_day) == {(day, 23) for day in BUSINESS_DAYS}


def test_the_roster_rotates_leaders_and_guides_and_brings_in_relief_clerks():
    seed_demo(today=TODAY)

    def duties(badge: str, role: str = "window") -> list:
        return list(
            DutyAssignment.objects.filter(staff__badge_no=badge, role=role).values_list(
                "date", "window__number", "note"
            )
        )

    # Wednesdays and Fridays, a different window each week, while its clerk rests.
    assert duties("LH030") == [
        (date(2026, 9, 30), 10, "替班（LH010轮休）"),
        (date(2026, 10, 14), 12, "替班（LH012轮休）"),
        (date(2026, 10, 21), 17, "替班（LH017轮休）"),
    ]
    assert duties("LH031") == [
        (date(2026, 10, 9), 16, "替班（LH016轮休）"),
        (date(2026, 10, 16), 13, "替班（LH013轮休）"),
        (date(2026, 10, 23), 14, "替班（LH014轮休）"),
    ]
    assert len(duties("LH010")) == 15
    assert date(2026, 9, 30) not in [day for day, _, _ in duties("LH010")]
    assert len(duties("LH005")) == 16
    leaders = DutyAssignment.objects.filter(role="duty_leader").values_list("staff__badge_no")
    assert sorted(leaders.annotate(n=Count("id"))) == [("LH024", 6), ("LH025", 5), ("LH026", 5)]
    guides = DutyAssignment.objects.filter(role="guide").values_list("staff__badge_no")
    assert sorted(guides.annotate(n=Count("id"))) == [("LH027", 11), ("LH028", 11), ("LH029", 10)]
    assert DutyAssignment.objects.filter(staff__badge_no="LH032").count() == 0


def test_a_closure_of_the_hall_leaves_its_day_off_the_roster():
    hall = HallFactory(code="LH01", name="六合区社保大厅")
    HallCalendarDayFactory(hall=hall, date=date(2026, 9, 29), reason="系统升级")

    summary = seed_demo(today=TODAY)

    assert (summary.hall.created, summary.hall.present) == (0, 1)
    assert Hall.objects.get(code="LH01").name == "六合区社保大厅"
    assert DutyAssignment.objects.count() == 15 * DUTIES_PER_DAY
    assert not DutyAssignment.objects.filter(date=date(2026, 9, 29)).exists()


@pytest.mark.parametrize(
    ("username", "group", "is_staff", "is_superuser", "hall_access"),
    [
        ("admin", None, True, True, False),
        ("manager", roles.HALL_MANAGER, True, False, True),
        ("supervisor", roles.SUPERVISOR, True, False, True),
        ("lh005", roles.WINDOW_STAFF, False, False, False),
        ("tablet05", roles.TABLET_DEVICE, False, False, False),
    ],
)
def test_each_demo_login_signs_in_with_the_demo_password_and_has_its_role(
    username, group, is_staff, is_superuser, hall_access
):
    seed_demo(today=TODAY)

    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password="Demo@2026")

    assert user is not None
    assert list(user.groups.values_list("name", flat=True)) == ([group] if group else [])
    assert (user.is_staff, user.is_superuser, user.is_active) == (is_staff, is_superuser, True)
    halls = list(HallAccess.objects.filter(user=user).values_list("hall__code", flat=True))
    assert halls == (["LH01"] if hall_access else [])


def test_the_window_5_login_is_the_badge_card_of_window_5():
    seed_demo(today=TODAY)

    staff = User.objects.get(username="lh005").staff_profile
    assert (staff.badge_no, staff.display_name) == ("LH005", "李静")
    assert DutyAssignment.objects.filter(staff=staff, date=TODAY).get().window.number == 5


def test_running_it_twice_changes_nothing():
    seed_demo(today=TODAY)
    counts = table_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    summary = seed_demo(today=TODAY)

    assert table_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert summary.created_anything is False
    assert {name: tally.created for name, tally in summary.tallies().items()} == dict.fromkeys(
        summary.tallies(), 0
    )
    assert (summary.windows.present, summary.service_items.present, summary.staff.present) == (
        23,
        45,
        32,
    )
    assert (summary.roster_entries.present, summary.logins.present) == (416, 5)


def test_a_rerun_keeps_what_a_manager_changed():
    seed_demo(today=TODAY)
    manager = User.objects.get(username="manager")
    manager.set_password("Changed-2026")
    manager.save()
    WindowServiceItem.objects.filter(window__number=5, service_item__code="LHS01").delete()
    Window.objects.filter(number=6).update(name="社保通办6号窗口（暂停）")
    DutyAssignment.objects.filter(date=date(2026, 10, 12)).delete()
    ServiceItem.objects.filter(code="LHS01").update(name="参保登记")

    summary = seed_demo(today=TODAY)

    assert summary.roster_entries.created == DUTIES_PER_DAY  # the emptied day, again
    assert summary.window_items.created == 0
    assert authenticate(RequestFactory().post("/"), username="manager", password="Changed-2026")
    assert not WindowServiceItem.objects.filter(
        window__number=5, service_item__code="LHS01"
    ).exists()
    assert Window.objects.get(number=6).name == "社保通办6号窗口（暂停）"
    assert ServiceItem.objects.get(code="LHS01").name == "参保登记"


def test_a_later_week_adds_the_roster_days_not_yet_planned():
    seed_demo(today=TODAY)

    summary = seed_demo(today=date(2026, 10, 8))  # weeks from 10-05: 10-26..10-30 are new

    assert (summary.roster_entries.created, summary.roster_entries.present) == (
        5 * DUTIES_PER_DAY,
        13 * DUTIES_PER_DAY,
    )
    assert DutyAssignment.objects.count() == 21 * DUTIES_PER_DAY


def test_the_command_prints_what_it_created_and_then_nothing_new():
    first = run_command("--today", "2026-09-28", "--no-visits")
    second = run_command("--today", "2026-09-28", "--no-visits")

    password_line = (
        "Demo logins use the password Demo@2026 (set only when a login is created); "
        "`python manage.py demo_logins` lists them."
    )
    assert first == [
        "Demo hall LH01: created 23 windows, 45 service items, 32 staff, 4 weeks of roster "
        "(416 entries from 2026-09-28 to 2026-10-25).",
        "Also created: 1 hall, 5 departments, 3 zones, 334 window service items, 4 demo logins.",
        password_line,
    ]
    assert second == [
        "Demo hall LH01: nothing new (already present: 23 windows, 45 service items, "
        "32 staff, 416 roster entries from 2026-09-28 to 2026-10-25).",
        password_line,
    ]


def test_the_command_rejects_a_bad_date_and_stores_nothing():
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("seed_demo", "--today", "2026-13-01")

    assert str(error.value) == "--today: 2026-13-01 is not a date YYYY-MM-DD."
    assert Hall.objects.count() == 0


def test_demo_logins_lists_each_login_with_its_role_password_and_address():
    seed_demo(today=TODAY)
    manager = User.objects.get(username="manager")
    manager.set_password("Changed-2026")
    manager.save()

    lines = run_command("--base-url", "http://127.0.0.1:9000/", command="demo_logins")

    assert lines == [
        "Demo logins:",
        "  Username    Role                     Password   Open",
        "  admin       系统管理员（超级用户）   Demo@2026  http://127.0.0.1:9000/admin/",
        "  manager     大厅管理员               (changed)  http://127.0.0.1:9000/admin/",
        "  supervisor  监督员                   Demo@2026  http://127.0.0.1:9000/admin/",
        "  lh005       窗口工作人员（5号窗口）  Demo@2026  http://127.0.0.1:9000/",
        "  tablet05    评价平板（5号窗口）      Demo@2026  http://127.0.0.1:9000/",
        "Every window staff member logs in with the badge number in lower case "
        "(lh001 to lh032) and the same password, set when seed_demo created the login.",
    ]


def test_demo_logins_says_to_run_seed_demo_when_there_are_none():
    lines = run_command(command="demo_logins")

    assert lines == [
        "The demo logins do not exist yet: run `python manage.py seed_demo` first.",
    ]


def test_the_demo_visits_are_created_once_with_their_ratings():
    first = run_command("--today", "2026-09-28", "--visits-since", "2026-09-21")
    second = run_command("--today", "2026-09-28", "--visits-since", "2026-09-21")

    visits = Visit.objects.filter(service_date__range=(date(2026, 9, 21), date(2026, 9, 28)))
    created = visits.count()
    assert (
        first[-2] == f"Visits from 2026-09-21 to 2026-09-28: created {created}, 0 already present."
    )
    assert (
        second[-2] == f"Visits from 2026-09-21 to 2026-09-28: created 0, {created} already present."
    )
    # The business days: Friday 25 is the Mid-Autumn Festival.
    assert sorted(set(visits.values_list("service_date", flat=True))) == [
        date(2026, 9, 21),
        date(2026, 9, 22),
        date(2026, 9, 23),
        date(2026, 9, 24),
        date(2026, 9, 28),
    ]
    assert created == 3136  # ~560 completed a day, and the no-shows and transfers
    completed = visits.filter(status=Visit.Status.COMPLETED)
    assert Rating.objects.filter(visit__in=completed).count() < completed.count()
    assert Rating.objects.exclude(visit__status=Visit.Status.COMPLETED).count() == 0
    assert set(Rating.objects.values_list("source", flat=True)) == {Rating.Source.TABLET}
    assert VisitItem.objects.filter(visit__in=visits).count() == sum(
        visits.values_list("item_count", flat=True)
    )
    # One ticket at a time at a window: each finished before the window started the next.
    for window_id in visits.values_list("window", flat=True).distinct():
        served = completed.filter(window=window_id).order_by("started_at")
        times = list(served.values_list("started_at", "finished_at"))
        assert all(finished < following for (_, finished), (following, _) in pairwise(times))


def test_the_demo_has_twelve_weeks_of_questionnaires_around_the_quota():
    from evaluations.models import QuestionnaireResponse

    seed_demo(today=TODAY, visits_since=TODAY)
    again = QuestionnaireResponse.objects.count()
    seed_demo(today=TODAY, visits_since=TODAY)

    weeks = list(
        QuestionnaireResponse.objects.values("week_start")
        .annotate(n=Count("pk"))
        .order_by("week_start")
        .values_list("week_start", "n")
    )
    assert len(weeks) == 12
    assert weeks[-1][0] == date(2026, 9, 28)
    assert all(38 <= n <= 60 for _, n in weeks[:-1])
    assert QuestionnaireResponse.objects.count() == again


def test_the_demo_has_complaints_at_different_steps_once():
    seed_demo(today=TODAY, visits_since=TODAY)
    seed_demo(today=TODAY, visits_since=TODAY)

    others = Complaint.objects.exclude(channel=Channel.BAD_REVIEW).order_by("received_at")
    assert [(c.channel, local(c.received_at).date(), c.status) for c in others] == [
        ("hotline", date(2026, 7, 8), "closed"),
        ("work_order_12345", date(2026, 7, 23), "closed"),
        ("online", date(2026, 8, 12), "closed"),
        ("on_site", date(2026, 8, 28), "closed"),
        ("work_order_12345", date(2026, 9, 8), "closed"),
        ("work_order_12345", date(2026, 9, 10), "in_progress"),
        ("hotline", date(2026, 9, 21), "replied"),
        ("online", date(2026, 9, 23), "in_progress"),
        ("on_site", date(2026, 9, 24), "in_progress"),
    ]
    numbers = others.filter(channel="work_order_12345").values_list("work_order_no", flat=True)
    assert list(numbers) == ["GD20260723-0413", "GD20260908-1126", "GD20260910-0087"]


def test_every_demo_login_has_an_email_for_reminders_and_alerts():
    seed_demo(today=TODAY)

    assert User.objects.get(username="lh005").email == "lh005@lh01.demo.invalid"
    assert User.objects.filter(email="").count() == 0


def test_the_demo_manager_receives_every_kind_of_bulletin():
    from reports.models import BulletinRecipient

    seed_demo(today=TODAY, visits_since=TODAY)
    seed_demo(today=TODAY, visits_since=TODAY)

    assert sorted(BulletinRecipient.objects.values_list("kind", "email")) == [
        ("daily", "manager@lh01.demo.invalid"),
        ("monthly", "manager@lh01.demo.invalid"),
        ("weekly", "manager@lh01.demo.invalid"),
    ]


# The demo's cases (demo.casework): worked at past times by the hall's people.
CASES_TODAY = date(2026, 9, 29)  # a Tuesday; the seed's clock is 18:00 that day
CASES_SINCE = date(2026, 6, 15)
SEED_NOW = datetime(2026, 9, 29, 18, 0, tzinfo=ZONE)
EVERY_STEP = ("received", "verified", "assigned", "in_progress", "replied", "callback_done")
EVERY_STEP += ("closed",)
REOPENED = (*EVERY_STEP[:5], "in_progress", "replied", "callback_done", "closed")
# The steps the manager moves a case on from (the handler starts and replies).
MANAGER_MOVES_ON = {"received", "verified", "replied", "callback_done"}


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE)


def seed_cases() -> Hall:
    seed_demo(today=CASES_TODAY, visits_since=CASES_SINCE)
    return Hall.objects.get(code="LH01")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo with 3½ months of visits and cases, seeded once for the tests below (each
    runs in a transaction of its own inside this one) and rolled back after them."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed_cases()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def in_working_hours(moment: datetime) -> bool:
    clock = local(moment).time()
    return time(9) <= clock <= time(12) or time(13, 30) <= clock <= time(17, 30)


def history_rows() -> list[tuple]:
    fields = [f.attname for f in Complaint.history.model._meta.fields if f.attname != "history_id"]
    rows = Complaint.history.model.objects.order_by("id", "history_date", "history_id")
    return list(rows.values_list(*fields))


def test_every_closed_case_went_through_every_step_in_the_past_by_people_of_the_hall(seeded):
    hall = seeded
    people = set(HallAccess.objects.filter(hall=hall).values_list("user_id", flat=True))
    people |= set(Staff.objects.filter(hall=hall).values_list("user_id", flat=True))
    manager = User.objects.get(username="manager")
    hall_days = set(business_days(hall=hall, start=CASES_SINCE, end=CASES_TODAY))

    closed = Complaint.objects.filter(status="closed").select_related("handler")
    shapes = Counter()
    for case in closed:
        timeline = complaint_timeline(case)
        shapes[tuple(entry.to_status for entry in timeline)] += 1
        times = [entry.at for entry in timeline]
        assert times == sorted(set(times))
        assert (times[0], times[-1]) == (case.received_at, case.closed_at)
        assert case.closed_at <= SEED_NOW
        assert (timeline[0].user is None) == (case.channel == Channel.BAD_REVIEW)
        for entry in timeline[1:]:
            assert entry.user.pk in people
            assert entry.user == (
                manager if entry.from_status in MANAGER_MOVES_ON else case.handler
            )
            assert in_working_hours(entry.at) and local(entry.at).date() in hall_days
    assert shapes == {EVERY_STEP: 102, REOPENED: 3}
    assert Complaint.objects.filter(closed_at__date__gt=CASES_TODAY).count() == 0


def test_most_steps_are_done_by_their_deadline_and_a_few_late(seeded):

    late = on_time = 0
    rows = Complaint.history.model.objects.order_by("id", "history_date")
    for _case_id, group in groupby(rows, key=lambda row: row.id):
        for before, after in pairwise(group):
            if local(after.history_date).date() > before.due_date:
                late += 1
            else:
                on_time += 1
    assert (on_time, late) == (665, 4)


def test_the_dashboard_months_close_no_more_than_they_had_open_and_received(seeded):
    hall = seeded

    figures = []
    for day in (CASES_TODAY, date(2026, 8, 31), date(2026, 7, 31)):
        month_start = datetime.combine(day.replace(day=1), time.min, tzinfo=ZONE)
        open_at_start = (
            Complaint.objects.filter(received_at__lt=month_start)
            .exclude(closed_at__lt=month_start)
            .count()
        )
        dashboard = complaint_dashboard(hall=hall, today=day)
        figures.append((open_at_start, dashboard.received_this_month, dashboard.closed_this_month))
        assert dashboard.closed_this_month <= open_at_start + dashboard.received_this_month
    assert figures == [(6, 29, 25), (2, 44, 40), (5, 29, 32)]


def test_the_overdue_cases_are_the_two_the_demo_designed(seeded):
    dashboard = complaint_dashboard(hall=seeded, today=CASES_TODAY)

    assert dashboard.overdue_cases == OVERDUE_CASES == 2
    assert [(c.channel, c.status) for c in dashboard.overdue_list] == [
        ("work_order_12345", "in_progress"),
        ("hotline", "replied"),
    ]


def test_the_last_days_bad_reviews_are_open_at_their_step_with_the_duty_leader(seeded):
    open_reviews = Complaint.objects.open().filter(channel=Channel.BAD_REVIEW)
    assert [
        (local(c.received_at).date(), c.status, c.handler and c.handler.username, c.due_date)
        for c in open_reviews.order_by("received_at")
    ] == [
        (date(2026, 9, 24), "replied", "lh026", date(2026, 9, 30)),
        (date(2026, 9, 24), "callback_done", "lh026", date(2026, 9, 30)),
        (date(2026, 9, 28), "in_progress", "lh024", date(2026, 10, 9)),
        (date(2026, 9, 29), "in_progress", "lh025", date(2026, 10, 9)),
        (date(2026, 9, 29), "in_progress", "lh025", date(2026, 10, 9)),
        (date(2026, 9, 29), "assigned", "lh025", date(2026, 9, 30)),
    ]
    for case in open_reviews.exclude(handler=None):
        leader = roster_plan(local(case.received_at).date())[1]
        assert case.handler.staff_profile.badge_no == leader


def test_running_it_again_changes_no_case(seeded):
    cases = list(Complaint.objects.order_by("pk").values_list())
    history = history_rows()

    seed_cases()

    assert list(Complaint.objects.order_by("pk").values_list()) == cases
    assert history_rows() == history


def test_a_later_run_goes_on_with_the_open_cases_by_their_plan(seeded):
    open_before = list(Complaint.objects.open().order_by("pk").values_list("pk", flat=True))

    seed_demo(today=date(2026, 9, 30), visits_since=CASES_SINCE)

    moved_on = Complaint.objects.filter(pk__in=open_before).order_by("pk")
    assert [(c.channel, c.status) for c in moved_on] == [
        ("bad_review", "closed"),
        ("bad_review", "closed"),
        ("bad_review", "replied"),
        ("bad_review", "replied"),
        ("bad_review", "replied"),
        ("bad_review", "in_progress"),
        ("work_order_12345", "in_progress"),
        ("hotline", "replied"),
        ("online", "replied"),
        ("on_site", "in_progress"),
    ]
    assert complaint_dashboard(hall=seeded, today=date(2026, 9, 30)).overdue_cases == 2
    for case in moved_on:
        times = [entry.at for entry in complaint_timeline(case)]
        assert times == sorted(set(times))


@pytest.mark.parametrize(
    "outcomes",
    [
        [Complaint.CallbackResult.SATISFIED],
        [Complaint.CallbackResult.UNREACHABLE],
        [Complaint.CallbackResult.NOT_SATISFIED, Complaint.CallbackResult.NOT_SATISFIED],
    ],
    ids=["satisfied", "unreachable", "reopened-then-escalated"],
)
def test_the_bulk_path_records_exactly_what_the_services_record(seeded, outcomes):
    hall = seeded
    work = casework_start(hall=hall, now=SEED_NOW)
    received_at = datetime(2026, 9, 24, 16, 40, tzinfo=ZONE)
    played, bulk = (
        complaint_receive(
            hall=hall,
            channel=Channel.HOTLINE,
            received_at=received_at,
            by=work.people.manager,
            comment="来电反映等候时间过长。",
        )
        for _ in range(2)
    )
    backdate_registration([played, bulk])
    plan = Planner(played, work)
    leader, manager = work.people.by_badge["LH025"], work.people.manager
    plan.do(services.VERIFY, manager, 30, note="已调取录像核实。")
    plan.do(services.ASSIGN, manager, 10, handler=leader)
    plan.do(services.START, leader, 20)
    for outcome in outcomes:
        plan.do(services.REPLY, leader, 300, reply="已向市民说明情况并致歉。")
        plan.do(services.CALLBACK, manager, 200, result=outcome, note="三次致电。")
    plan.do(services.CLOSE, manager, 60, verdict=Complaint.Verdict.SUBSTANTIATED, note="已讲评。")

    play(played, plan.steps)
    write_in_bulk(work, [(bulk, plan.steps)])

    def stored(case_id: int) -> tuple[list, list]:
        case = Complaint.objects.filter(pk=case_id).values().get()
        history = Complaint.history.model.objects.filter(id=case_id).order_by("history_date")
        rows = [
            {k: v for k, v in row.items() if k not in ("id", "history_id")}
            for row in history.values()
        ]
        return [{k: v for k, v in case.items() if k != "id"}], rows

    assert stored(bulk.pk) == stored(played.pk)
    assert len(stored(played.pk)[1]) == 1 + 3 + 2 * len(outcomes) + 1


def test_a_hall_seeded_before_gets_its_cases_closed_at_run_time_worked_again(seeded):
    # What seed_demo did before issue 9: cases closed with one UPDATE, no step recorded.
    old = Complaint.objects.filter(channel=Channel.BAD_REVIEW, received_at__month__lt=9)
    rows = Complaint.history.model.objects.filter(id__in=old.values("pk"))
    worked = (list(old.order_by("pk").values_list()), history_rows())
    rows.filter(history_type="~").delete()
    rows.update(history_date=SEED_NOW, created_at=SEED_NOW)
    old.update(
        status="closed",
        callback_result="satisfied",
        verdict="substantiated",
        closed_at=SEED_NOW,
        created_at=SEED_NOW,
    )

    seed_cases()

    assert old.count() == 82
    assert (list(old.order_by("pk").values_list()), history_rows()) == worked
