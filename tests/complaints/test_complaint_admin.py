"""Complaint cases, deadline rules and extensions in the admin, scoped to the user's halls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Channel, Complaint, DeadlineExtension, DeadlineRule
from complaints.services.complaints import (
    complaint_assign,
    complaint_verify,
    extension_request,
)
from evaluations.models import Rating
from evaluations.services.ratings import rating_submit
from tests.evaluations.tablet_factories import finished_visit
from tests.windows.factories import StaffFactory, WindowFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db
Status = Complaint.Status


@pytest.fixture
def window_a(hall_a):
    return WindowFactory(hall=hall_a, number=3, name="甲3号窗口")


@pytest.fixture
def window_b(hall_b):
    return WindowFactory(hall=hall_b, number=3, name="乙3号窗口")


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def bad_rating(window, phone="13812345678") -> Rating:
    return rating_submit(
        visit=finished_visit(window),
        level=1,
        source=Rating.Source.TABLET,
        reasons=["attitude", "long_wait"],
        callback_phone=phone,
    )


def change_url(case: Complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[case.pk])


def history_url(case: Complaint) -> str:
    return reverse("admin:complaints_complaint_history", args=[case.pk])


CHANGELIST = "admin:complaints_complaint_changelist"


# ---- cases ----


def test_cases_are_listed_per_hall_and_the_manager_sees_the_phone_to_call(
    english, en_client, manager_a, window_a, window_b
):
    own = bad_rating(window_a).complaint
    bad_rating(window_b, phone="13900001111")
    en_client.force_login(manager_a)

    response = en_client.get(reverse(CHANGELIST), {"status__exact": "received"})
    closed = en_client.get(reverse(CHANGELIST), {"status__exact": "closed"})

    assert list(response.context["cl"].result_list) == [own]
    assert list(closed.context["cl"].result_list) == []
    html = response.content.decode()
    assert "13812345678" in html
    assert "13900001111" not in html and "139****1111" not in html
    assert "甲3号窗口" in html and "bad review" in html


def test_a_supervisor_sees_the_case_with_a_masked_phone_and_cannot_change_it(
    english, en_client, supervisor_a, window_a
):
    case = bad_rating(window_a).complaint
    en_client.force_login(supervisor_a)

    listing = en_client.get(reverse(CHANGELIST))
    page = en_client.get(change_url(case))
    response = en_client.post(change_url(case), {"status": "closed"})

    assert page.status_code == 200
    for html in (listing.content.decode(), page.content.decode()):
        assert "138****5678" in html
        assert "13812345678" not in html
    assert "poor attitude、long waiting time" in page.content.decode()
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_a_manager_reads_the_case_with_its_phone_but_moves_it_only_on_the_case_pages(
    english, en_client, manager_a, window_a
):
    case = bad_rating(window_a).complaint
    en_client.force_login(manager_a)

    page = en_client.get(change_url(case))
    response = en_client.post(change_url(case), {"status": "closed"})
    add = en_client.get(reverse("admin:complaints_complaint_add"))
    delete = en_client.post(
        reverse("admin:complaints_complaint_delete", args=[case.pk]), {"post": "yes"}
    )

    html = page.content.decode()
    assert "13812345678" in html
    assert 'name="status"' not in html  # read-only: no field to change the status
    assert (response.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    case.refresh_from_db()
    assert (case.status, case.level, case.callback_phone) == ("received", 1, "13812345678")


def test_the_handler_sees_the_phone(english, en_client, hall_a, manager_a, window_a):
    case = bad_rating(window_a).complaint
    handler = make_manager(hall_a, "reader_a", role=roles.SUPERVISOR)
    Complaint.objects.filter(pk=case.pk).update(handler=handler)
    en_client.force_login(handler)

    assert "13812345678" in en_client.get(change_url(case)).content.decode()
    assert "13812345678" in en_client.get(reverse(CHANGELIST)).content.decode()


def test_another_halls_case_cannot_be_opened(en_client, manager_b, window_a):
    case = bad_rating(window_a).complaint
    en_client.force_login(manager_b)

    response = en_client.get(change_url(case), follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]


def test_overdue_cases_are_flagged_and_filtered(english, en_client, manager_a, window_a):
    late = bad_rating(window_a).complaint
    on_time = bad_rating(window_a, phone="").complaint
    closed = bad_rating(window_a, phone="").complaint
    today = timezone.localdate()
    Complaint.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    Complaint.objects.filter(pk=on_time.pk).update(due_date=today)
    Complaint.objects.filter(pk=closed.pk).update(
        due_date=today - dt.timedelta(days=5),
        status="closed",
        verdict="unsubstantiated",
        callback_result="satisfied",
    )
    en_client.force_login(manager_a)

    overdue = en_client.get(reverse(CHANGELIST), {"overdue": "yes"})
    not_overdue = en_client.get(reverse(CHANGELIST), {"overdue": "no"})

    assert list(overdue.context["cl"].result_list) == [late]
    assert set(not_overdue.context["cl"].result_list) == {on_time, closed}
    assert 'alt="True"' in overdue.content.decode()


# ---- history ----


def test_the_history_shows_who_changed_what_and_never_the_phone(
    english, en_client, manager_a, window_a
):
    case = bad_rating(window_a).complaint
    complaint_verify(complaint=case, by=manager_a, note="核实属实")
    en_client.force_login(manager_a)

    response = en_client.get(history_url(case))

    assert response.status_code == 200
    records = list(response.context["page_obj"].object_list)
    assert [(r.status, r.history_user, r.history_change_reason) for r in records] == [
        ("verified", manager_a, '{"note":"verified"}'),
        ("received", None, '{"note":"opened_from_bad_review"}'),
    ]
    html = response.content.decode()
    assert "manager_a" in html
    assert "13812345678" not in html and "138****5678" not in html


def test_the_history_shows_labels_names_local_times_and_notes_in_the_readers_language(
    english, en_client, manager_a, window_a
):
    case = bad_rating(window_a).complaint
    case.history.update(history_date=dt.datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=dt.UTC))
    handler = StaffFactory(hall=window_a.hall, display_name="王芳")
    complaint_verify(complaint=case, by=manager_a)
    complaint_assign(complaint=case, by=manager_a, handler=handler.user)
    manager_a.first_name, manager_a.last_name = "明", "李"
    manager_a.save()
    en_client.force_login(manager_a)

    response = en_client.get(history_url(case))

    html = response.content.decode()
    rows = [
        (r.shown_by, r.shown_type, r.shown_columns[0], r.shown_columns[2], r.shown_note)
        for r in response.context["page_obj"].object_list
    ]
    assert rows == [
        ("明 李", "Changed", "Assigned", "王芳", "assigned to 王芳"),
        ("明 李", "Changed", "Verified", "—", "verified"),
        ("the system", "Created", "Received", "—", "opened from a bad review"),
    ]
    created = response.context["page_obj"].object_list[-1]
    assert created.shown_at == "2026-11-27 09:02"  # the hall's time, to the minute
    assert '<th scope="col">Current step due</th>' in html
    assert "<strong>Handler:</strong> —&nbsp;&rarr;&nbsp;&nbsp;王芳</li>" in html
    assert "<strong>Status:</strong> Verified&nbsp;&rarr;&nbsp;&nbsp;Assigned</li>" in html
    for raw in ("due_date", "Deleted", "pk=None", "callback_done", "+00:00", ".456789"):
        assert raw not in html


def test_another_halls_manager_cannot_open_the_history(en_client, manager_b, window_a):
    case = bad_rating(window_a).complaint
    en_client.force_login(manager_b)
    record = case.history.get()

    history = en_client.get(history_url(case), follow=True)
    version = en_client.get(
        reverse("admin:complaints_complaint_simple_history", args=[case.pk, record.pk]),
        follow=True,
    )

    assert history.redirect_chain == [(reverse("admin:index"), 302)]
    assert version.redirect_chain == [(reverse("admin:index"), 302)]


def test_a_past_version_cannot_be_reverted(en_client, manager_a, window_a):
    case = bad_rating(window_a).complaint
    complaint_verify(complaint=case, by=manager_a)
    first = case.history.earliest()
    en_client.force_login(manager_a)
    url = reverse("admin:complaints_complaint_simple_history", args=[case.pk, first.pk])

    response = en_client.post(url, {})

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


# ---- deadline rules and extensions ----


def test_a_manager_sets_a_deadline_rule_for_their_hall_only(
    english, en_client, hall_a, hall_b, manager_a
):
    DeadlineRule.objects.create(
        hall=hall_b, channel=Channel.HOTLINE, step=Status.RECEIVED, working_days=2
    )
    en_client.force_login(manager_a)
    add = reverse("admin:complaints_deadlinerule_add")
    form = {"channel": Channel.WORK_ORDER_12345, "step": Status.IN_PROGRESS, "working_days": 10}

    refused = en_client.post(add, {**form, "hall": hall_b.pk})
    created = en_client.post(add, {**form, "hall": hall_a.pk})
    listing = en_client.get(reverse("admin:complaints_deadlinerule_changelist"))

    assert refused.context["adminform"].form.errors == {
        "hall": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert created.status_code == 302
    rule = DeadlineRule.objects.get(hall=hall_a)
    assert (rule.channel, rule.step, rule.working_days) == ("work_order_12345", "in_progress", 10)
    assert list(listing.context["cl"].result_list) == [rule]


def test_a_supervisor_reads_deadline_rules_but_cannot_add_them(en_client, hall_a, supervisor_a):
    en_client.force_login(supervisor_a)

    listing = en_client.get(reverse("admin:complaints_deadlinerule_changelist"))
    add = en_client.post(
        reverse("admin:complaints_deadlinerule_add"),
        {"hall": hall_a.pk, "channel": "online", "step": "received", "working_days": 1},
    )

    assert (listing.status_code, add.status_code) == (200, 403)
    assert DeadlineRule.objects.count() == 0


def test_extensions_are_listed_per_hall_and_read_only(
    en_client, hall_a, manager_a, manager_b, window_a, window_b
):
    own = bad_rating(window_a).complaint
    other = bad_rating(window_b).complaint
    ext_a = extension_request(complaint=own, by=manager_a, working_days=1, reason="核实")
    extension_request(complaint=other, by=manager_b, working_days=1, reason="核实")
    en_client.force_login(manager_a)

    listing = en_client.get(reverse("admin:complaints_deadlineextension_changelist"))
    change = en_client.post(
        reverse("admin:complaints_deadlineextension_change", args=[ext_a.pk]),
        {"status": "approved"},
    )
    add = en_client.get(reverse("admin:complaints_deadlineextension_add"))

    assert list(listing.context["cl"].result_list) == [ext_a]
    assert (change.status_code, add.status_code) == (403, 403)
    assert DeadlineExtension.objects.get(pk=ext_a.pk).status == "pending"


def test_window_staff_cannot_reach_the_case_admin(en_client, hall_a, window_a):
    case = bad_rating(window_a).complaint
    en_client.force_login(StaffFactory(hall=hall_a).user)

    response = en_client.get(change_url(case))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_halls_history_and_past_versions_are_in_its_own_time_zone(
    english, en_client, manager_a, window_a
):
    hall = window_a.hall
    hall.time_zone = "Asia/Urumqi"  # UTC+6, two hours behind Shanghai
    hall.save()
    case = bad_rating(window_a).complaint
    at = dt.datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=dt.UTC)
    case.history.update(history_date=at, received_at=at)
    record = case.history.get()
    en_client.force_login(manager_a)

    listed = en_client.get(history_url(case))
    version = en_client.get(
        reverse("admin:complaints_complaint_simple_history", args=[case.pk, record.pk])
    ).content.decode()

    assert [r.shown_at for r in listed.context["page_obj"].object_list] == ["2026-11-27 07:02"]
    assert "Nov. 27, 2026, 7:02 a.m." in version  # received at, in Urumqi
    assert "+00:00" not in version and ".456789" not in version
