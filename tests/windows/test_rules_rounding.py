"""windows.rules.rounding: every figure rounds half up (四舍五入), never to even, never down."""

from __future__ import annotations

from decimal import Decimal

import pytest

from windows.rules.rounding import percent, percent_text, ratio, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.675, 2, 2.68),  # round() gives 2.67 (the float is 2.67499...)
        (0.125, 2, 0.13),  # round() gives 0.12 (to even)
        (0.135, 2, 0.14),
        (Decimal("99.995"), 2, 100.0),
        (Decimal("99.994999"), 2, 99.99),
        (2.5, 0, 3.0),  # round() gives 2
        (833.75, 1, 833.8),
        (-1.005, 2, -1.01),  # half away from zero for falls, too
        (None, 2, None),
    ],
)
def test_round_half_up_at_the_boundaries(value, places, expected):
    assert round_half_up(value, places) == expected


@pytest.mark.parametrize(
    ("part", "whole", "places", "expected"),
    [
        (1, 32, 2, 3.13),  # 3.125 %
        (1, 160, 2, 0.63),  # 0.625 %
        (3, 160, 2, 1.88),  # 1.875 %
        (1, 3, 2, 33.33),
        (2, 3, 2, 66.67),
        (199, 200, 2, 99.5),
        (1, 16, 1, 6.3),  # 6.25 % with 1 decimal (a share of items)
        (-1, 32, 2, -3.13),  # a change that fell
        (5, 0, 2, None),
    ],
)
def test_percent_half_up(part, whole, places, expected):
    assert percent(part, whole, places) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(16675, 20, 833.8), (8335, 10, 833.5), (75, 60, 1.3), (1, 0, None)],
)
def test_ratio_half_up_to_one_decimal(part, whole, expected):
    assert ratio(part, whole) == expected


@pytest.mark.parametrize(
    ("pct", "expected"),
    [(100.0, "100.00%"), (100, "100.00%"), (97.1, "97.10%"), (66.665, "66.67%"), (None, "—")],
)
def test_a_percentage_is_written_one_way(pct, expected):
    """Bulletin, results, console and dashboard pages all write a rate so (issue 12)."""
    assert percent_text(pct) == expected


@pytest.mark.parametrize(("value", "expected"), [(97.1, "97.10%"), (None, "—"), ("", "—")])
def test_the_percent_filter_writes_a_missing_figure_as_a_dash(value, expected):
    from windows.templatetags.figures import percent as percent_filter

    assert percent_filter(value) == expected
