"""The demo hall at the scale and in the shape of the source's hall (demo.volume, demo.visits).

The source (../shared/seed) handled 834 items a business day in 2020 (1,075 in 2019), peak
1,404 on 10 August 2020, September 18% below August, the medical windows +140% in November
and 42% more in December, the evaluation rate from 59.55% to 98.25%; contracts.md §3's
example of the same hall has a satisfaction rate of 99.61% and the general windows at 81.5%.
"""

from collections import Counter
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import translation

from demo import volume
from demo.seed import seed_demo
from demo.visits import DayPlan, _demo_windows, seed_visits
from evaluations.models import Rating
from windows.models import Hall, Visit

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")


def test_every_year_averages_the_target_with_the_source_s_peak():
    seed_demo(today=date(2026, 9, 28))  # the hall and its windows, no visits
    hall = Hall.objects.get(code="LH01")
    desks = Counter(window.desk for window in _demo_windows(hall))

    for year, peak in ((2025, date(2025, 8, 11)), (2026, date(2026, 8, 10))):
        expected = volume.YearVolume(hall=hall, year=year, desks=desks)
        items = {day: sum(by_desk.values()) for day, by_desk in expected.items.items()}
        assert round(sum(items.values()) / len(items), 6) == volume.ITEMS_PER_DAY == 830
        assert expected.peak_day == peak
        assert round(items[peak], 1) == round(830 * 1404 / 834, 1) == 1397.3
        assert max(items, key=items.get) == peak


def test_today_has_only_the_visits_finished_and_the_ratings_made_by_now():
    seed_demo(today=date(2026, 9, 28))
    hall = Hall.objects.get(code="LH01")
    now = datetime(2026, 9, 28, 10, 30, tzinfo=ZONE)

    created = seed_visits(hall=hall, start=now.date(), today=now.date(), now=now)

    visits = Visit.objects.filter(hall=hall)
    assert created == visits.count() == 206  # a Monday until 10:30
    assert visits.filter(Q(started_at__gt=now) | Q(finished_at__gt=now)).count() == 0
    assert Rating.objects.filter(rated_at__gt=now).count() == 0
    assert visits.filter(status=Visit.Status.IN_SERVICE).count() == 0


def test_the_same_day_draws_the_same_visits():
    seed_demo(today=date(2026, 9, 28))
    hall = Hall.objects.get(code="LH01")
    windows = _demo_windows(hall)
    plan = DayPlan(
        hall=hall,
        windows=windows,
        staff={},
        volume=volume.Volume(hall=hall, desks=Counter(w.desk for w in windows)),
        since=date(2026, 1, 1),
        scale=1.0,
    )

    first, again = plan.rows(date(2026, 9, 28)), plan.rows(date(2026, 9, 28))

    assert first == again
    assert len(first) == 798  # Monday 28 September 2026
    assert first != plan.rows(date(2026, 9, 29))


def run_seed(*args: str) -> list[str]:
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", *args, stdout=out, no_color=True)
    return out.getvalue().splitlines()


def test_a_smaller_scale_loads_a_fraction_of_the_visits():
    lines = run_seed("--today", "2026-09-28", "--visits-since", "2026-09-21", "--scale", "0.1")

    # At the default scale the same five business days have 3,136 visits.
    assert lines[-2] == "Visits from 2026-09-21 to 2026-09-28: created 314, 0 already present."


@pytest.mark.parametrize("value", ["0", "-1", "5.5", "abc", "nan", ""])
def test_a_bad_scale_is_refused_and_nothing_is_stored(value):
    with pytest.raises(CommandError) as error:
        run_seed("--today", "2026-09-28", "--scale", value)

    assert str(error.value) == (f"--scale: {value} is not a number above 0 and at most 5.")
    assert Hall.objects.count() == 0
