"""A database migrated on the pre-split main migrates forward with every row kept.

Complaints, rectification and the reminders' record left evaluations for the complaints,
rectification and reports apps (evaluations 0008, complaints 0001, rectification 0001,
reports 0004): state only, so the tables (evaluations_*) keep their rows, and the content
types are relabelled in place, so the permissions granted on them, the role groups and the
admin's history follow the models. The test migrates the database back to the pre-split
leaves, writes a realistic set of rows through the old state's models, migrates forward and
reads everything back through today's models.
"""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_celery_beat.models import PeriodicTask

from complaints.models import Complaint, DeadlineExtension, DeadlineRule, DutyAlert
from rectification.models import Inspection, Measure, RectificationChecklist
from reports.models import ReminderSent
from windows.roles import HALL_MANAGER, ROLE_PERMISSIONS

# The leaves of main before the split; complaints and rectification did not exist.
PRE_SPLIT = [
    ("windows", "0009_window_live_version"),
    ("evaluations", "0007_rating_historical"),
    ("reports", "0003_role_permissions"),
]
UNBORN = [("complaints", None), ("rectification", None)]
SPLIT_APPS = {"windows", "evaluations", "reports", "complaints", "rectification"}

# model name -> the app it moved to
MOVED = {
    "complaint": "complaints",
    "deadlinerule": "complaints",
    "deadlineextension": "complaints",
    "dutyalert": "complaints",
    "historicalcomplaint": "complaints",
    "rectificationchecklist": "rectification",
    "measure": "rectification",
    "historicalmeasure": "rectification",
    "inspection": "rectification",
    "remindersent": "reports",
}

# The moved tables (M2M tables included) and the rows the test writes in each.
MOVED_TABLE_ROWS = {
    "evaluations_complaint": 2,
    "evaluations_deadlinerule": 1,
    "evaluations_deadlineextension": 1,
    "evaluations_dutyalert": 1,
    "evaluations_historicalcomplaint": 3,
    "evaluations_rectificationchecklist": 1,
    "evaluations_measure": 2,
    "evaluations_historicalmeasure": 2,
    "evaluations_inspection": 1,
    "evaluations_inspection_best_windows": 2,
    "evaluations_inspection_worst_windows": 1,
    "evaluations_remindersent": 1,
}

OLD_TASK = ("evaluations: daily reminders", "evaluations.tasks.send_daily_reminders")
NEW_TASK = ("reports: daily reminders", "reports.tasks.send_daily_reminders")

UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def migrate(targets) -> MigrationExecutor:
    """Migrate to `targets`; a fresh executor, whose loader sees what is applied now."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def pre_split_nodes() -> list[tuple[str, str]]:
    """Today's leaves of the apps the split left alone, and the split apps' old leaves."""
    return [node for node in latest() if node[0] not in SPLIT_APPS] + PRE_SPLIT


def evaluations_tables() -> set[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return {table for table in tables if table.startswith("evaluations_")}


# The daily rollups (issue 13) are made and filled by later migrations: the stored visit
# (which has no items) gives one row of figures and no item row.
ROLLUP_ROWS = {"evaluations_dailyfigures": 1, "evaluations_dailyitemfigures": 0}


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(evaluations_tables()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def history_row(history_model, obj, **extra):
    """A simple-history row of `obj` as HistoricalRecords writes it (its fields + history_*)."""
    names = {field.attname for field in history_model._meta.concrete_fields}
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname in names
    }
    return history_model.objects.create(**values, **extra)


def in_old_apps(pairs):
    """The pre-split (app, codename) of today's pairs: the moved models were evaluations'."""
    return {
        ("evaluations" if app in ("complaints", "rectification") else app, codename)
        for app, codename in pairs
    }


def permissions_of(permission_model, pairs):
    found = {
        (app, codename): pk
        for pk, app, codename in permission_model.objects.filter(
            codename__in={codename for _app, codename in pairs}
        ).values_list("pk", "content_type__app_label", "codename")
        if (app, codename) in pairs
    }
    assert set(found) == set(pairs), set(pairs) - set(found)
    return set(found.values())


def write_pre_split_rows(apps) -> dict:
    """Rows in every moved table, written through the pre-split state's models."""
    model = apps.get_model
    user_model = model("auth", "User")
    manager = user_model.objects.create(username="split_manager", is_staff=True)
    clerk = user_model.objects.create(username="split_clerk")
    auditor = user_model.objects.create(username="split_auditor", is_staff=True)

    hall = model("windows", "Hall").objects.create(code="SPLIT", name="拆分大厅")
    department = model("windows", "Department").objects.create(hall=hall, name="社保科")
    windows = [
        model("windows", "Window").objects.create(hall=hall, number=number, department=department)
        for number in (1, 2, 3)
    ]
    item = model("windows", "ServiceItem").objects.create(code="SPLIT-01", name="社保转移")
    staff = model("windows", "Staff").objects.create(
        hall=hall, badge_no="S-001", display_name="张三", user=clerk, department=department
    )
    visit = model("windows", "Visit").objects.create(
        hall=hall,
        window=windows[0],
        staff=staff,
        ticket_no="A001",
        issued_at=at(6, 1),
        called_at=at(6, 1, 5),
        started_at=at(6, 1, 6),
        finished_at=at(6, 1, 20),
        service_date=dt.date(2024, 5, 6),
        status="completed",
        item_count=1,
    )
    rating = model("evaluations", "Rating").objects.create(
        visit=visit,
        level=2,
        rated_at=at(6, 1, 21),
        reasons=["attitude"],
        comment="态度不好",
        source="tablet",
    )

    complaint_model = model("evaluations", "Complaint")
    bad_review = complaint_model.objects.create(
        hall=hall,
        channel="bad_review",
        rating=rating,
        level=2,
        reasons=["attitude"],
        received_at=at(6, 1, 21),
        window=windows[0],
        staff=staff,
        service_item=item,
        comment="态度不好",
        callback_phone="13812345678",
        complainant_name="李四",
        category="attitude",
        status="in_progress",
        handler=manager,
        due_date=dt.date(2024, 5, 10),
        verification_note="属实",
    )
    work_order = complaint_model.objects.create(
        hall=hall,
        channel="work_order_12345",
        work_order_no="WO-2024-0001",
        received_at=at(7, 2),
        comment="等候时间过长",
        category="efficiency",
        status="closed",
        handler=manager,
        due_date=dt.date(2024, 5, 9),
        reply="已增开窗口",
        replied_at=at(8, 3),
        callback_result="satisfied",
        callback_at=at(8, 4),
        verdict="substantiated",
        closing_note="已整改",
        closed_at=at(8, 5),
        reopen_count=1,
        escalated=True,
    )
    model("evaluations", "DeadlineRule").objects.create(
        hall=hall, channel="hotline", step="received", working_days=2
    )
    model("evaluations", "DeadlineExtension").objects.create(
        complaint=bad_review,
        step="in_progress",
        working_days=3,
        reason="需调取录像",
        requested_at=at(7, 6),
        requested_by=clerk,
        status="approved",
        decided_by=manager,
        decided_at=at(7, 7),
    )
    model("evaluations", "DutyAlert").objects.create(
        complaint=bad_review, recipients=[manager.pk], sent_at=at(6, 2)
    )
    historical_complaint = model("evaluations", "HistoricalComplaint")
    history_row(historical_complaint, bad_review, history_date=at(6, 1, 22), history_type="+")
    history_row(
        historical_complaint,
        bad_review,
        history_date=at(7, 6),
        history_type="~",
        history_user=manager,
        history_change_reason="assigned",
    )
    history_row(historical_complaint, work_order, history_date=at(8, 5), history_type="~")

    checklist = model("evaluations", "RectificationChecklist").objects.create(
        hall=hall,
        title="五月整改清单",
        source="complaint",
        period_start=dt.date(2024, 5, 1),
        period_end=dt.date(2024, 5, 31),
    )
    measure_model = model("evaluations", "Measure")
    from_case = measure_model.objects.create(
        checklist=checklist,
        order=1,
        title="高峰时段增开窗口",
        deadline=dt.date(2024, 5, 20),
        status="in_progress",
        progress_pct=40,
        evidence_notes="排班表已调整",
        complaint=work_order,
        responsible_department=department,
        responsible_person=manager,
    )
    from_week = measure_model.objects.create(
        checklist=checklist,
        order=2,
        title="文明用语培训",
        deadline=dt.date(2024, 5, 25),
        status="verified",
        progress_pct=100,
        completed_on=dt.date(2024, 5, 24),
        verified_by=manager,
        verified_at=at(25, 8),
        questionnaire_week=dt.date(2024, 4, 29),
    )
    historical_measure = model("evaluations", "HistoricalMeasure")
    history_row(historical_measure, from_case, history_date=at(9, 1), history_type="+")
    history_row(
        historical_measure,
        from_week,
        history_date=at(25, 8),
        history_type="~",
        history_user=manager,
    )
    inspection = model("evaluations", "Inspection").objects.create(
        hall=hall, group_name="区督查组", visited_on=dt.date(2024, 5, 15), findings="秩序良好"
    )
    inspection.best_windows.set([windows[0], windows[1]])
    inspection.worst_windows.set([windows[2]])
    model("evaluations", "ReminderSent").objects.create(user=manager, day=dt.date(2024, 5, 8))

    # The admin's history of a case, on the case's content type.
    content_type_model = model("contenttypes", "ContentType")
    log_entry = model("admin", "LogEntry").objects.create(
        user=manager,
        content_type=content_type_model.objects.get(app_label="evaluations", model="complaint"),
        object_id=str(bad_review.pk),
        object_repr="bad review case",
        action_flag=2,
        change_message="[]",
    )

    # The hall manager's group as the pre-split role sync left it; a group of the
    # operators' own and a user's own permission, which no role sync rewrites.
    permission_model = model("auth", "Permission")
    group_model = model("auth", "Group")
    managers = group_model.objects.get_or_create(name=HALL_MANAGER)[0]
    manager_permissions = permissions_of(
        permission_model, in_old_apps(ROLE_PERMISSIONS[HALL_MANAGER])
    )
    managers.permissions.set(manager_permissions)
    manager.groups.add(managers)
    auditors = group_model.objects.create(name="split auditors")
    auditors.permissions.set(
        permissions_of(
            permission_model,
            {
                ("evaluations", "delete_complaint"),
                ("evaluations", "view_historicalmeasure"),
                ("evaluations", "view_remindersent"),
            },
        )
    )
    auditor.groups.add(auditors)
    auditor.user_permissions.set(
        permissions_of(permission_model, {("evaluations", "change_inspection")})
    )

    # The reminders' job as evaluations 0005 scheduled it, switched off by a manager.
    task_model = model("django_celery_beat", "PeriodicTask")
    task = task_model.objects.filter(name=OLD_TASK[0]).first()
    if task is None:
        crontab = model("django_celery_beat", "CrontabSchedule").objects.create(
            minute="30", hour="8", timezone="Asia/Shanghai"
        )
        task = task_model.objects.create(name=OLD_TASK[0], task=OLD_TASK[1], crontab=crontab)
    task.enabled = False
    task.save()

    def records(name, order="pk"):
        return list(model("evaluations", name).objects.order_by(order).values())

    return {
        "manager": manager.pk,
        "auditor": auditor.pk,
        "hall": hall.pk,
        "department": department.pk,
        "windows": [window.pk for window in windows],
        "staff": staff.pk,
        "item": item.pk,
        "rating": rating.pk,
        "bad_review": bad_review.pk,
        "work_order": work_order.pk,
        "from_case": from_case.pk,
        "from_week": from_week.pk,
        "inspection": inspection.pk,
        "log_entry": log_entry.pk,
        "task": task.pk,
        "manager_permissions": manager_permissions,
        "auditor_permissions": set(
            permission_model.objects.filter(group=auditors).values_list("pk", flat=True)
        )
        | set(auditor.user_permissions.values_list("pk", flat=True)),
        "content_types": dict(
            content_type_model.objects.filter(app_label="evaluations", model__in=MOVED).values_list(
                "model", "pk"
            )
        ),
        "records": {
            "complaint": records("Complaint"),
            "deadlinerule": records("DeadlineRule"),
            "deadlineextension": records("DeadlineExtension"),
            "dutyalert": records("DutyAlert"),
            "historicalcomplaint": records("HistoricalComplaint", "history_id"),
            "rectificationchecklist": records("RectificationChecklist"),
            "measure": records("Measure"),
            "historicalmeasure": records("HistoricalMeasure", "history_id"),
            "inspection": records("Inspection"),
            "remindersent": records("ReminderSent"),
            "best_windows": sorted(inspection.best_windows.values_list("pk", flat=True)),
            "worst_windows": sorted(inspection.worst_windows.values_list("pk", flat=True)),
        },
    }


def records_now(inspection_pk) -> dict:
    """The same records, read through today's models."""

    def records(model, order="pk"):
        return list(model.objects.order_by(order).values())

    inspection = Inspection.objects.get(pk=inspection_pk)
    return {
        "complaint": records(Complaint),
        "deadlinerule": records(DeadlineRule),
        "deadlineextension": records(DeadlineExtension),
        "dutyalert": records(DutyAlert),
        "historicalcomplaint": records(Complaint.history.model, "history_id"),
        "rectificationchecklist": records(RectificationChecklist),
        "measure": records(Measure),
        "historicalmeasure": records(Measure.history.model, "history_id"),
        "inspection": records(Inspection),
        "remindersent": records(ReminderSent),
        "best_windows": sorted(inspection.best_windows.values_list("pk", flat=True)),
        "worst_windows": sorted(inspection.worst_windows.values_list("pk", flat=True)),
    }


def moved_content_types() -> list[tuple[str, str, int]]:
    """(app_label, model, id) of every content type named like a moved model, twins too."""
    return sorted(
        ContentType.objects.filter(model__in=MOVED).values_list("app_label", "model", "pk")
    )


@pytest.mark.django_db(transaction=True)
def test_a_pre_split_database_migrates_forward_with_every_row_kept():
    try:
        executor = migrate(pre_split_nodes() + UNBORN)
        applied = executor.loader.applied_migrations
        pre_split_applied = set(applied)
        assert not [key for key in applied if key[0] in ("complaints", "rectification")]
        assert ("evaluations", "0008_cases_and_rectification_move_out") not in applied
        assert ("reports", "0004_reminders_moved_from_evaluations") not in applied
        old_apps = executor.loader.project_state(pre_split_nodes()).apps
        assert old_apps.get_model("evaluations", "Complaint")._meta.db_table == (
            "evaluations_complaint"
        )

        before = write_pre_split_rows(old_apps)
        counts_before = row_counts()
        assert {table: counts_before.get(table) for table in MOVED_TABLE_ROWS} == MOVED_TABLE_ROWS
        assert set(before["content_types"]) == set(MOVED)

        executor = migrate(latest())
        assert executor.migration_plan(latest()) == []

        # Every table is still there with every row; the only new tables are the daily
        # rollups (issue 13), filled from the stored visit (it has no items).
        assert row_counts() == {**counts_before, **ROLLUP_ROWS}
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert [t for t in tables if t.startswith(("complaints_", "rectification_"))] == []
        assert "evaluations_remindersent" in tables
        read_tables = {
            model._meta.db_table
            for model in (
                Complaint,
                Complaint.history.model,
                DeadlineRule,
                DeadlineExtension,
                DutyAlert,
                RectificationChecklist,
                Measure,
                Measure.history.model,
                Inspection,
                Inspection.best_windows.through,
                Inspection.worst_windows.through,
                ReminderSent,
            )
        }
        assert read_tables == set(MOVED_TABLE_ROWS)

        # The records read through today's models, field by field.
        now = records_now(before["inspection"])
        for name, rows in before["records"].items():
            # Columns later migrations added (a duty alert's claim) are left out.
            assert len(now[name]) == len(rows), name
            kept = [
                {field: row[field] for field in old} if isinstance(old, dict) else row
                for row, old in zip(now[name], rows, strict=True)
            ]
            assert kept == rows, name
        assert now["best_windows"] == before["windows"][:2]
        assert now["worst_windows"] == before["windows"][2:]

        bad_review = Complaint.objects.get(pk=before["bad_review"])
        assert (bad_review.hall_id, bad_review.rating_id, bad_review.handler_id) == (
            before["hall"],
            before["rating"],
            before["manager"],
        )
        assert (bad_review.window_id, bad_review.staff_id, bad_review.service_item_id) == (
            before["windows"][0],
            before["staff"],
            before["item"],
        )
        assert (bad_review.channel, bad_review.callback_phone, bad_review.reasons) == (
            "bad_review",
            "13812345678",
            ["attitude"],
        )
        assert (bad_review.received_at, bad_review.due_date) == (
            at(6, 1, 21),
            dt.date(2024, 5, 10),
        )
        assert bad_review.duty_alert.recipients == [before["manager"]]
        assert list(bad_review.extensions.values_list("reason", "working_days", "status")) == [
            ("需调取录像", 3, "approved")
        ]
        assert list(bad_review.history.values_list("history_type", flat=True)) == ["~", "+"]
        work_order = Complaint.objects.get(pk=before["work_order"])
        assert (work_order.work_order_no, work_order.verdict, work_order.closed_at) == (
            "WO-2024-0001",
            "substantiated",
            at(8, 5),
        )
        from_case = Measure.objects.get(pk=before["from_case"])
        assert (from_case.complaint_id, from_case.checklist.title) == (
            before["work_order"],
            "五月整改清单",
        )
        assert (from_case.responsible_department_id, from_case.progress_pct) == (
            before["department"],
            40,
        )
        assert list(work_order.measures.values_list("pk", flat=True)) == [before["from_case"]]
        from_week = Measure.objects.get(pk=before["from_week"])
        assert (from_week.questionnaire_week, from_week.verified_at) == (
            dt.date(2024, 4, 29),
            at(25, 8),
        )
        assert list(
            Measure.history.filter(id=before["from_week"]).values_list(
                "history_type", "history_user_id"
            )
        ) == [("~", before["manager"])]
        assert list(DeadlineRule.objects.values_list("hall_id", "channel", "step")) == [
            (before["hall"], "hotline", "received")
        ]
        assert list(ReminderSent.objects.values_list("user_id", "day")) == [
            (before["manager"], dt.date(2024, 5, 8))
        ]

        # The content types moved with their ids: permissions and the admin's history follow.
        ids = before["content_types"]
        moved_ids = sorted((app, model, ids[model]) for model, app in MOVED.items())
        assert moved_content_types() == moved_ids
        assert not ContentType.objects.filter(app_label="evaluations", model__in=MOVED).exists()
        assert ContentType.objects.get_for_model(Complaint).pk == ids["complaint"]
        assert ContentType.objects.get_for_model(Measure).pk == ids["measure"]
        assert ContentType.objects.get_for_model(ReminderSent).pk == ids["remindersent"]
        log_entry = LogEntry.objects.get(pk=before["log_entry"])
        assert log_entry.content_type_id == ids["complaint"]
        assert log_entry.get_edited_object() == bad_review

        # The groups and the user keep their grants, now under the new app labels.
        user_model = get_user_model()
        manager = user_model.objects.get(pk=before["manager"])
        assert (
            set(manager.groups.get(name=HALL_MANAGER).permissions.values_list("pk", flat=True))
            == before["manager_permissions"]
        )
        assert set(
            manager.groups.get(name=HALL_MANAGER).permissions.values_list(
                "content_type__app_label", "codename"
            )
        ) == set(ROLE_PERMISSIONS[HALL_MANAGER])
        assert manager.has_perm("complaints.change_complaint")
        assert manager.has_perm("complaints.add_deadlineextension")
        assert manager.has_perm("rectification.change_measure")
        assert manager.has_perm("rectification.delete_inspection")
        assert not manager.has_perm("evaluations.change_complaint")
        assert not manager.has_perm("complaints.delete_complaint")
        auditor = user_model.objects.get(pk=before["auditor"])
        auditor_permissions = {
            "complaints.delete_complaint",
            "rectification.view_historicalmeasure",
            "reports.view_remindersent",
            "rectification.change_inspection",
        }
        assert auditor.get_all_permissions() == auditor_permissions
        assert (
            set(auditor.groups.values_list("permissions", flat=True))
            | set(auditor.user_permissions.values_list("pk", flat=True))
        ) == before["auditor_permissions"]

        # The beat job is renamed, its schedule (switched off) kept.
        task = PeriodicTask.objects.get(pk=before["task"])
        assert (task.name, task.task, task.enabled) == (*NEW_TASK, False)
        assert not PeriodicTask.objects.filter(name=OLD_TASK[0]).exists()

        # Back to the pre-split state and forward again as an operator would, with
        # manage.py migrate (its post_migrate creates content types of the state it leaves,
        # so no twin of a moved one): the rows, ids and grants stay put both ways.
        call_command("migrate", "evaluations", "0007_rating_historical", verbosity=0)
        # (windows' own later migrations, unrelated to the split, go back to its old leaf)
        call_command("migrate", "windows", "0009_window_live_version", verbosity=0)
        executor = MigrationExecutor(connection)
        assert set(executor.loader.applied_migrations) == pre_split_applied
        assert row_counts() == counts_before
        old_apps = executor.loader.project_state(pre_split_nodes()).apps
        old_content_type = old_apps.get_model("contenttypes", "ContentType")
        assert sorted(
            old_content_type.objects.filter(model__in=MOVED).values_list("app_label", "model", "pk")
        ) == sorted(("evaluations", model, pk) for model, pk in ids.items())
        old_task = old_apps.get_model("django_celery_beat", "PeriodicTask")
        assert list(old_task.objects.filter(pk=before["task"]).values_list("name", "task")) == [
            OLD_TASK
        ]

        call_command("migrate", verbosity=0)
        ContentType.objects.clear_cache()
        assert MigrationExecutor(connection).migration_plan(latest()) == []
        assert row_counts() == {**counts_before, **ROLLUP_ROWS}
        assert moved_content_types() == moved_ids
        assert records_now(before["inspection"]) == now
        assert get_user_model().objects.get(pk=before["auditor"]).get_all_permissions() == (
            auditor_permissions
        )
        assert LogEntry.objects.get(pk=before["log_entry"]).get_edited_object() == bad_review
        task = PeriodicTask.objects.get(pk=before["task"])
        assert (task.name, task.task, task.enabled) == (*NEW_TASK, False)
    finally:
        migrate(latest())
        assert MigrationExecutor(connection).migration_plan(latest()) == []
