"""The complaint pages: list filters, scoping per role, masking, each action, the dashboard."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Channel, Complaint, DeadlineExtension
from complaints.services.complaints import (
    complaint_assign,
    complaint_receive,
    complaint_record_callback,
    complaint_reply,
    complaint_start,
    complaint_verify,
)
from rectification.models import Measure, RectificationChecklist
from tests.windows.factories import (
    StaffFactory,
    UserFactory,
    WindowFactory,
    make_manager,
)
from windows import roles

pytestmark = pytest.mark.usefixtures("english")

PHONE = "13812345678"
MASKED = "138****5678"


def receive(hall, by, **extra) -> Complaint:
    fields = {
        "channel": Channel.ON_SITE,
        "received_at": timezone.now() - dt.timedelta(hours=1),
        "callback_phone": PHONE,
        "complainant_name": "张先生",
        "comment": "窗口人员态度差",
    }
    return complaint_receive(hall=hall, by=by, **(fields | extra))


def case_row(hall, **fields) -> Complaint:
    """A case stored as it is, for list filters and figures."""
    values = {
        "hall": hall,
        "channel": Channel.ON_SITE,
        "received_at": dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC),
        "due_date": dt.date(2099, 1, 1),
    }
    return Complaint.objects.create(**(values | fields))


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


@pytest.fixture
def staff_a(hall_a):
    return StaffFactory(hall=hall_a, user=UserFactory(username="staff_a", role=roles.WINDOW_STAFF))


# --- anonymous and scoping -------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "new", "dashboard"])
def test_anonymous_is_sent_to_log_in(en_client, hall_a, name):
    response = en_client.get(reverse(f"complaints:{name}"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_cannot_open_or_act_on_a_case(en_client, manager_a, hall_a):
    case = receive(hall_a, manager_a)
    assert en_client.get(reverse("complaints:detail", args=[case.pk])).status_code == 302
    response = en_client.post(reverse("complaints:action", args=[case.pk, "verify"]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Complaint.Status.RECEIVED


def test_another_halls_manager_gets_404_and_never_sees_the_case(
    en_client, hall_a, manager_a, manager_b
):
    case = receive(hall_a, manager_a)
    login(en_client, manager_b)
    assert en_client.get(reverse("complaints:detail", args=[case.pk])).status_code == 404
    assert en_client.get(reverse("complaints:list"), {"hall": "HA"}).status_code == 404
    assert en_client.get(reverse("complaints:dashboard"), {"hall": "HA"}).status_code == 404
    assert en_client.get(reverse("complaints:new"), {"hall": "HA"}).status_code == 404
    response = en_client.post(reverse("complaints:action", args=[case.pk, "verify"]))
    assert response.status_code == 404
    listing = en_client.get(reverse("complaints:list"))
    assert listing.context["hall"].code == "HB"
    assert list(listing.context["page"]) == []
    case.refresh_from_db()
    assert case.status == Complaint.Status.RECEIVED


def test_supervisor_reads_but_sees_no_actions_and_posts_are_403(
    en_client, hall_a, manager_a, supervisor_a
):
    case = receive(hall_a, manager_a)
    login(en_client, supervisor_a)
    listing = en_client.get(reverse("complaints:list"))
    assert [c.pk for c, _phone in listing.context["rows"]] == [case.pk]
    assert listing.context["may_add"] is False
    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))
    assert detail.status_code == 200
    assert detail.context["action_forms"] == []
    assert b'id="no-actions"' in detail.content
    assert b'<form method="post" action="/complaints/' not in detail.content
    response = en_client.post(
        reverse("complaints:action", args=[case.pk, "verify"]), {"verify-note": "ok"}
    )
    assert response.status_code == 403
    assert en_client.get(reverse("complaints:new")).status_code == 403
    case.refresh_from_db()
    assert case.status == Complaint.Status.RECEIVED
    assert case.verification_note == ""


def test_staff_without_cases_gets_403(en_client, hall_a, manager_a, staff_a):
    case = receive(hall_a, manager_a)
    login(en_client, staff_a.user)
    assert en_client.get(reverse("complaints:list")).status_code == 403
    assert en_client.get(reverse("complaints:detail", args=[case.pk])).status_code == 403
    assert en_client.get(reverse("complaints:dashboard")).status_code == 403
    assert en_client.get(reverse("complaints:new")).status_code == 403


def test_staff_handler_sees_only_their_cases_and_may_start_them(
    en_client, hall_a, manager_a, staff_a
):
    mine = receive(hall_a, manager_a)
    complaint_verify(complaint=mine, by=manager_a)
    complaint_assign(complaint=mine, by=manager_a, handler=staff_a.user)
    other = receive(hall_a, manager_a)
    login(en_client, staff_a.user)
    listing = en_client.get(reverse("complaints:list"))
    assert listing.status_code == 200
    assert [(c.pk, phone) for c, phone in listing.context["rows"]] == [(mine.pk, PHONE)]
    assert en_client.get(reverse("complaints:detail", args=[other.pk])).status_code == 404
    detail = en_client.get(reverse("complaints:detail", args=[mine.pk]))
    assert [a["name"] for a in detail.context["action_forms"]] == ["start", "request_extension"]
    assert detail.context["phone"] == PHONE
    response = en_client.post(reverse("complaints:action", args=[mine.pk, "start"]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Complaint.Status.IN_PROGRESS


# --- masking ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [("manager", PHONE), ("supervisor", MASKED), ("handler", PHONE)],
)
def test_phone_shown_or_masked_per_role(en_client, hall_a, manager_a, supervisor_a, who, shown):
    case = receive(hall_a, manager_a)
    handler = StaffFactory(hall=hall_a).user
    complaint_verify(complaint=case, by=manager_a)
    complaint_assign(complaint=case, by=manager_a, handler=handler)
    user = {"manager": manager_a, "supervisor": supervisor_a, "handler": handler}[who]
    login(en_client, user)
    listing = en_client.get(reverse("complaints:list"))
    assert [phone for _case, phone in listing.context["rows"]] == [shown]
    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))
    assert detail.context["phone"] == shown
    assert f'id="case-phone">{shown}<'.encode() in detail.content
    hidden = PHONE if shown == MASKED else MASKED
    assert hidden.encode() not in detail.content


# --- list filters ----------------------------------------------------------------------


@pytest.fixture
def listed(hall_a, hall_b):
    today = timezone.localdate()
    w1 = WindowFactory(hall=hall_a, number=1)
    w2 = WindowFactory(hall=hall_a, number=2)
    cases = {
        "onsite_late": case_row(
            hall_a,
            window=w1,
            due_date=today - dt.timedelta(days=1),
            received_at=dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC),
        ),
        "order": case_row(
            hall_a,
            channel=Channel.WORK_ORDER_12345,
            work_order_no="WO-1",
            window=w2,
            status=Complaint.Status.VERIFIED,
            received_at=dt.datetime(2026, 11, 5, 2, tzinfo=dt.UTC),
        ),
        "closed_late": case_row(
            hall_a,
            channel=Channel.HOTLINE,
            status=Complaint.Status.CLOSED,
            verdict="substantiated",
            callback_result="satisfied",
            due_date=today - dt.timedelta(days=5),
            received_at=dt.datetime(2026, 10, 31, 17, tzinfo=dt.UTC),  # 1 Nov in Shanghai
        ),
    }
    case_row(hall_b)
    return {"cases": cases, "w1": w1, "w2": w2}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["order", "onsite_late", "closed_late"]),
        ({"channel": "work_order_12345"}, ["order"]),
        ({"status": "closed"}, ["closed_late"]),
        ({"overdue": "yes"}, ["onsite_late"]),
        ({"overdue": "no"}, ["order", "closed_late"]),
        ({"unassigned": "yes"}, ["order", "onsite_late"]),
        ({"unassigned": "no"}, ["closed_late"]),
        ({"unassigned": "yes", "overdue": "yes"}, ["onsite_late"]),
        ({"window": "w1"}, ["onsite_late"]),
        ({"start": "2026-11-01", "end": "2026-11-01"}, ["closed_late"]),
        ({"start": "2026-11-02"}, ["order", "onsite_late"]),
        ({"end": "2026-11-04"}, ["onsite_late", "closed_late"]),
    ],
)
def test_list_filters(en_client, manager_a, listed, query, expected):
    if "window" in query:
        query = query | {"window": listed[query["window"]].pk}
    login(en_client, manager_a)
    response = en_client.get(reverse("complaints:list"), query)
    assert response.status_code == 200
    names = {case.pk: name for name, case in listed["cases"].items()}
    assert [names[c.pk] for c, _phone in response.context["rows"]] == expected


def test_list_shows_work_order_number_and_overdue_in_red(en_client, manager_a, listed):
    login(en_client, manager_a)
    content = en_client.get(reverse("complaints:list")).content.decode()
    assert '<div class="small text-secondary case-work-order">WO-1</div>' in content
    assert content.count("case-overdue") == 1


def test_list_rejects_a_reversed_date_range(en_client, manager_a, listed):
    login(en_client, manager_a)
    response = en_client.get(
        reverse("complaints:list"), {"start": "2026-11-05", "end": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "page" not in response.context
    assert b"The start date must not be after the end date." in response.content


def test_list_is_paginated_by_50(en_client, hall_a, manager_a):
    Complaint.objects.bulk_create(
        [
            Complaint(
                hall=hall_a,
                channel=Channel.ONLINE,
                due_date=dt.date(2099, 1, 1),
                received_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
            )
            for i in range(51)
        ]
    )
    login(en_client, manager_a)
    first = en_client.get(reverse("complaints:list"))
    assert len(first.context["rows"]) == 50
    second = en_client.get(reverse("complaints:list"), {"page": 2})
    assert len(second.context["rows"]) == 1


# --- intake ----------------------------------------------------------------------------


def test_manager_registers_a_12345_work_order(en_client, hall_a, manager_a):
    window = WindowFactory(hall=hall_a, number=7)
    login(en_client, manager_a)
    assert en_client.get(reverse("complaints:new")).status_code == 200
    response = en_client.post(
        reverse("complaints:new") + "?hall=HA",
        {
            "channel": "work_order_12345",
            "received_at": "2026-11-02T09:30",
            "work_order_no": "12345-2026-0001",
            "complainant_name": "李女士",
            "callback_phone": "139 1234 5678",
            "window": window.pk,
            "category": "efficiency",
            "comment": "排队两个小时",
        },
    )
    case = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:detail", args=[case.pk])
    assert (case.hall, case.channel, case.work_order_no, case.callback_phone, case.window) == (
        hall_a,
        "work_order_12345",
        "12345-2026-0001",
        "13912345678",
        window,
    )
    assert case.status == Complaint.Status.RECEIVED
    assert timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M") == "2026-11-02 09:30"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"work_order_no": ""}, "work_order_no", "A 12345 work order needs its work-order number."),
        (
            {"received_at": "2099-01-01T09:00"},
            "received_at",
            "The time received cannot be in the future.",
        ),
        (
            {"callback_phone": "12ab"},
            None,
            "Enter a phone number of 7 to 15 digits (may start with +86).",
        ),
        (
            {"channel": "bad_review"},
            "channel",
            "Select a valid choice. bad_review is not one of the available choices.",
        ),
    ],
)
def test_intake_errors_store_nothing(en_client, hall_a, manager_a, change, field, message):
    login(en_client, manager_a)
    data = {
        "channel": "work_order_12345",
        "received_at": "2026-11-02T09:30",
        "work_order_no": "W1",
        "comment": "x",
    }
    response = en_client.post(reverse("complaints:new"), data | change)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field or "__all__"] == [message]
    assert Complaint.objects.count() == 0


# --- the workflow through the pages -----------------------------------------------------


def post(client, case, action, data=None):
    prefixed = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("complaints:action", args=[case.pk, action]), prefixed)


def test_manager_carries_a_case_through_every_step(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    steps = [
        ("verify", {"note": "属实"}, Complaint.Status.VERIFIED),
        ("assign", {"handler": manager_a.pk}, Complaint.Status.ASSIGNED),
        ("start", {}, Complaint.Status.IN_PROGRESS),
        ("reply", {"reply": "已整改并致歉"}, Complaint.Status.REPLIED),
        ("callback", {"result": "satisfied", "note": "满意"}, Complaint.Status.CALLBACK_DONE),
        ("close", {"verdict": "substantiated", "note": "结案"}, Complaint.Status.CLOSED),
    ]
    for action, data, status in steps:
        response = post(en_client, case, action, data)
        assert response.status_code == 302, action
        assert response.url == reverse("complaints:detail", args=[case.pk])
        case.refresh_from_db()
        assert case.status == status
    assert (case.handler, case.reply, case.callback_result, case.verdict) == (
        manager_a,
        "已整改并致歉",
        "satisfied",
        "substantiated",
    )
    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))
    moves = [(e.from_status, e.to_status, e.reason) for e in detail.context["timeline"]]
    assert moves == [
        ("", "received", "received"),
        ("received", "verified", "verified"),
        ("verified", "assigned", f"assigned to {manager_a}"),
        ("assigned", "in_progress", "started"),
        ("in_progress", "replied", "replied"),
        ("replied", "callback_done", "callback: satisfied"),
        ("callback_done", "closed", "closed: substantiated"),
    ]
    assert [a["name"] for a in detail.context["action_forms"]] == ["erase"]
    assert detail.content.decode().count("timeline-entry") == 7


def test_a_step_out_of_order_shows_the_error_and_changes_nothing(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    response = post(en_client, case, "close", {"verdict": "substantiated"})
    assert response.status_code == 400
    assert b"This case is received; it cannot be closed." in response.content
    case.refresh_from_db()
    assert (case.status, case.verdict, case.history.count()) == ("received", "", 1)


def test_reply_needs_its_text(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    complaint_verify(complaint=case, by=manager_a)
    complaint_assign(complaint=case, by=manager_a, handler=manager_a)
    complaint_start(complaint=case, by=manager_a)
    login(en_client, manager_a)
    response = post(en_client, case, "reply", {"reply": ""})
    assert response.status_code == 400
    assert response.context["action_forms"][0]["form"].errors == {
        "reply": ["This field is required."]
    }
    case.refresh_from_db()
    assert (case.status, case.reply) == ("in_progress", "")


def test_assign_refuses_a_user_of_another_hall(en_client, hall_a, manager_a, manager_b):
    case = receive(hall_a, manager_a)
    complaint_verify(complaint=case, by=manager_a)
    login(en_client, manager_a)
    response = post(en_client, case, "assign", {"handler": manager_b.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert (case.status, case.handler) == ("verified", None)


def test_verify_excluding_without_a_rating_is_not_offered(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))
    verify = detail.context["action_forms"][0]
    assert verify["name"] == "verify"
    assert list(verify["form"].fields) == ["note"]


def test_extension_requested_then_approved_through_the_pages(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    due = Complaint.objects.get(pk=case.pk).due_date
    response = post(en_client, case, "request_extension", {"working_days": 2, "reason": "需调查"})
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (extension.status, extension.working_days) == ("pending", 2)
    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))
    names = [a["name"] for a in detail.context["action_forms"]]
    assert names == ["verify", "decide_extension"]
    response = en_client.post(
        reverse("complaints:action", args=[case.pk, "decide_extension"]),
        {"decide_extension-extension": extension.pk, "decide_extension-decision": "approve"},
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.status == "approved"
    assert case.due_date > due


def test_extension_of_zero_days_is_refused(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    response = post(en_client, case, "request_extension", {"working_days": 0, "reason": "x"})
    assert response.status_code == 400
    assert DeadlineExtension.objects.count() == 0


def _closed_case(hall, manager):
    case = receive(hall, manager)
    complaint_verify(complaint=case, by=manager)
    complaint_assign(complaint=case, by=manager, handler=manager)
    complaint_start(complaint=case, by=manager)
    complaint_reply(complaint=case, by=manager, reply="ok")
    complaint_record_callback(complaint=case, by=manager, result="satisfied")
    from complaints.services.complaints import complaint_close

    return complaint_close(complaint=case, by=manager, verdict="unsubstantiated")


def test_erase_needs_the_confirmation(en_client, hall_a, manager_a):
    case = _closed_case(hall_a, manager_a)
    login(en_client, manager_a)
    response = post(en_client, case, "erase", {})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.callback_phone == PHONE
    response = post(en_client, case, "erase", {"confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.callback_phone, case.complainant_name) == ("", "")
    assert case.personal_data_erased_at is not None


def test_unknown_action_is_403(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)
    assert post(en_client, case, "delete").status_code == 403


# --- dashboard page --------------------------------------------------------------------


def test_dashboard_page_shows_the_hall_figures(en_client, hall_a, manager_a):
    today = timezone.localdate()
    case_row(hall_a, due_date=today - dt.timedelta(days=2))
    case_row(hall_a, due_date=today + dt.timedelta(days=2))
    login(en_client, manager_a)
    response = en_client.get(reverse("complaints:dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.open_cases, figures.overdue_cases) == (2, 1)
    content = response.content.decode()
    assert 'data-figure="open">2<' in content
    assert 'data-figure="overdue">1<' in content
    assert 'data-figure="callback_rate">—<' in content


@pytest.fixture
def figured(hall_a, hall_b, manager_a, staff_a):
    """Hall A today: 4 open cases (2 without handler, 2 late), closed ones; hall B's own."""
    today = timezone.localdate()
    late, soon = today - dt.timedelta(days=3), today + dt.timedelta(days=3)
    at = timezone.now()
    cases = {
        "unassigned_soon": case_row(hall_a, due_date=soon, received_at=at - dt.timedelta(hours=1)),
        "unassigned_late": case_row(
            hall_a,
            channel=Channel.BAD_REVIEW,
            due_date=late,
            received_at=at - dt.timedelta(hours=2),
        ),
        "assigned_late": case_row(
            hall_a,
            handler=staff_a.user,
            status=Complaint.Status.ASSIGNED,
            due_date=late,
            received_at=at - dt.timedelta(hours=3),
        ),
        "assigned_soon": case_row(
            hall_a,
            handler=manager_a,
            status=Complaint.Status.IN_PROGRESS,
            due_date=soon,
            received_at=at - dt.timedelta(hours=4),
        ),
        "closed_unassigned_late": case_row(
            hall_a,
            status=Complaint.Status.CLOSED,
            verdict="substantiated",
            callback_result="satisfied",
            due_date=late,
            received_at=at - dt.timedelta(hours=5),
        ),
    }
    case_row(hall_b, due_date=late)
    case_row(hall_b, due_date=soon)
    return cases


def test_dashboard_shows_unassigned_and_overdue_linking_to_the_filtered_list(
    en_client, manager_a, figured
):
    login(en_client, manager_a)
    response = en_client.get(reverse("complaints:dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.open_cases, figures.unassigned_cases, figures.overdue_cases) == (4, 2, 2)
    content = response.content.decode()
    assert 'data-figure="open">4<' in content
    assert 'data-figure="unassigned">2<' in content
    assert 'data-figure="overdue">2<' in content
    assert (
        'id="dashboard-unassigned" href="/complaints/?hall=HA&amp;unassigned=yes">Unassigned cases<'
    ) in content
    assert 'id="dashboard-overdue-link" href="/complaints/?hall=HA&amp;overdue=yes">' in content

    names = {case.pk: name for name, case in figured.items()}
    unassigned = en_client.get("/complaints/?hall=HA&unassigned=yes")
    assert [names[c.pk] for c, _phone in unassigned.context["rows"]] == [
        "unassigned_soon",
        "unassigned_late",
    ]
    overdue = en_client.get("/complaints/?hall=HA&overdue=yes")
    assert [names[c.pk] for c, _phone in overdue.context["rows"]] == [
        "unassigned_late",
        "assigned_late",
    ]
    assert unassigned.context["page"].paginator.count == figures.unassigned_cases
    assert overdue.context["page"].paginator.count == figures.overdue_cases


def test_unassigned_filter_choice_is_kept_on_the_list(en_client, manager_a, figured):
    login(en_client, manager_a)
    content = en_client.get("/complaints/?hall=HA&unassigned=yes").content.decode()
    assert '<label class="form-label small mb-1" for="id_unassigned">Unassigned</label>' in content
    assert '<option value="yes" selected>Yes</option>' in content


def test_unknown_unassigned_choice_shows_the_error(en_client, manager_a, figured):
    login(en_client, manager_a)
    response = en_client.get("/complaints/?hall=HA&unassigned=maybe")
    assert response.status_code == 200
    assert "page" not in response.context
    assert "Unassigned: Select a valid choice. maybe is not one of the available choices." in (
        response.content.decode()
    )


def test_staff_and_another_halls_manager_never_see_the_halls_figures_or_lists(
    en_client, manager_b, staff_a, figured
):
    login(en_client, staff_a.user)
    assert en_client.get("/complaints/dashboard/?hall=HA").status_code == 403
    # The staff member handles one case: their list is theirs only, whatever the filter.
    mine = en_client.get("/complaints/?hall=HA&overdue=yes")
    assert [c.pk for c, _phone in mine.context["rows"]] == [figured["assigned_late"].pk]
    assert en_client.get("/complaints/?unassigned=yes").context["rows"] == []

    login(en_client, manager_b)
    assert en_client.get("/complaints/dashboard/?hall=HA").status_code == 404
    assert en_client.get("/complaints/?hall=HA&unassigned=yes").status_code == 404
    assert en_client.get("/complaints/?hall=HA&overdue=yes").status_code == 404
    own = en_client.get(reverse("complaints:dashboard")).context["figures"]
    assert (own.open_cases, own.unassigned_cases, own.overdue_cases) == (2, 2, 1)


def test_window_staff_without_cases_gets_403_on_the_filtered_list(en_client, hall_a, staff_a):
    login(en_client, staff_a.user)
    assert en_client.get("/complaints/?hall=HA&unassigned=yes").status_code == 403
    assert en_client.get("/complaints/dashboard/").status_code == 403


# --- turning a case into a rectification measure ---------------------------------------


@pytest.fixture
def checklists(hall_a, hall_b):
    def make(hall, title, start):
        return RectificationChecklist.objects.create(
            hall=hall, title=title, source="complaint",
            period_start=start, period_end=start + dt.timedelta(days=90),
        )  # fmt: skip

    return (
        make(hall_a, "投诉整改清单（四季度）", dt.date(2026, 10, 1)),
        make(hall_a, "投诉整改清单（三季度）", dt.date(2026, 7, 1)),
        make(hall_b, "乙大厅整改清单", dt.date(2026, 10, 1)),
    )


def spawn_panel(response) -> dict:
    """The context of the measure form rectification adds to the page (its panel hook)."""
    (panel,) = [
        p for p in response.context["panels"] if p.template == "rectification/_spawn_form.html"
    ]
    return panel.context


def spawn_data(checklist, /, **changes) -> dict:
    data = {
        "checklist": checklist.pk, "title": "规范窗口服务用语",
        "deadline": "2026-12-31", "responsible_person": "",
    } | changes  # fmt: skip
    return {f"measure-{name}": value for name, value in data.items()}


NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_manager_sees_the_measure_form_with_the_halls_choices(
    en_client, hall_a, manager_a, manager_b, staff_a, checklists
):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)

    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))

    form = spawn_panel(detail)["spawn_form"]
    assert spawn_panel(detail)["spawn_action"] == f"/rectification/from-case/{case.pk}/"
    assert list(form.fields["checklist"].queryset) == [checklists[0], checklists[1]]
    # the hall's staff by badge number, then the users granted the hall; named, not logins
    assert list(form.fields["responsible_person"].queryset) == [staff_a.user, manager_a]
    assert [label for _value, label in form.fields["responsible_person"].choices][1:] == [
        staff_a.display_name,
        manager_a.get_full_name() or "manager_a",
    ]
    assert form["title"].value() == f"Rectify case #{case.pk}: 窗口人员态度差"
    assert b"Turn into a rectification measure" in detail.content
    assert f'action="/rectification/from-case/{case.pk}/"'.encode() in detail.content


def test_without_a_checklist_the_manager_is_sent_to_add_one(en_client, hall_a, manager_a):
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)

    detail = en_client.get(reverse("complaints:detail", args=[case.pk]))

    assert b'id="spawn-no-checklist"' in detail.content
    assert b'id="submit-spawn"' not in detail.content


def test_a_manager_turns_a_case_into_a_measure(en_client, hall_a, manager_a, staff_a, checklists):
    case = receive(hall_a, manager_a)
    Measure.objects.create(
        checklist=checklists[0], order=4, title="已有措施", deadline=dt.date(2026, 12, 1)
    )
    login(en_client, manager_a)

    response = en_client.post(
        reverse("rectification:from-case", args=[case.pk]),
        spawn_data(checklists[0], responsible_person=staff_a.user.pk),
        follow=True,
    )

    measure = Measure.objects.get(complaint=case)
    assert response.redirect_chain == [(f"/complaints/{case.pk}/", 302)]
    assert (
        measure.checklist, measure.order, measure.title, measure.deadline,
        measure.responsible_person, measure.responsible_department, measure.status,
        measure.questionnaire_week,
    ) == (
        checklists[0], 5, "规范窗口服务用语", dt.date(2026, 12, 31), staff_a.user, None,
        Measure.Status.NOT_STARTED, None,
    )  # fmt: skip
    assert messages_of(response) == [
        "Measure “规范窗口服务用语” added to the checklist “投诉整改清单（四季度）”. "
        '<a class="alert-link" id="spawned-measure" '
        f'href="/rectification/measures/{measure.pk}/">'
        "Open the measure</a>"
    ]
    assert b'id="spawned-measure"' in response.content
    assert list(spawn_panel(response)["spawned"]) == [measure]
    assert (
        f'<li><a href="/rectification/measures/{measure.pk}/">规范窗口服务用语</a>'
        " · 投诉整改清单（四季度） · not started</li>"
    ) in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deadline": ""}, "Deadline: This field is required."),
        ({"title": "   "}, "Measure: This field is required."),
        ({"deadline": "2026-13-01"}, "Deadline: Enter a valid date."),
        (
            {"checklist": "other hall"},
            f"Checklist: {NOT_A_CHOICE}",
        ),
        (
            {"responsible_person": "manager_b"},
            f"Responsible person: {NOT_A_CHOICE}",
        ),
    ],
)
def test_a_bad_measure_form_shows_the_error_and_stores_nothing(
    en_client, hall_a, manager_a, manager_b, checklists, change, message
):
    case = receive(hall_a, manager_a)
    change = {
        name: {"other hall": checklists[2].pk, "manager_b": manager_b.pk}.get(value, value)
        for name, value in change.items()
    }
    login(en_client, manager_a)

    response = en_client.post(
        reverse("rectification:from-case", args=[case.pk]),
        spawn_data(checklists[0], **change),
        follow=True,
    )

    assert response.redirect_chain == [(f"/complaints/{case.pk}/", 302)]
    assert messages_of(response) == [message]
    assert Measure.objects.count() == 0


def test_a_refusal_of_the_service_comes_back_as_a_message(
    en_client, hall_a, manager_a, checklists, monkeypatch
):
    from django.core.exceptions import ValidationError

    from rectification import spawn_views as views

    def refuse(**kwargs):
        raise ValidationError("The case and the checklist belong to different halls.")

    monkeypatch.setattr(views, "measure_from_complaint", refuse)
    case = receive(hall_a, manager_a)
    login(en_client, manager_a)

    response = en_client.post(
        reverse("rectification:from-case", args=[case.pk]), spawn_data(checklists[0]), follow=True
    )

    assert messages_of(response) == ["The case and the checklist belong to different halls."]
    assert Measure.objects.count() == 0


def test_only_a_manager_of_the_cases_hall_turns_it_into_a_measure(
    en_client, hall_a, manager_a, manager_b, supervisor_a, staff_a, checklists
):
    case = receive(hall_a, manager_a)
    handled = receive(hall_a, manager_a)
    complaint_verify(complaint=handled, by=manager_a)
    complaint_assign(complaint=handled, by=manager_a, handler=staff_a.user)
    other_staff = StaffFactory(
        hall=hall_a, user=UserFactory(username="staff_x", role=roles.WINDOW_STAFF)
    )
    url = reverse("rectification:from-case", args=[case.pk])
    seen = {}

    for who, user, target in (
        ("supervisor", supervisor_a, case),
        ("handler", staff_a.user, handled),
        ("staff", other_staff.user, case),
        ("other hall", manager_b, case),
    ):
        login(en_client, user)
        detail = en_client.get(reverse("complaints:detail", args=[target.pk]))
        post = en_client.post(
            reverse("rectification:from-case", args=[target.pk]), spawn_data(checklists[0])
        )
        seen[who] = (detail.status_code, b'id="spawn-measure"' in detail.content, post.status_code)

    assert seen == {
        "supervisor": (200, False, 403),
        "handler": (200, False, 403),
        "staff": (403, False, 403),
        "other hall": (404, False, 404),
    }
    assert en_client.get(url).status_code == 405
    assert Measure.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ({"category": "attitude", "comment": "态度差"}, "Rectify case #{pk}: service attitude"),
        ({"comment": "窗口" * 30}, "Rectify case #{pk}: " + "窗口" * 19 + "窗…"),
        ({"comment": ""}, "Rectify case #{pk}: on site"),
    ],
)
def test_the_suggested_title_says_what_the_case_is_about(
    en_client, hall_a, manager_a, checklists, fields, title
):
    case = receive(hall_a, manager_a, **fields)
    login(en_client, manager_a)

    form = spawn_panel(en_client.get(reverse("complaints:detail", args=[case.pk])))["spawn_form"]

    assert form["title"].value() == title.format(pk=case.pk)
    assert form["checklist"].value() is None
    assert form.fields["checklist"].empty_label is None
