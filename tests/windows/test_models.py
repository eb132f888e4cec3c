import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tests.windows.factories import (
    DepartmentFactory,
    DutyAssignmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import DutyAssignment, ServiceItem, Staff, Window

pytestmark = pytest.mark.django_db


def test_window_numbers_are_unique_per_hall():
    hall = HallFactory()
    WindowFactory(hall=hall, number=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        WindowFactory(hall=hall, number=5)

    assert Window.objects.filter(hall=hall, number=5).count() == 1


def test_two_halls_may_both_have_window_five():
    WindowFactory(hall=HallFactory(code="HA"), number=5)
    WindowFactory(hall=HallFactory(code="HB"), number=5)

    assert Window.objects.filter(number=5).count() == 2


def test_window_number_zero_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        WindowFactory(number=0)


def test_a_windows_zone_must_belong_to_its_hall():
    hall_a, hall_b = HallFactory(code="HA"), HallFactory(code="HB")
    window = Window(hall=hall_a, number=1, zone=ZoneFactory(hall=hall_b, name="社保通办"))

    with pytest.raises(ValidationError) as error, translation.override("en"):
        window.full_clean()

    assert error.value.message_dict == {"zone": ["The zone belongs to another hall."]}


def test_a_windows_department_must_belong_to_its_hall():
    hall_a, hall_b = HallFactory(code="HA"), HallFactory(code="HB")
    window = Window(hall=hall_a, number=1, department=DepartmentFactory(hall=hall_b))

    with pytest.raises(ValidationError) as error:
        window.full_clean()

    assert list(error.value.message_dict) == ["department"]


def test_a_window_without_zone_is_a_specialist_window():
    general = WindowFactory()
    specialist = WindowFactory(zone=None)

    assert (general.is_specialist, specialist.is_specialist) == (False, True)
    assert list(Window.objects.general()) == [general]


def test_badge_numbers_are_unique_per_hall():
    hall = HallFactory()
    StaffFactory(hall=hall, badge_no="LH005")

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(hall=hall, badge_no="LH005")

    StaffFactory(hall=HallFactory(code="OTHER"), badge_no="LH005")
    assert Staff.objects.filter(badge_no="LH005").count() == 2


@pytest.mark.parametrize(
    ("handling", "days", "valid"),
    [
        (ServiceItem.Handling.ON_THE_SPOT, None, True),
        (ServiceItem.Handling.ON_THE_SPOT, 3, False),
        (ServiceItem.Handling.TIME_LIMITED, 15, True),
        (ServiceItem.Handling.TIME_LIMITED, None, False),
        (ServiceItem.Handling.TIME_LIMITED, 0, False),
    ],
)
def test_promised_working_days_match_the_handling(handling, days, valid):
    item = ServiceItem(code="X1", name="事项", handling=handling, promised_working_days=days)

    if valid:
        item.full_clean()
        item.save()
        assert ServiceItem.objects.count() == 1
    else:
        with pytest.raises(ValidationError):
            item.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            item.save()
        assert ServiceItem.objects.count() == 0


def test_service_codes_are_unique_in_the_installation():
    ServiceItemFactory(code="LHS01")

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.create(code="LHS01", name="重复")


def test_required_materials_list_skips_blank_lines():
    item = ServiceItemFactory(required_materials="居民身份证原件\n\n 社会保障卡 \n")

    assert item.materials_list == ["居民身份证原件", "社会保障卡"]


def test_a_staff_member_has_one_duty_per_shift():
    duty = DutyAssignmentFactory(date="2026-11-25")

    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignmentFactory(
            hall=duty.hall,
            staff=duty.staff,
            date="2026-11-25",
            role=DutyAssignment.Role.GUIDE,
            window=None,
        )


def test_a_window_has_one_staff_member_per_shift():
    duty = DutyAssignmentFactory(date="2026-11-25")

    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignmentFactory(hall=duty.hall, window=duty.window, date="2026-11-25")


def test_window_duty_needs_a_window():
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignmentFactory(date="2026-11-25", window=None, role=DutyAssignment.Role.WINDOW)


def test_a_guide_needs_no_window():
    duty = DutyAssignmentFactory(date="2026-11-25", window=None, role=DutyAssignment.Role.GUIDE)

    assert duty.window is None


def test_duty_must_stay_inside_one_hall():
    duty = DutyAssignmentFactory.build(
        hall=HallFactory(code="HA"),
        staff=StaffFactory(hall=HallFactory(code="HB")),
        window=WindowFactory(hall=HallFactory(code="HC")),
        date="2026-11-25",
    )

    with pytest.raises(ValidationError) as error:
        duty.full_clean()

    assert sorted(error.value.message_dict) == ["staff", "window"]
