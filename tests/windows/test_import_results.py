"""An import's summary and notes: the contract's English line on the command line and in
the API, the viewer's language on the pages (also for a job stored in another language)."""

import pytest
from django.urls import reverse
from django.utils import translation

from windows.importing.results import (
    ImportResult,
    display_summary,
    note_text,
)
from windows.models import ImportJob


def test_the_summary_is_the_contracts_line_in_every_language():
    result = ImportResult(imported=0, unchanged=23, rejected=0)

    with translation.override("zh-hans"):
        assert result.summary == "imported 0, unchanged 23, rejected 0"


def test_the_displayed_summary_says_the_same_counts_in_english():
    result = ImportResult(imported=4, unchanged=23, rejected=1)

    with translation.override("en"):
        assert result.summary_display == "imported 4, unchanged 23, rejected 1"


def test_the_displayed_summary_is_chinese_in_chinese():
    result = ImportResult(imported=4, unchanged=23, rejected=1)

    with translation.override("zh-hans"):
        assert result.summary_display == "导入 4 条，未变 23 条，拒绝 1 条"


def test_a_stored_summary_is_shown_in_the_viewers_language_and_anything_else_as_it_is():
    with translation.override("en"):
        assert display_summary("imported 2, unchanged 0, rejected 208") == (
            "imported 2, unchanged 0, rejected 208"
        )
        assert display_summary("") == ""
        assert display_summary("something else") == "something else"


def test_the_notes_list_what_was_created_then_the_historical_bad_reviews():
    result = ImportResult(historical_bad=2)
    result.count_created("staff", 3)
    result.count_created("windows")
    result.count_created("windows")

    assert result.note_codes == [
        {"note": "created", "kind": "windows", "count": 2},
        {"note": "created", "kind": "staff", "count": 3},
        {"note": "historical_bad", "count": 2},
    ]
    with translation.override("en"):
        assert result.notes == [
            "windows created: 2",
            "staff cards created (without a login): 3",
            "historical bad reviews (deadline passed, no follow-up case): 2",
        ]


def test_nothing_to_say_is_no_note():
    assert ImportResult(imported=3).notes == []


def test_an_unknown_kind_of_created_record_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown kind of created record: 'visits'"):
        ImportResult().count_created("visits")


def test_a_note_stored_as_text_by_an_older_job_is_shown_as_it_is():
    assert note_text("历史差评（回访期限已过，未开立回访工单）：2") == (
        "历史差评（回访期限已过，未开立回访工单）：2"
    )


@pytest.mark.django_db
def test_a_jobs_page_shows_its_notes_and_summary_in_the_viewers_language(
    client, manager_a, english
):
    job = ImportJob.objects.create(
        kind="windows",
        user=manager_a,
        filename="w.csv",
        status=ImportJob.Status.DONE,
        language="zh-hans",  # imported in Chinese, looked at in English
        summary="imported 2, unchanged 0, rejected 0",
        notes=[{"note": "created", "kind": "service_items", "count": 2}],
    )
    client.force_login(manager_a)

    html = client.get(reverse("admin:windows_window_import_job", args=[job.pk])).content.decode()

    assert '<p class="import-note">service items created: 2</p>' in html
    assert '<p class="import-summary">imported 2, unchanged 0, rejected 0</p>' in html
