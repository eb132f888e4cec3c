"""halls_ranked: each hall's figures from the daily rollups, best first (satisfaction
rate, then evaluation rate, then items), and the rebuild command's refusals."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from evaluations.models import Rating
from evaluations.selectors.rollups import halls_ranked
from tests.reports import make_visit
from tests.windows.factories import HallFactory, WindowFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)


def hall_with(code: str, *levels, unrated: int = 0, items: int = 1, day=DAY):
    hall = HallFactory(code=code)
    window = WindowFactory(hall=hall)
    for level in levels:
        make_visit(hall, window, day, level=level, items=items)
    for _ in range(unrated):
        make_visit(hall, window, day, items=items)
    return hall


def test_halls_are_ranked_by_satisfaction_then_evaluation_rate_then_items():
    best = hall_with("H1", 5, 5)  # 100 % satisfied, 100 % rated
    rated_less = hall_with("H2", 5, 5, unrated=1)  # 100 %, 66.67 % rated
    more_items = hall_with("H3", 5, 5, unrated=1, items=3)  # as H2, more items
    worse = hall_with("H4", 5, 1)  # 50 %
    silent = hall_with("H5", unrated=2)  # no rating: no satisfaction rate
    empty = HallFactory(code="H6")  # no visit in the period
    elsewhere = hall_with("H7", 5, day=DAY + dt.timedelta(days=1))  # after the period

    ranked = halls_ranked(
        hall_ids=[h.pk for h in (empty, worse, silent, rated_less, more_items, best, elsewhere)],
        start=DAY,
        end=DAY,
    )

    assert [(h.rank, h.hall_id) for h in ranked] == [
        (1, best.pk),
        (2, more_items.pk),
        (3, rated_less.pk),
        (4, worse.pk),
        (5, silent.pk),
        (6, empty.pk),
        (7, elsewhere.pk),
    ]
    top, second, *_rest, last = ranked
    assert (top.figures.visits, top.figures.items, top.figures.rated, top.figures.good) == (
        2,
        2,
        2,
        2,
    )
    assert (top.satisfaction_rate_pct, top.evaluation_rate_pct) == (100.0, 100.0)
    assert (second.figures.items, second.evaluation_rate_pct) == (9, 66.67)
    assert (ranked[3].figures.bad, ranked[3].satisfaction_rate_pct) == (1, 50.0)
    assert ranked[4].satisfaction_rate_pct is None
    assert (last.figures.visits, last.evaluation_rate_pct, last.avg_wait_seconds) == (0, None, None)
    # make_visit: 12 minutes of waiting, 8 of service
    assert (top.avg_wait_seconds, top.avg_service_seconds) == (720.0, 480.0)


def test_an_excluded_rating_leaves_the_satisfaction_rate():
    hall = HallFactory(code="H1")
    window = WindowFactory(hall=hall)
    make_visit(hall, window, DAY, level=5)
    make_visit(hall, window, DAY, level=1, excluded=Rating.Exclusion.MALICIOUS)

    (ranked,) = halls_ranked(hall_ids=[hall.pk], start=DAY, end=DAY)

    assert (ranked.figures.rated, ranked.figures.excluded, ranked.figures.bad) == (2, 1, 0)
    assert ranked.satisfaction_rate_pct == 100.0


def test_one_grouped_query(django_assert_num_queries):
    halls = [hall_with(f"H{n}", 5) for n in range(3)]
    with django_assert_num_queries(1):
        halls_ranked(hall_ids=[h.pk for h in halls], start=DAY, end=DAY)


def rebuild(*args: str) -> str:
    out = io.StringIO()
    call_command("rebuild_rollups", *args, stdout=out)
    return out.getvalue()


def test_the_rebuild_command_over_a_range_of_one_hall():
    hall_with("H1", 5, 4)
    hall_with("H2", 5, day=DAY + dt.timedelta(days=3))

    assert rebuild("--hall", "H1", "--from", "2025-03-01", "--to", "2025-03-31") == (
        "rollup rows: 1 (items: 0)\n"
    )
    assert rebuild("--from", "2025-03-05") == "rollup rows: 1 (items: 0)\n"
    assert rebuild() == "rollup rows: 2 (items: 0)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hall", "NOPE"], "Unknown hall: NOPE"),
        (["--from", "2025-13-01"], "Bad date 2025-13-01: use YYYY-MM-DD."),
        (["--to", "yesterday"], "Bad date yesterday: use YYYY-MM-DD."),
        (["--from", "2025-03-02", "--to", "2025-03-01"], "--from must not be after --to."),
    ],
)
def test_the_rebuild_command_refuses_bad_input(english, args, message):
    with pytest.raises(CommandError) as refused:
        rebuild(*args)
    assert str(refused.value) == message
