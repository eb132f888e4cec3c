"""The figures that had their own rounding now round with windows.rules.rounding (half up)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin

from rectification.admin import RectificationChecklistAdmin
from rectification.models import RectificationChecklist
from rectification.selectors import completion_rate_pct
from reports.workbooks.styles import fraction, minutes, whole


@pytest.mark.parametrize(
    ("finished", "total", "expected"),
    [(1, 160, 0.63), (1, 3, 33.33), (2, 3, 66.67), (13, 13, 100.0), (0, 0, None)],
)
def test_the_completion_rate_of_rectification(finished, total, expected):
    assert completion_rate_pct(finished=finished, total=total) == expected


@pytest.mark.parametrize(
    ("finished", "total", "shown"),
    [(1, 160, "0.63%"), (2, 3, "66.67%"), (0, 0, "—")],  # 0.625 showed as 0.62% before
)
def test_the_checklist_admin_shows_the_same_completion_rate(finished, total, shown):
    checklist_admin = RectificationChecklistAdmin(RectificationChecklist, admin.site)
    checklist = SimpleNamespace(finished_count=finished, measure_count=total)

    assert checklist_admin.completion_rate(checklist) == shown


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (whole, 833.5, 834),
        (whole, 2.5, 3),
        (minutes, 75, 1.3),  # 1.25 minutes; round() gave 1.2
        (minutes, 3, 0.1),  # 0.05 minutes
        (minutes, None, None),
        (fraction, 97.12, 0.9712),
        (fraction, None, None),
    ],
)
def test_the_workbooks_round_half_up(function, value, expected):
    assert function(value) == expected
