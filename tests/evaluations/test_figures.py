import datetime as dt

import pytest

from evaluations.models import Rating
from evaluations.selectors import service_figures
from evaluations.selectors.figures import percent
from tests.windows.factories import HallFactory, VisitFactory
from windows.models import Visit

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
