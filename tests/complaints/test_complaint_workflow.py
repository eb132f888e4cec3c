"""The case workflow: received → verified → assigned → in progress → replied → callback → closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from complaints.history_notes import case_note, note_text
from complaints.models import Channel, Complaint
from complaints.services import alerts
from complaints.services import complaints as services
from complaints.services.complaints import (
    ComplaintError,
    complaint_allowed_actions,
    complaint_assign,
    complaint_close,
    complaint_receive,
    complaint_record_callback,
    complaint_reply,
    complaint_start,
    complaint_verify,
)
from complaints.services.followups import followup_open
from evaluations.models import Rating
from evaluations.selectors import service_figures
from tests.windows.factories import (
    SHANGHAI,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import Visit
from windows.people import person_name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A Monday before National Day 2020; every step below starts on it.
TODAY = dt.date(2020, 9, 28)
RECEIVED_AT = dt.datetime(2020, 9, 28, 10, 0, tzinfo=SHANGHAI)
Status = Complaint.Status
Result = Complaint.CallbackResult

STATUS_ORDER = [
    Status.RECEIVED,
    Status.VERIFIED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.REPLIED,
    Status.CALLBACK_DONE,
    Status.CLOSED,
]
ACTION_FROM = {
    "verify": Status.RECEIVED,
    "assign": Status.VERIFIED,
    "start": Status.ASSIGNED,
    "reply": Status.IN_PROGRESS,
    "callback": Status.REPLIED,
    "close": Status.CALLBACK_DONE,
}
STATUS_LABEL = {
    "received": "received",
    "verified": "verified",
    "assigned": "assigned",
    "in_progress": "in progress",
    "replied": "replied",
    "callback_done": "callback done",
    "closed": "closed",
}
ACTION_WORD = {
    "verify": "verified",
    "assign": "assigned",
    "start": "started",
    "reply": "replied to",
    "callback": "given a callback result",
    "close": "closed",
}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(services, "_today", lambda complaint: TODAY)
    return TODAY


@pytest.fixture
def window_a(hall_a):
    return WindowFactory(hall=hall_a, number=3, name="3号窗口")


@pytest.fixture
def staff_a(hall_a):
    return StaffFactory(hall=hall_a, display_name="张三")


@pytest.fixture
def handler(staff_a):
    return staff_a.user


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def received_case(hall, by, **kwargs) -> Complaint:
    values = {
        "channel": Channel.ON_SITE,
        "received_at": RECEIVED_AT,
        "complainant_name": "李女士",
        "callback_phone": "138 1234 5678",
        "comment": "等了一个小时",
    }
    values.update(kwargs)
    return complaint_receive(hall=hall, by=by, **values)


def perform(action: str, case: Complaint, by, *, handler=None, result=Result.SATISFIED):
    if action == "verify":
        return complaint_verify(complaint=case, by=by, note="属实")
    if action == "assign":
        return complaint_assign(complaint=case, by=by, handler=handler)
    if action == "start":
        return complaint_start(complaint=case, by=by)
    if action == "reply":
        return complaint_reply(complaint=case, by=by, reply="已向您说明办理流程")
    if action == "callback":
        return complaint_record_callback(complaint=case, by=by, result=result)
    if action == "close":
        return complaint_close(
            complaint=case, by=by, verdict=Complaint.Verdict.SUBSTANTIATED, note="已批评教育"
        )
    raise AssertionError(action)


def advance(case: Complaint, to: str, *, by, handler) -> Complaint:
    """Carry the case step by step up to status `to`."""
    for action, step in ACTION_FROM.items():
        if STATUS_ORDER.index(step) >= STATUS_ORDER.index(to):
            break
        case = perform(action, case, by, handler=handler)
    assert case.status == to
    return case


def snapshot(case: Complaint) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.due_date,
        case.handler_id,
        case.reply,
        case.callback_result,
        case.reopen_count,
        case.escalated,
        case.verdict,
        case.history.count(),
    )


# ---- intake ----


def test_receiving_a_complaint_sets_the_first_deadline_and_records_who(hall_a, manager_a, window_a):
    staff = StaffFactory(hall=hall_a)
    item = ServiceItemFactory()

    case = received_case(
        hall_a,
        manager_a,
        window=window_a,
        staff=staff,
        service_item=item,
        category=Complaint.Category.EFFICIENCY,
    )

    case.refresh_from_db()
    assert (case.status, case.channel, case.due_date) == (
        Status.RECEIVED,
        Channel.ON_SITE,
        dt.date(2020, 9, 29),
    )
    assert (case.callback_phone, case.complainant_name) == ("13812345678", "李女士")
    assert (case.window, case.staff, case.service_item) == (window_a, staff, item)
    entry = case.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "+",
        manager_a,
        '{"note":"received"}',
    )


def test_a_12345_work_order_alerts_the_duty_leader(hall_a, manager_a, monkeypatch):
    alerted = []
    monkeypatch.setattr(alerts, "duty_alert_for", lambda *, complaint: alerted.append(complaint))

    order = received_case(hall_a, manager_a, channel=Channel.WORK_ORDER_12345, work_order_no="W1")
    received_case(hall_a, manager_a, channel=Channel.HOTLINE)

    assert alerted == [order]
    assert order.work_order_no == "W1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": Channel.WORK_ORDER_12345}, "A 12345 work order needs its work-order number."),
        (
            {"channel": Channel.WORK_ORDER_12345, "work_order_no": "  "},
            "A 12345 work order needs its work-order number.",
        ),
        (
            {"channel": Channel.BAD_REVIEW},
            "Bad reviews open their cases from the rating itself.",
        ),
        ({"channel": "fax"}, "Choose how the complaint arrived."),
        (
            {"callback_phone": "12ab"},
            "Enter a phone number of 7 to 15 digits (may start with +86).",
        ),
        ({"category": "rudeness"}, "Choose a category from the list."),
        (
            {"received_at": dt.datetime(2099, 1, 1, tzinfo=SHANGHAI)},
            "The time received cannot be in the future.",
        ),
        ({"comment": "长" * 2001}, "Keep it under 2000 characters."),
        ({"complainant_name": "李" * 51}, "Keep the complainant's name under 50 characters."),
        (
            {"channel": Channel.WORK_ORDER_12345, "work_order_no": "9" * 41},
            "Keep the work-order number under 40 characters.",
        ),
    ],
)
def test_bad_intake_is_refused_and_nothing_stored(english, hall_a, manager_a, kwargs, message):
    with pytest.raises(ComplaintError) as error:
        received_case(hall_a, manager_a, **kwargs)

    assert error.value.messages == [message]
    assert Complaint.objects.count() == 0


def test_a_window_or_staff_member_of_another_hall_is_refused(english, hall_a, hall_b, manager_a):
    with pytest.raises(ComplaintError) as window_error:
        received_case(hall_a, manager_a, window=WindowFactory(hall=hall_b))
    with pytest.raises(ComplaintError) as staff_error:
        received_case(hall_a, manager_a, staff=StaffFactory(hall=hall_b))

    assert window_error.value.messages == ["The window is not one of this hall's."]
    assert staff_error.value.messages == ["The staff member does not work in this hall."]
    assert Complaint.objects.count() == 0


def test_only_a_manager_of_the_hall_registers_complaints(
    english, hall_a, manager_b, supervisor_a, handler
):
    for user in (manager_b, supervisor_a, handler):
        with pytest.raises(ComplaintError) as error:
            received_case(hall_a, user)
        assert error.value.messages == ["You may not register complaints of this hall."]
    assert Complaint.objects.count() == 0


# ---- the transition matrix ----


@pytest.mark.parametrize("status", STATUS_ORDER)
@pytest.mark.parametrize("action", list(ACTION_FROM))
def test_each_step_only_from_the_one_before(english, hall_a, manager_a, handler, status, action):
    case = advance(received_case(hall_a, manager_a), status, by=manager_a, handler=handler)
    before = snapshot(case)

    if ACTION_FROM[action] == status:
        moved = perform(action, case, manager_a, handler=handler)
        following = STATUS_ORDER[STATUS_ORDER.index(status) + 1]
        assert moved.status == following
        assert Complaint.objects.get().status == following
        assert case.history.count() == before[-1] + 1
    else:
        with pytest.raises(ComplaintError) as error:
            perform(action, case, manager_a, handler=handler)
        assert error.value.messages == [
            f"This case is {STATUS_LABEL[status]}; it cannot be {ACTION_WORD[action]}."
        ]
        assert snapshot(case) == before


def test_a_stale_copy_of_the_case_cannot_repeat_a_step(english, hall_a, manager_a):
    case = received_case(hall_a, manager_a)
    stale = Complaint.objects.get(pk=case.pk)
    complaint_verify(complaint=case, by=manager_a)

    with pytest.raises(ComplaintError) as error:
        complaint_verify(complaint=stale, by=manager_a)

    assert error.value.messages == ["This case is verified; it cannot be verified."]
    assert Complaint.objects.get().history.count() == 2


def test_the_whole_way_with_history_and_deadlines(hall_a, manager_a, handler, today):
    case = received_case(hall_a, manager_a, channel=Channel.WORK_ORDER_12345, work_order_no="W9")
    due = {Status.RECEIVED: case.due_date}

    case = complaint_verify(complaint=case, by=manager_a, note="属实")
    due[case.status] = case.due_date
    case = complaint_assign(complaint=case, by=manager_a, handler=handler)
    due[case.status] = case.due_date
    case = complaint_start(complaint=case, by=handler)
    due[case.status] = case.due_date
    case = complaint_reply(complaint=case, by=handler, reply="已解决")
    due[case.status] = case.due_date
    case = complaint_record_callback(complaint=case, by=manager_a, result=Result.SATISFIED)
    due[case.status] = case.due_date
    case = complaint_close(complaint=case, by=manager_a, verdict=Complaint.Verdict.SUBSTANTIATED)

    case.refresh_from_db()
    assert (case.status, case.verdict, case.callback_result, case.handler) == (
        Status.CLOSED,
        "substantiated",
        "satisfied",
        handler,
    )
    assert (case.verification_note, case.reply) == ("属实", "已解决")
    assert case.replied_at is not None and case.callback_at is not None
    assert case.closed_at is not None
    # Every step started on Monday 28 September 2020: 1 working day is the 29th, the
    # 12345 order's 8 working days run past National Day (1-8 October off, Saturday 10
    # October worked): 29, 30 September, 9, 10, 12, 13, 14, 15 October.
    assert due == {
        Status.RECEIVED: dt.date(2020, 9, 29),
        Status.VERIFIED: dt.date(2020, 9, 29),
        Status.ASSIGNED: dt.date(2020, 9, 29),
        Status.IN_PROGRESS: dt.date(2020, 10, 15),
        Status.REPLIED: dt.date(2020, 9, 29),
        Status.CALLBACK_DONE: dt.date(2020, 9, 29),
    }
    entries = list(case.history.order_by("history_date", "history_id"))
    assert [
        (e.status, e.history_user, e.history_change_reason, e.history_type) for e in entries
    ] == [
        ("received", manager_a, case_note("received"), "+"),
        ("verified", manager_a, case_note("verified"), "~"),
        ("assigned", manager_a, case_note("assigned", handler=handler.pk), "~"),
        ("in_progress", handler, case_note("started"), "~"),
        ("replied", handler, case_note("replied"), "~"),
        ("callback_done", manager_a, case_note("callback", result="satisfied"), "~"),
        ("closed", manager_a, case_note("closed", verdict="substantiated"), "~"),
    ]
    with translation.override("en"):
        assert [note_text(e.history_change_reason) for e in entries] == [
            "received",
            "verified",
            f"assigned to {person_name(handler)}",
            "started",
            "replied",
            "callback: satisfied",
            "closed: substantiated",
        ]
    changes = entries[1].diff_against(entries[0]).changes
    assert [(c.field, c.old, c.new) for c in changes if c.field == "status"] == [
        ("status", "received", "verified")
    ]


# ---- verification and excluded ratings ----


def rated_visit(hall, level: int, *, phone: str = "") -> Visit:
    visit = VisitFactory(hall=hall, window=WindowFactory(hall=hall))
    rating = Rating.objects.create(
        visit=visit,
        level=level,
        rated_at=RECEIVED_AT,
        source=Rating.Source.IMPORT,
        reasons=["attitude"] if level < Rating.GOOD_FROM else [],
        callback_phone=phone,
    )
    followup_open(rating=rating)
    return visit


def test_a_malicious_rating_is_excluded_and_the_satisfaction_rate_is_right(hall_a, manager_a):
    for level in (5, 5, 4):
        rated_visit(hall_a, level)
    bad = rated_visit(hall_a, 1)
    assert service_figures(Visit.objects.filter(hall=hall_a)).satisfaction_rate_pct == 75.0

    complaint_verify(
        complaint=bad.rating.complaint,
        by=manager_a,
        exclude_rating=Rating.Exclusion.MALICIOUS,
        exclusion_note="同一号码一天内差评十次",
    )

    figures = service_figures(Visit.objects.filter(hall=hall_a))
    assert (figures.rated, figures.good, figures.bad, figures.excluded) == (4, 3, 0, 1)
    assert figures.satisfaction_rate_pct == 100.0
    bad.rating.refresh_from_db()
    assert (bad.rating.excluded, bad.rating.exclusion_note, bad.rating.level) == (
        "malicious",
        "同一号码一天内差评十次",
        1,
    )
    case = Complaint.objects.get(rating=bad.rating)
    stored = case.history.latest().history_change_reason
    assert stored == '{"note":"verified_rating_excluded","why":"malicious"}'
    with translation.override("en"):
        assert note_text(stored) == "verified, rating excluded (malicious rating)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exclude_rating": "spam", "exclusion_note": "x"}, "Choose why the rating is excluded."),
        ({"exclude_rating": "malicious"}, "Say why the rating is excluded."),
        (
            {"exclude_rating": "malicious", "exclusion_note": "  "},
            "Say why the rating is excluded.",
        ),
        ({"exclusion_note": "恶意"}, "Choose why the rating is excluded."),
    ],
)
def test_a_bad_exclusion_is_refused_and_nothing_changes(
    english, hall_a, manager_a, kwargs, message
):
    visit = rated_visit(hall_a, 1)
    case = visit.rating.complaint
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_verify(complaint=case, by=manager_a, **kwargs)

    assert error.value.messages == [message]
    assert snapshot(case) == before
    visit.rating.refresh_from_db()
    assert (visit.rating.excluded, visit.rating.exclusion_note) == ("", "")


def test_a_case_without_a_rating_cannot_exclude_one(english, hall_a, manager_a):
    case = received_case(hall_a, manager_a)
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_verify(
            complaint=case, by=manager_a, exclude_rating="mistaken", exclusion_note="x"
        )

    assert error.value.messages == ["Only a case opened from a rating can exclude it."]
    assert snapshot(case) == before


# ---- assigning ----


def test_a_manager_of_the_hall_can_be_the_handler(hall_a, manager_a):
    deputy = make_manager(hall_a, "deputy_a")
    case = complaint_verify(complaint=received_case(hall_a, manager_a), by=manager_a)

    case = complaint_assign(complaint=case, by=manager_a, handler=deputy)

    assert Complaint.objects.get().handler == deputy


@pytest.mark.parametrize("who", ["other_hall_staff", "other_hall_manager", "inactive", "nobody"])
def test_a_handler_outside_the_hall_is_refused(english, hall_a, hall_b, manager_a, staff_a, who):
    handler = {
        "other_hall_staff": lambda: StaffFactory(hall=hall_b).user,
        "other_hall_manager": lambda: make_manager(hall_b, "manager_b"),
        "inactive": lambda: UserFactory(username="gone", is_active=False),
        "nobody": lambda: UserFactory(username="nobody"),
    }[who]()
    if who == "inactive":
        StaffFactory(hall=hall_a, user=handler)
    case = complaint_verify(complaint=received_case(hall_a, manager_a), by=manager_a)
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_assign(complaint=case, by=manager_a, handler=handler)

    assert error.value.messages == ["The handler must be a manager or a staff member of this hall."]
    assert snapshot(case) == before


def test_assigning_needs_a_handler(english, hall_a, manager_a):
    case = complaint_verify(complaint=received_case(hall_a, manager_a), by=manager_a)
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_assign(complaint=case, by=manager_a, handler=None)

    assert error.value.messages == ["Choose who handles the case."]
    assert snapshot(case) == before


# ---- who may do what ----


def test_the_handler_starts_and_replies_but_does_not_verify_or_close(
    english, hall_a, manager_a, handler
):
    case = advance(received_case(hall_a, manager_a), Status.ASSIGNED, by=manager_a, handler=handler)

    case = complaint_start(complaint=case, by=handler)
    case = complaint_reply(complaint=case, by=handler, reply="已处理")
    with pytest.raises(ComplaintError) as error:
        complaint_record_callback(complaint=case, by=handler, result=Result.SATISFIED)

    assert error.value.messages == ["You may not do this with this case."]
    assert Complaint.objects.get().status == Status.REPLIED


@pytest.mark.parametrize("status", STATUS_ORDER[:-1])
def test_supervisors_and_other_halls_cannot_move_a_case(
    english, hall_a, manager_a, manager_b, supervisor_a, handler, status
):
    case = advance(received_case(hall_a, manager_a), status, by=manager_a, handler=handler)
    action = next(a for a, step in ACTION_FROM.items() if step == status)
    before = snapshot(case)

    for user in (supervisor_a, manager_b, StaffFactory(hall=hall_a).user):
        with pytest.raises(ComplaintError) as error:
            perform(action, case, user, handler=handler)
        assert error.value.messages == ["You may not do this with this case."]
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("status", "manager", "handler_actions"),
    [
        (Status.RECEIVED, ["verify", "request_extension"], []),
        (Status.VERIFIED, ["assign", "request_extension"], []),
        (Status.ASSIGNED, ["start", "request_extension"], ["start", "request_extension"]),
        (Status.IN_PROGRESS, ["reply", "request_extension"], ["reply", "request_extension"]),
        (Status.REPLIED, ["callback", "request_extension"], ["request_extension"]),
        (Status.CALLBACK_DONE, ["close", "request_extension"], ["request_extension"]),
        (Status.CLOSED, ["erase"], []),
    ],
)
def test_allowed_actions_per_role(
    hall_a, manager_a, manager_b, supervisor_a, handler, status, manager, handler_actions
):
    case = advance(received_case(hall_a, manager_a), status, by=manager_a, handler=handler)

    assert complaint_allowed_actions(complaint=case, user=manager_a) == manager
    assert complaint_allowed_actions(complaint=case, user=handler) == handler_actions
    assert complaint_allowed_actions(complaint=case, user=supervisor_a) == []
    assert complaint_allowed_actions(complaint=case, user=manager_b) == []


def test_allowed_actions_after_the_deadline_and_with_a_pending_extension(
    hall_a, manager_a, handler, monkeypatch
):
    case = advance(received_case(hall_a, manager_a), Status.ASSIGNED, by=manager_a, handler=handler)
    services.extension_request(complaint=case, by=handler, working_days=2, reason="材料未齐")

    assert complaint_allowed_actions(complaint=case, user=manager_a) == [
        "start",
        "decide_extension",
    ]
    assert complaint_allowed_actions(complaint=case, user=handler) == ["start"]

    monkeypatch.setattr(services, "_today", lambda complaint: dt.date(2020, 9, 30))
    case.extensions.update(status="rejected")
    assert complaint_allowed_actions(complaint=case, user=handler) == ["start"]


def test_no_actions_after_erasing_personal_data(hall_a, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.CLOSED, by=manager_a, handler=handler)
    services.complaint_erase_personal_data(complaint=case, by=manager_a)

    assert complaint_allowed_actions(complaint=case, user=manager_a) == []


# ---- reply, callback, close ----


@pytest.mark.parametrize("reply", ["", "   "])
def test_a_reply_needs_text(english, hall_a, manager_a, handler, reply):
    case = advance(
        received_case(hall_a, manager_a), Status.IN_PROGRESS, by=manager_a, handler=handler
    )
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_reply(complaint=case, by=handler, reply=reply)

    assert error.value.messages == ["Write the reply to the complainant."]
    assert snapshot(case) == before


def test_not_satisfied_reopens_once_then_escalates(hall_a, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.REPLIED, by=manager_a, handler=handler)

    case = complaint_record_callback(
        complaint=case, by=manager_a, result=Result.NOT_SATISFIED, note="仍不满意"
    )
    assert (case.status, case.reopen_count, case.escalated, case.due_date) == (
        Status.IN_PROGRESS,
        1,
        False,
        dt.date(2020, 10, 9),  # 3 working days after 28 September, past National Day
    )
    case = complaint_reply(complaint=case, by=handler, reply="再次说明")
    case = complaint_record_callback(complaint=case, by=manager_a, result=Result.NOT_SATISFIED)

    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.escalated, case.callback_result) == (
        Status.CALLBACK_DONE,
        1,
        True,
        "not_satisfied",
    )
    assert case.history.latest().history_change_reason == case_note("callback_escalated")
    case = complaint_close(complaint=case, by=manager_a, verdict=Complaint.Verdict.UNSUBSTANTIATED)
    assert Complaint.objects.get().status == Status.CLOSED


def test_an_unreachable_complainant_counts_as_a_callback_with_a_note(hall_a, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.REPLIED, by=manager_a, handler=handler)

    case = complaint_record_callback(
        complaint=case, by=manager_a, result=Result.UNREACHABLE, note="三次来电无人接听"
    )

    case.refresh_from_db()
    assert (case.status, case.callback_result, case.callback_note, case.reopen_count) == (
        Status.CALLBACK_DONE,
        "unreachable",
        "三次来电无人接听",
        0,
    )


@pytest.mark.parametrize(
    ("result", "note", "message"),
    [
        (Result.UNREACHABLE, "", "Say when and how the complainant was tried."),
        ("", "", "Choose the result of the callback."),
        ("happy", "", "Choose the result of the callback."),
    ],
)
def test_a_bad_callback_is_refused(english, hall_a, manager_a, handler, result, note, message):
    case = advance(received_case(hall_a, manager_a), Status.REPLIED, by=manager_a, handler=handler)
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_record_callback(complaint=case, by=manager_a, result=result, note=note)

    assert error.value.messages == [message]
    assert snapshot(case) == before


@pytest.mark.parametrize("verdict", ["", "maybe"])
def test_closing_needs_a_verdict(english, hall_a, manager_a, handler, verdict):
    case = advance(
        received_case(hall_a, manager_a), Status.CALLBACK_DONE, by=manager_a, handler=handler
    )
    before = snapshot(case)

    with pytest.raises(ComplaintError) as error:
        complaint_close(complaint=case, by=manager_a, verdict=verdict)

    assert error.value.messages == ["Choose whether the complaint was substantiated."]
    assert snapshot(case) == before


def test_closing_needs_the_callback_first(english, hall_a, manager_a, handler):
    case = advance(received_case(hall_a, manager_a), Status.REPLIED, by=manager_a, handler=handler)

    with pytest.raises(ComplaintError) as error:
        complaint_close(complaint=case, by=manager_a, verdict=Complaint.Verdict.SUBSTANTIATED)

    assert error.value.messages == ["This case is replied; it cannot be closed."]
    assert Complaint.objects.get().status == Status.REPLIED
