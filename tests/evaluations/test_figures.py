import datetime as dt

import pytest
from django.db.models import Count

from evaluations import rules
from evaluations.models import Rating
from evaluations.selectors import service_figures
from tests.windows.factories import HallFactory, VisitFactory
from windows.models import Visit
from windows.rules.rounding import percent

pytestmark = pytest.mark.django_db


def rate(visit, level):
    Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.IMPORT
    )


def test_figures_of_a_small_day_by_hand():
    hall = HallFactory()
    day = dt.date(2020, 9, 28)
    three_items = VisitFactory(hall=hall, service_date=day, item_count=3)
    rate(three_items, 5)
    rate(VisitFactory(hall=hall, service_date=day), 2)
    VisitFactory(hall=hall, service_date=day)  # completed, not rated
    VisitFactory(hall=hall, service_date=day, status=Visit.Status.NO_SHOW, finished_at=None)
    VisitFactory(hall=hall, service_date=day, status=Visit.Status.TRANSFERRED, finished_at=None)

    figures = service_figures(Visit.objects.filter(hall=hall))

    assert (figures.visits, figures.items, figures.rated, figures.good, figures.bad) == (
        3,
        5,
        2,
        1,
        1,
    )
    assert (figures.transferred, figures.no_shows) == (1, 1)
    assert figures.evaluation_rate_pct == 66.67
    assert figures.satisfaction_rate_pct == 50.0


def test_a_day_with_only_no_shows_has_no_rates():
    hall = HallFactory()
    VisitFactory(hall=hall, status=Visit.Status.NO_SHOW, finished_at=None)

    figures = service_figures(Visit.objects.filter(hall=hall))

    assert (figures.visits, figures.items, figures.no_shows) == (0, 0, 1)
    assert (figures.evaluation_rate_pct, figures.satisfaction_rate_pct) == (None, None)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, 33.33), (2, 3, 66.67), (1, 8, 12.5), (1, 800, 0.13), (5, 5, 100.0), (0, 0, None)],
)
def test_percentages_round_half_up_to_two_decimals(part, whole, expected):
    assert percent(part, whole) == expected


def test_a_rating_judged_malicious_stays_rated_but_leaves_the_satisfaction_rate():
    hall = HallFactory()
    rate(VisitFactory(hall=hall), 5)
    rate(VisitFactory(hall=hall), 4)
    rate(VisitFactory(hall=hall), 1)
    Rating.objects.filter(level=1).update(excluded=Rating.Exclusion.MALICIOUS)

    figures = service_figures(Visit.objects.filter(hall=hall))

    assert (figures.rated, figures.good, figures.bad, figures.excluded) == (3, 2, 0, 1)
    assert figures.evaluation_rate_pct == 100.0
    assert figures.satisfaction_rate_pct == 100.0


def rated_hall_with_exclusions():
    """Levels 5, 4, 3, 2, 1, 1 and an unrated visit; one 1 judged malicious, the 4 mistaken."""
    hall = HallFactory()
    for level in (5, 4, 3, 2, 1, 1):
        rate(VisitFactory(hall=hall), level)
    VisitFactory(hall=hall)
    malicious = Rating.objects.filter(visit__hall=hall, level=1).first()
    malicious.excluded = Rating.Exclusion.MALICIOUS
    malicious.save()
    Rating.objects.filter(visit__hall=hall, level=4).update(excluded=Rating.Exclusion.MISTAKEN)
    return hall


def test_rating_classes_an_excluded_rating_is_rated_but_neither_good_nor_bad():
    hall = rated_hall_with_exclusions()
    ratings = Rating.objects.for_hall(hall)

    assert ratings.count() == 6
    assert (ratings.good().count(), ratings.bad().count(), ratings.excluded().count()) == (2, 2, 2)
    assert sorted(ratings.bad().values_list("level", flat=True)) == [1, 2]
    assert sorted(ratings.excluded().values_list("excluded", flat=True)) == [
        Rating.Exclusion.MALICIOUS,
        Rating.Exclusion.MISTAKEN,
    ]


def test_rating_classes_read_the_same_through_visits_and_in_the_figures():
    hall = rated_hall_with_exclusions()
    visits = Visit.objects.filter(hall=hall)

    through_visits = visits.aggregate(
        **{
            name: Count("pk", filter=q("rating__"))
            for name, q in (
                ("rated", rules.rated_q),
                ("good", rules.good_q),
                ("bad", rules.bad_q),
                ("excluded", rules.excluded_q),
            )
        }
    )
    figures = service_figures(visits)

    assert through_visits == {"rated": 6, "good": 2, "bad": 2, "excluded": 2}
    assert (figures.visits, figures.rated, figures.good, figures.bad, figures.excluded) == (
        7,
        6,
        2,
        2,
        2,
    )
    assert figures.evaluation_rate_pct == 85.71  # 6 / 7
    assert figures.satisfaction_rate_pct == 50.0  # 2 / (6 - 2)


@pytest.mark.parametrize(
    ("level", "excluded", "expected"),
    [
        (5, "", "good"),
        (3, "", "good"),
        (2, "", "bad"),
        (1, "", "bad"),
        (1, Rating.Exclusion.MALICIOUS, "excluded"),
        (4, Rating.Exclusion.MISTAKEN, "excluded"),
    ],
)
def test_the_class_of_one_rating(level, excluded, expected):
    assert rules.rating_class(level=level, excluded=excluded) == expected
