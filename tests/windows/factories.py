import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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
    Window,
    Zone,
)

TEST_PASSWORD = "Hall-portal-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H{n:02d}")
    name = factory.LazyAttribute(lambda o: f"测试大厅{o.code}")
    district = "六合区"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    hall = factory.SubFactory(HallFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    hall = factory.SubFactory(HallFactory)
    name = factory.Sequence(lambda n: f"片区{n}")
    kind = Zone.Kind.GENERAL


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"经办事项{n}")
    handling = ServiceItem.Handling.ON_THE_SPOT


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: n + 1)
    zone = factory.SubFactory(ZoneFactory, hall=factory.SelfAttribute("..hall"))
    name = factory.LazyAttribute(lambda o: f"{o.number}号窗口")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    hall = factory.SubFactory(HallFactory)
    user = factory.SubFactory(UserFactory, role=roles.WINDOW_STAFF)
    badge_no = factory.Sequence(lambda n: f"B{n:04d}")
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    # A staff member's email is on their card (windows.contacts): their login's, here.
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")


class DutyAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyAssignment

    hall = factory.SubFactory(HallFactory)
    staff = factory.SubFactory(StaffFactory, hall=factory.SelfAttribute("..hall"))
    window = factory.SubFactory(WindowFactory, hall=factory.SelfAttribute("..hall"))
    role = DutyAssignment.Role.WINDOW
    shift = DutyAssignment.Shift.FULL_DAY


class HallCalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HallCalendarDay

    hall = factory.SubFactory(HallFactory)
    kind = HallCalendarDay.Kind.CLOSURE


def make_manager(hall: Hall, username: str, *, role: str = roles.HALL_MANAGER):
    """A manager (or supervisor, by role) granted one hall, with admin access."""
    user = UserFactory(username=username, role=role, is_staff=True)
    HallAccess.objects.create(user=user, hall=hall)
    return user


class VisitFactory(factory.django.DjangoModelFactory):
    """A completed visit of one item; pass service_date with the times it matches."""

    class Meta:
        model = Visit

    hall = factory.SubFactory(HallFactory)
    window = factory.SubFactory(WindowFactory, hall=factory.SelfAttribute("..hall"))
    ticket_no = factory.Sequence(lambda n: f"A{n:03d}")
    issued_at = factory.LazyAttribute(lambda o: o.started_at - dt.timedelta(minutes=12))
    started_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.service_date, dt.time(9, 30), tzinfo=SHANGHAI)
    )
    finished_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(minutes=8))
    service_date = dt.date(2020, 9, 28)
    status = Visit.Status.COMPLETED
    item_count = 1
