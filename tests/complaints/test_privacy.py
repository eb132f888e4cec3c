"""Complainants' phones: masked for whoever need not call, erased from closed cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from complaints.models import Complaint
from complaints.privacy import mask_phone, may_see_phone, phone_visibility
from complaints.services import complaints as services
from complaints.services.complaints import ComplaintError, complaint_erase_personal_data
from complaints.services.followups import followup_open
from evaluations.models import Rating
from evaluations.selectors import service_figures
from tests.complaints.test_complaint_workflow import RECEIVED_AT, advance, received_case
from tests.windows.factories import (
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit

pytestmark = pytest.mark.django_db
Status = Complaint.Status


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(services, "_today", lambda complaint: dt.date(2020, 9, 28))


@pytest.fixture
def handler(hall_a):
    return StaffFactory(hall=hall_a).user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+8613812345678", "+86****5678"),
        ("025-52345678", "025****5678"),
        (" 13812341234 ", "138****1234"),
        ("1234567", "*******"),
        ("110", "***"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phones_are_masked(phone, masked):
    assert mask_phone(phone) == masked


def test_who_sees_the_phone(hall_a, hall_b, manager_a, manager_b, handler):
    case = advance(received_case(hall_a, manager_a), Status.ASSIGNED, by=manager_a, handler=handler)
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    colleague = StaffFactory(hall=hall_a).user
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    retired = make_manager(hall_a, "retired_a")
    retired.is_active = False
    retired.save()
    expected = {
        manager_a: True,
        handler: True,
        superuser: True,
        manager_b: False,
        supervisor: False,
        colleague: False,
        retired: False,
        AnonymousUser(): False,
    }
    assert {user: may_see_phone(user=user, complaint=case) for user in expected} == expected
    assert {user: phone_visibility(user)(case) for user in expected} == expected


def test_the_history_never_holds_the_phone_or_name(hall_a, manager_a):
    case = received_case(hall_a, manager_a)
    fields = {field.name for field in case.history.model._meta.get_fields()}

    assert "callback_phone" not in fields and "complainant_name" not in fields
    assert "status" in fields


def bad_review_case(hall, phone: str) -> Complaint:
    visit = VisitFactory(hall=hall, window=WindowFactory(hall=hall))
    rating = Rating.objects.create(
        visit=visit,
        level=2,
        rated_at=RECEIVED_AT,
        source=Rating.Source.IMPORT,
        reasons=["long_wait"],
        callback_phone=phone,
    )
    return followup_open(rating=rating)


def test_a_manager_erases_a_closed_cases_personal_data_and_the_figures_stay(
    english, hall_a, manager_a, handler, media, django_capture_on_commit_callbacks
):
    case = bad_review_case(hall_a, "13812345678")
    case.complainant_name = "李女士"
    case.attachment.save("letter.txt", ContentFile(b"complaint letter"))
    stored = media / case.attachment.name
    assert stored.exists()
    case = advance(case, Status.CLOSED, by=manager_a, handler=handler)
    figures = service_figures(Visit.objects.filter(hall=hall_a))

    with django_capture_on_commit_callbacks(execute=True):
        erased = complaint_erase_personal_data(complaint=case, by=manager_a)

    case = Complaint.objects.get()
    assert (case.complainant_name, case.callback_phone, case.attachment.name) == ("", "", "")
    assert case.personal_data_erased_at is not None
    assert erased.personal_data_erased_at == case.personal_data_erased_at
    assert not stored.exists()
    assert set(case.history.values_list("attachment", flat=True)) == {""}
    assert case.rating.callback_phone == ""
    assert (case.rating.level, case.reasons, case.status, case.verdict) == (
        2,
        ["long_wait"],
        Status.CLOSED,
        "substantiated",
    )
    assert service_figures(Visit.objects.filter(hall=hall_a)) == figures
    entry = case.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (
        manager_a,
        '{"note":"personal_data_erased"}',
    )


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.REPLIED, Status.CALLBACK_DONE])
def test_an_open_case_keeps_its_personal_data(english, hall_a, manager_a, handler, status):
    case = advance(received_case(hall_a, manager_a), status, by=manager_a, handler=handler)
    label = {"received": "received", "replied": "replied", "callback_done": "callback done"}

    with pytest.raises(ComplaintError) as error:
        complaint_erase_personal_data(complaint=case, by=manager_a)

    assert error.value.messages == [f"This case is {label[status]}; it cannot be erased."]
    case = Complaint.objects.get()
    assert (case.callback_phone, case.complainant_name, case.personal_data_erased_at) == (
        "13812345678",
        "李女士",
        None,
    )


def test_only_a_manager_of_the_hall_erases(english, hall_a, hall_b, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.CLOSED, by=manager_a, handler=handler)
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)

    for user in (handler, supervisor, make_manager(hall_b, "manager_b")):
        with pytest.raises(ComplaintError) as error:
            complaint_erase_personal_data(complaint=case, by=user)
        assert error.value.messages == ["You may not do this with this case."]

    case = Complaint.objects.get()
    assert (case.callback_phone, case.personal_data_erased_at) == ("13812345678", None)


def test_erasing_twice_is_refused(english, hall_a, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.CLOSED, by=manager_a, handler=handler)
    complaint_erase_personal_data(complaint=case, by=manager_a)
    erased_at = Complaint.objects.get().personal_data_erased_at
    history = case.history.count()

    with pytest.raises(ComplaintError) as error:
        complaint_erase_personal_data(complaint=case, by=manager_a)

    assert error.value.messages == ["The personal data of this case have already been erased."]
    assert Complaint.objects.get().personal_data_erased_at == erased_at
    assert case.history.count() == history
