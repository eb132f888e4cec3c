"""An import's outcome in the admin's colours (issue 12 item 4): every row rejected is an
error (red), some rejected a warning (amber), none a success (green ✓), on the upload page,
its message and a background job's page."""

import pytest
from django.contrib import messages
from django.urls import reverse

from tests.windows.test_admin_import_export import CSV_HEADER, post_import, upload
from windows.admin.imports import import_outcome
from windows.models import ImportJob, Window

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ALL_REJECTED = f"{CSV_HEADER}\nHA,甲大厅,6,六号,社保通办,,XX999\nHA,甲大厅,7,,后院,,\n"
SOME_REJECTED = f"{CSV_HEADER}\nHA,甲大厅,5,五号,社保通办,,\nHA,甲大厅,7,,后院,,\n"
CLEAN = f"{CSV_HEADER}\nHA,甲大厅,5,五号,社保通办,,\n"


def outcome_box(html: str) -> str:
    return html.split('id="import-outcome"')[1].split("</ul>")[0]


def levels(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("imported", "unchanged", "rejected", "outcome"),
    [(0, 0, 2, "error"), (1, 0, 2, "warning"), (0, 1, 1, "warning"), (2, 0, 0, "success"),
     (0, 3, 0, "success"), (0, 0, 0, "success")],
)  # fmt: skip
def test_the_outcome_of_the_counts(imported, unchanged, rejected, outcome):
    assert import_outcome(imported=imported, unchanged=unchanged, rejected=rejected) == outcome


def test_a_fully_rejected_upload_is_an_error(client, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("windows.csv", ALL_REJECTED))

    assert response.status_code == 200
    assert 'data-outcome="error"><li class="error">' in outcome_box(response.content.decode())
    assert levels(response) == [
        (messages.ERROR, "Nothing was imported: every row was rejected (imported 0, unchanged 0, "
         "rejected 2)."),
    ]  # fmt: skip
    assert Window.objects.count() == 0


def test_a_partly_rejected_upload_is_a_warning(client, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("windows.csv", SOME_REJECTED))

    assert 'data-outcome="warning"><li class="warning">' in outcome_box(response.content.decode())
    assert levels(response) == [
        (messages.WARNING, "Windows imported with rejected rows: imported 1, unchanged 0, "
         "rejected 1."),
    ]  # fmt: skip


def test_a_clean_upload_is_a_success(client, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("windows.csv", CLEAN), dry_run=True)
    stored = post_import(client, upload("windows.csv", CLEAN), dry_run=False)

    assert 'data-outcome="success"><li class="success">' in outcome_box(response.content.decode())
    assert levels(response) == [
        (messages.INFO, "Dry run, nothing was stored: imported 1, unchanged 0, rejected 0."),
    ]
    assert stored.status_code == 302
    listing = client.get(stored.url)
    assert levels(listing) == [
        (messages.SUCCESS, "Windows imported: imported 1, unchanged 0, rejected 0."),
    ]


def test_a_fully_rejected_dry_run_is_an_error_too(client, manager_a, hall_a):
    client.force_login(manager_a)

    response = post_import(client, upload("windows.csv", ALL_REJECTED), dry_run=True)

    assert 'data-outcome="error"' in outcome_box(response.content.decode())
    assert [level for level, _text in levels(response)] == [messages.ERROR]


@pytest.mark.parametrize(
    ("summary", "rejected", "outcome"),
    [
        ("imported 0, unchanged 0, rejected 18325", 18325, "error"),
        ("imported 2, unchanged 0, rejected 208", 208, "warning"),
        ("imported 0, unchanged 300000, rejected 0", 0, "success"),
    ],
)
def test_a_jobs_page_shows_its_outcome(client, manager_a, summary, rejected, outcome):
    job = ImportJob.objects.create(
        kind="windows", user=manager_a, filename="big.csv", status="done",
        summary=summary, rejected=rejected,
    )  # fmt: skip
    client.force_login(manager_a)

    html = client.get(reverse("admin:windows_window_import_job", args=[job.pk])).content.decode()

    assert f'data-outcome="{outcome}"><li class="{outcome}">' in outcome_box(html)
