"""Rectification measures: the update rules, progress and overdue figures, spawning."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.models import Complaint
from demo.rectification import seed_rectification
from evaluations.models import QuestionnaireResponse
from evaluations.services.surveys import questionnaire_create_default
from rectification.models import Measure, RectificationChecklist
from rectification.selectors import (
    checklist_progress,
    days_overdue,
    hall_rectification,
)
from rectification.services import (
    checklist_create,
    measure_from_complaint,
    measure_from_questionnaire_week,
    measure_update,
)
from tests.windows.factories import (
    SHANGHAI,
    DepartmentFactory,
    StaffFactory,
    make_manager,
)
from windows import roles

pytestmark = pytest.mark.django_db

S = Measure.Status
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def checklist(hall_a):
    return RectificationChecklist.objects.create(
        hall=hall_a,
        title="满意度提升13项工作措施完成进度清单",
        source=RectificationChecklist.Source.QUESTIONNAIRE,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 12, 31),
    )


def add_measure(checklist, title="标画一米线", *, deadline=dt.date(2026, 11, 30), **fields):
    order = checklist.measures.count() + 1
    return Measure.objects.create(
        checklist=checklist, order=order, title=title, deadline=deadline, **fields
    )


@pytest.fixture
def measure(checklist):
    return add_measure(checklist)


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def snapshot(measure):
    measure = Measure.objects.get(pk=measure.pk)
    return (
        measure.status,
        measure.progress_pct,
        measure.evidence_notes,
        measure.completed_on,
        measure.verified_by_id,
        measure.verified_at,
        measure.history.count(),
    )


# --- measure_update: allowed -------------------------------------------------------------


def test_progress_on_a_measure_not_started_puts_it_in_progress(measure, manager_a):
    updated = measure_update(measure=measure, by=manager_a, progress_pct=40, evidence_notes="照片")

    assert (updated.status, updated.progress_pct, updated.evidence_notes) == (
        S.IN_PROGRESS,
        40,
        "照片",
    )
    assert updated.completed_on is None
    assert updated.history.count() == 2


def test_done_means_100_percent_and_records_the_day(measure, manager_a):
    updated = measure_update(measure=measure, by=manager_a, status=S.DONE)

    assert (updated.status, updated.progress_pct) == (S.DONE, 100)
    assert updated.completed_on == timezone.localdate()
    assert updated.verified_by is None


def test_a_manager_verifies_a_done_measure(measure, manager_a):
    measure_update(measure=measure, by=manager_a, status=S.DONE)

    updated = measure_update(measure=measure, by=manager_a, status=S.VERIFIED)

    assert (updated.status, updated.progress_pct, updated.verified_by) == (
        S.VERIFIED,
        100,
        manager_a,
    )
    assert updated.verified_at is not None
    assert updated.completed_on == timezone.localdate()


def test_the_responsible_person_may_report_progress(measure, hall_a):
    staff = StaffFactory(hall=hall_a)
    Measure.objects.filter(pk=measure.pk).update(responsible_person=staff.user)

    updated = measure_update(measure=measure, by=staff.user, status=S.DONE)

    assert updated.status == S.DONE


def test_a_done_measure_reopened_loses_its_completion_day(measure, manager_a):
    measure_update(measure=measure, by=manager_a, status=S.DONE)

    updated = measure_update(measure=measure, by=manager_a, status=S.IN_PROGRESS, progress_pct=90)

    assert (updated.status, updated.progress_pct, updated.completed_on) == (
        S.IN_PROGRESS,
        90,
        None,
    )


# --- measure_update: refused, nothing changed --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"progress_pct": 101}, "Progress must be a whole number from 0 to 100."),
        ({"progress_pct": -1}, "Progress must be a whole number from 0 to 100."),
        ({"progress_pct": 50.5}, "Progress must be a whole number from 0 to 100."),
        ({"status": "finished"}, "Unknown status."),
        ({"status": S.DONE, "progress_pct": 90}, "A done measure is 100% complete."),
        (
            {"status": S.NOT_STARTED, "progress_pct": 10},
            "A measure not started has no progress yet.",
        ),
        (
            {"status": S.IN_PROGRESS, "progress_pct": 100},
            "A measure at 100% is done: set its status to done.",
        ),
        ({"status": S.VERIFIED}, "Only a done measure can be verified."),
    ],
)
def test_a_bad_update_is_refused_and_nothing_changes(measure, manager_a, english, changes, message):
    before = snapshot(measure)

    with pytest.raises(ValidationError) as error:
        measure_update(measure=measure, by=manager_a, evidence_notes="不应保存", **changes)

    assert error.value.messages == [message]
    assert snapshot(measure) == before


@pytest.mark.parametrize("role", [roles.SUPERVISOR, None])
def test_only_a_manager_verifies(measure, manager_a, hall_a, english, role):
    staff = StaffFactory(hall=hall_a)
    Measure.objects.filter(pk=measure.pk).update(responsible_person=staff.user)
    measure_update(measure=measure, by=manager_a, status=S.DONE)
    user = make_manager(hall_a, "supervisor_a", role=role) if role else staff.user
    if role:
        Measure.objects.filter(pk=measure.pk).update(responsible_person=None)
    before = snapshot(measure)

    with pytest.raises(ValidationError) as error:
        measure_update(measure=measure, by=user, status=S.VERIFIED)

    expected = (
        "Only a manager of this hall or the responsible person may update a measure."
        if role
        else "Only a manager of this hall may do this."
    )
    assert error.value.messages == [expected]
    assert snapshot(measure) == before


def test_another_halls_manager_may_not_update(measure, manager_b, english):
    before = snapshot(measure)

    with pytest.raises(ValidationError) as error:
        measure_update(measure=measure, by=manager_b, progress_pct=10)

    assert error.value.messages == [
        "Only a manager of this hall or the responsible person may update a measure."
    ]
    assert snapshot(measure) == before


@pytest.mark.parametrize(
    "changes",
    [{"status": S.DONE}, {"status": S.IN_PROGRESS, "progress_pct": 50}, {"evidence_notes": "改"}],
)
def test_a_verified_measure_never_goes_back(measure, manager_a, english, changes):
    measure_update(measure=measure, by=manager_a, status=S.DONE)
    measure_update(measure=measure, by=manager_a, status=S.VERIFIED)
    before = snapshot(measure)

    with pytest.raises(ValidationError) as error:
        measure_update(measure=measure, by=manager_a, **changes)

    assert error.value.messages == ["A verified measure cannot be changed."]
    assert snapshot(measure) == before


# --- progress and overdue ------------------------------------------------------------------


@pytest.fixture
def mixed_checklist(checklist):
    """7 measures: 2 verified, 1 done (3 finished), 2 in progress, 2 not started.

    Overdue on 2026-11-25: the in-progress one due 11-20 (5 days), the not-started one
    due 11-24 (1 day); one due today is not overdue; finished ones never are.
    """
    add_measure(
        checklist,
        "公开服务事项",
        status=S.VERIFIED,
        progress_pct=100,
        deadline=dt.date(2026, 10, 1),
        completed_on=dt.date(2026, 9, 30),
    )
    add_measure(
        checklist,
        "标画一米线",
        status=S.VERIFIED,
        progress_pct=100,
        deadline=dt.date(2026, 10, 1),
        completed_on=dt.date(2026, 10, 4),
    )
    add_measure(
        checklist,
        "放大设备标识",
        status=S.DONE,
        progress_pct=100,
        deadline=dt.date(2026, 11, 1),
        completed_on=dt.date(2026, 11, 1),
    )
    add_measure(
        checklist,
        "增加柜面提醒",
        status=S.IN_PROGRESS,
        progress_pct=60,
        deadline=dt.date(2026, 11, 20),
    )
    add_measure(checklist, "挂牌上岗", status=S.IN_PROGRESS, progress_pct=30, deadline=TODAY)
    add_measure(checklist, "着装统一", deadline=dt.date(2026, 11, 24))
    add_measure(checklist, "增加引导人员", deadline=dt.date(2026, 12, 31))
    return checklist


def test_checklist_progress_counts_and_completion_rate(mixed_checklist):
    progress = checklist_progress(checklist=mixed_checklist, today=TODAY)

    assert (progress.total, progress.done, progress.verified) == (7, 1, 2)
    assert (progress.in_progress, progress.not_started) == (2, 2)
    assert progress.completion_rate_pct == 42.86


def test_overdue_measures_with_their_days(mixed_checklist):
    progress = checklist_progress(checklist=mixed_checklist, today=TODAY)

    assert [(o.measure.title, o.days_overdue) for o in progress.overdue] == [
        ("增加柜面提醒", 5),
        ("着装统一", 1),
    ]


def test_days_overdue_of_a_finished_measure_count_to_its_completion(mixed_checklist):
    measures = {m.title: m for m in mixed_checklist.measures.all()}

    assert days_overdue(measure=measures["公开服务事项"], today=TODAY) == 0
    assert days_overdue(measure=measures["标画一米线"], today=TODAY) == 3
    assert days_overdue(measure=measures["增加柜面提醒"], today=TODAY) == 5
    assert days_overdue(measure=measures["增加引导人员"], today=TODAY) == 0


def test_an_empty_checklist_has_no_completion_rate(checklist):
    progress = checklist_progress(checklist=checklist, today=TODAY)

    assert (progress.total, progress.completion_rate_pct, progress.overdue) == (0, None, [])


def test_hall_rectification_lists_only_the_halls_checklists(mixed_checklist, hall_b):
    other = RectificationChecklist.objects.create(
        hall=hall_b,
        title="乙",
        source="complaint",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
    )
    add_measure(other, "乙措施", deadline=dt.date(2026, 1, 31))
    rows = hall_rectification(hall=mixed_checklist.hall, today=TODAY)

    assert [(row.checklist, row.total, row.completion_rate_pct) for row in rows] == [
        (mixed_checklist, 7, 42.86)
    ]


def test_the_demo_checklist_has_13_measures_10_finished(hall_a):
    DepartmentFactory(hall=hall_a, name="社保管理中心")

    created = seed_rectification(hall=hall_a, today=TODAY)
    again = seed_rectification(hall=hall_a, today=TODAY)

    (row,) = hall_rectification(hall=hall_a, today=TODAY)
    assert (created, again) == (14, 0)
    assert (row.total, row.verified, row.done, row.in_progress) == (13, 8, 2, 3)
    assert row.completion_rate_pct == 76.92
    assert [(o.measure.title, o.days_overdue) for o in row.overdue] == [
        ("完善一次性告知材料清单", 5)
    ]


# --- spawning measures ----------------------------------------------------------------------


def make_case(hall):
    return Complaint.objects.create(
        hall=hall,
        channel="hotline",
        received_at=dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI),
        due_date=dt.date(2026, 11, 3),
        comment="窗口前排队拥挤",
    )


def test_a_case_spawns_a_linked_measure_at_the_end(checklist, measure, manager_a, hall_a):
    case = make_case(hall_a)
    department = DepartmentFactory(hall=hall_a)

    spawned = measure_from_complaint(
        complaint=case,
        checklist=checklist,
        title=" 增加引导人员 ",
        deadline=dt.date(2026, 12, 10),
        by=manager_a,
        responsible_department=department,
    )

    assert (spawned.title, spawned.order, spawned.complaint, spawned.status) == (
        "增加引导人员",
        2,
        case,
        S.NOT_STARTED,
    )
    assert spawned.responsible_department == department
    assert list(case.measures.all()) == [spawned]


@pytest.mark.parametrize("who", ["supervisor", "manager_b", "other_case", "other_department"])
def test_spawning_from_a_case_is_refused(checklist, manager_a, hall_a, hall_b, english, who):
    case = make_case(hall_b if who == "other_case" else hall_a)
    user = {
        "supervisor": lambda: make_manager(hall_a, "sup", role=roles.SUPERVISOR),
        "manager_b": lambda: make_manager(hall_b, "mb"),
    }.get(who, lambda: manager_a)()
    department = DepartmentFactory(hall=hall_b) if who == "other_department" else None

    with pytest.raises(ValidationError) as error:
        measure_from_complaint(
            complaint=case,
            checklist=checklist,
            title="增加引导人员",
            deadline=dt.date(2026, 12, 10),
            by=user,
            responsible_department=department,
        )

    assert error.value.messages == [
        {
            "supervisor": "Only a manager of this hall may do this.",
            "manager_b": "Only a manager of this hall may do this.",
            "other_case": "The case and the checklist belong to different halls.",
            "other_department": "The responsible department belongs to another hall.",
        }[who]
    ]
    assert Measure.objects.count() == 0


def test_a_questionnaire_week_spawns_a_measure_linked_to_its_monday(checklist, manager_a, hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    QuestionnaireResponse.objects.create(
        hall=hall_a,
        questionnaire=questionnaire,
        week_start=dt.date(2026, 11, 16),
        submitted_at=dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI),
    )

    spawned = measure_from_questionnaire_week(
        hall=hall_a,
        week_start=dt.date(2026, 11, 19),
        checklist=checklist,
        title="完善一次性告知材料清单",
        deadline=dt.date(2026, 12, 15),
        by=manager_a,
    )

    assert (spawned.questionnaire_week, spawned.order, spawned.complaint) == (
        dt.date(2026, 11, 16),
        1,
        None,
    )


def test_a_week_without_responses_spawns_nothing(checklist, manager_a, hall_a, english):
    with pytest.raises(ValidationError) as error:
        measure_from_questionnaire_week(
            hall=hall_a,
            week_start=dt.date(2026, 11, 16),
            checklist=checklist,
            title="完善一次性告知材料清单",
            deadline=dt.date(2026, 12, 15),
            by=manager_a,
        )

    assert error.value.messages == ["The hall has no questionnaire responses in that week."]
    assert Measure.objects.count() == 0


def test_a_week_of_another_hall_spawns_nothing(checklist, manager_a, hall_b, english):
    with pytest.raises(ValidationError) as error:
        measure_from_questionnaire_week(
            hall=hall_b,
            week_start=dt.date(2026, 11, 16),
            checklist=checklist,
            title="x",
            deadline=dt.date(2026, 12, 15),
            by=manager_a,
        )

    assert error.value.messages == [
        "The questionnaire week and the checklist belong to different halls."
    ]
    assert Measure.objects.count() == 0


def test_checklist_create_by_a_manager_only(hall_a, manager_a, supervisor_a, english):
    created = checklist_create(
        hall=hall_a,
        title="明察暗访整改",
        source="inspection",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 12, 31),
        by=manager_a,
    )

    with pytest.raises(ValidationError):
        checklist_create(
            hall=hall_a,
            title="x",
            source="inspection",
            period_start=dt.date(2026, 11, 1),
            period_end=dt.date(2026, 12, 31),
            by=supervisor_a,
        )
    with pytest.raises(ValidationError):
        checklist_create(
            hall=hall_a,
            title="x",
            source="inspection",
            period_start=dt.date(2026, 12, 1),
            period_end=dt.date(2026, 11, 1),
            by=manager_a,
        )
    assert list(RectificationChecklist.objects.all()) == [created]
