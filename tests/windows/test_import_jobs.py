"""A big upload is imported by a Celery job whose page follows it: queued, rows read, and
the same result the upload page shows; one's own jobs only; a redelivered task does nothing."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.imports.test_import_visits import HEADER
from tests.windows.factories import ServiceItemFactory, make_manager
from windows import roles
from windows.importing.jobs import import_job_create, import_job_run
from windows.importing.progress import rows_reported_to
from windows.importing.tabular import Column, read_rows
from windows.models import ImportJob, Visit, Window

WINDOWS_HEADER = "大厅编码,大厅名称,窗口号,窗口名称,片区,进驻部门,业务编码\n"


@pytest.fixture
def small_threshold(settings, tmp_path):
    settings.IMPORT_IN_BACKGROUND_FROM = 100  # bytes: every test upload here is "big"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def csv_upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def windows_csv(rows: int, *, bad_code_from: int = 10**6) -> str:
    return WINDOWS_HEADER + "".join(
        f"HA,甲大厅,{n},窗口{n},社保通办,,{'XX9' if n >= bad_code_from else 'SB001'}\n"
        for n in range(1, rows + 1)
    )


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "imports"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_a_big_windows_upload_runs_as_a_job_and_its_page_shows_the_result(
    client, manager_a, hall_a, small_threshold, django_capture_on_commit_callbacks, english
):
    ServiceItemFactory(code="SB001")
    client.force_login(manager_a)
    content = windows_csv(210, bad_code_from=3)  # rows 4..211 rejected: 208 rejected

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:windows_window_import"), {"file": csv_upload("big.csv", content)}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:windows_window_import_job", args=[job.pk])
    assert (job.kind, job.user, job.filename, job.status) == (
        "windows",
        manager_a,
        "big.csv",
        "done",
    )
    assert (job.summary, job.rejected, len(job.errors)) == (
        "imported 2, unchanged 0, rejected 208",
        208,
        200,
    )
    assert job.errors[0] == [4, "unknown service code XX9"]
    assert Window.objects.filter(hall=hall_a).count() == 2
    assert stored_files(small_threshold) == []  # the upload is deleted once read

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<p class="import-summary">imported 2, unchanged 0, rejected 208</p>' in html
    assert html.count("<td>unknown service code XX9</td>") == 200
    assert "And 8 more rejected rows, not listed here" in html
    assert 'http-equiv="refresh"' not in html  # finished: the page stops reloading


@pytest.mark.django_db
def test_a_big_visits_upload_runs_the_visits_import_as_a_job(
    client, manager_a, configured_hall, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    rows = "".join(
        f"HA,A{n:03d},2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,1,B001,S001,"
        "completed,,\n"
        for n in range(1, 6)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:windows_visit_import"), {"file": csv_upload("v.csv", HEADER + rows)}
        )

    job = ImportJob.objects.get()
    assert response.url == reverse("admin:windows_visit_import_job", args=[job.pk])
    assert (job.kind, job.status, job.summary) == (
        "visits",
        "done",
        "imported 5, unchanged 0, rejected 0",
    )
    assert Visit.objects.filter(hall=configured_hall).count() == 5


@pytest.mark.django_db
def test_a_queued_and_a_running_job_page_reload_and_say_how_far(
    client, manager_a, small_threshold, monkeypatch, english
):
    client.force_login(manager_a)
    job = ImportJob.objects.create(kind="windows", user=manager_a, filename="w.csv")
    url = reverse("admin:windows_window_import_job", args=[job.pk])

    queued = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in queued
    assert 'id="import-job-queued"' in queued

    ImportJob.objects.filter(pk=job.pk).update(status="running", task_id="t-1")
    monkeypatch.setattr("windows.admin.imports.job_rows_read", lambda job: 3000)
    running = client.get(url).content.decode()
    assert "Importing: 3000 rows read so far." in running
    assert '<meta http-equiv="refresh" content="3">' in running


@pytest.mark.django_db
def test_only_the_uploader_sees_a_job_and_only_with_the_import_permissions(
    client, manager_a, hall_a, hall_b
):
    supervisor_a = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    job = ImportJob.objects.create(kind="windows", user=manager_a, filename="w.csv")
    url = reverse("admin:windows_window_import_job", args=[job.pk])
    seen = {}
    for who, user in (
        ("other manager of the hall", make_manager(hall_a, "manager_a2")),
        ("other hall's manager", make_manager(hall_b, "manager_b2")),
        ("supervisor", supervisor_a),
        ("uploader", manager_a),
    ):
        client.force_login(user)
        seen[who] = client.get(url).status_code
    client.logout()
    seen["anonymous"] = client.get(url).status_code

    assert seen == {
        "other manager of the hall": 404,
        "other hall's manager": 404,
        "supervisor": 403,
        "uploader": 200,
        "anonymous": 302,
    }
    # a visits job is not reachable through the windows page either
    visits_job = ImportJob.objects.create(kind="visits", user=manager_a, filename="v.csv")
    client.force_login(manager_a)
    wrong_page = reverse("admin:windows_window_import_job", args=[visits_job.pk])
    assert client.get(wrong_page).status_code == 404


@pytest.mark.django_db
def test_a_redelivered_task_finds_the_job_claimed_and_imports_nothing_twice(
    manager_a, hall_a, small_threshold, django_capture_on_commit_callbacks
):
    ServiceItemFactory(code="SB001")
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            kind="windows",
            upload=csv_upload("w.csv", windows_csv(3)),
            options={"create_missing": False, "dry_run": False},
            user=manager_a,
        )

    assert import_job_run(job.pk, task_id="first") is True
    assert import_job_run(job.pk, task_id="again") is False

    job.refresh_from_db()
    assert (job.status, job.task_id, job.summary) == (
        "done",
        "first",
        "imported 3, unchanged 0, rejected 0",
    )


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_runs_again_once_stale(
    manager_a, hall_a, small_threshold, django_capture_on_commit_callbacks
):
    ServiceItemFactory(code="SB001")
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            kind="windows",
            upload=csv_upload("w.csv", windows_csv(2)),
            options={"create_missing": False, "dry_run": False},
            user=manager_a,
        )
    limit = small_threshold.CELERY_TASK_TIME_LIMIT
    recently = timezone.now() - timedelta(seconds=limit)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=recently)
    assert import_job_run(job.pk, task_id="redelivered") is False  # maybe still alive

    long_ago = timezone.now() - timedelta(seconds=limit + 61)
    ImportJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    assert import_job_run(job.pk, task_id="redelivered") is True

    job.refresh_from_db()
    assert (job.status, job.summary) == ("done", "imported 2, unchanged 0, rejected 0")


@pytest.mark.django_db
def test_an_unusable_file_ends_the_job_as_failed_with_the_reason_in_the_uploaders_language(
    manager_a, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind="windows",
            upload=csv_upload("w.csv", "no,such,columns\n" + "x,y,z\n" * 50),
            options={"create_missing": False, "dry_run": False},
            user=manager_a,
        )

    job.refresh_from_db()
    assert (job.status, job.language) == ("failed", "zh-hans")
    assert job.file_error.startswith("缺少必填列：")
    assert stored_files(small_threshold) == []


def test_the_reader_reports_every_thousand_rows_to_the_jobs_reporter():
    content = ("code\n" + "x\n" * 2500).encode()
    reported = []

    with rows_reported_to(reported.append):
        rows = list(read_rows(io.BytesIO(content), "r.csv", [Column("code", "编码", True)]))

    assert len(rows) == 2500
    assert reported == [1000, 2000]  # spreadsheet rows: the header is row 1


def test_without_a_job_nothing_is_reported():
    content = ("code\n" + "x\n" * 1500).encode()
    assert (
        len(list(read_rows(io.BytesIO(content), "r.csv", [Column("code", "编码", True)]))) == 1500
    )


@pytest.mark.django_db
def test_a_small_upload_is_still_imported_in_the_request(client, manager_a, hall_a, settings):
    settings.IMPORT_IN_BACKGROUND_FROM = 10**6
    ServiceItemFactory(code="SB001")
    client.force_login(manager_a)

    response = client.post(
        reverse("admin:windows_window_import"), {"file": csv_upload("w.csv", windows_csv(2))}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:windows_window_changelist")
    assert ImportJob.objects.count() == 0
