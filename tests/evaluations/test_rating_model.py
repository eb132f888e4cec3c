import pytest
from django.db import IntegrityError, transaction

from evaluations.models import Rating
from tests.windows.factories import VisitFactory

pytestmark = pytest.mark.django_db


def rate(visit, level: int) -> Rating:
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.IMPORT
    )


def test_a_visit_is_rated_at_most_once():
    visit = VisitFactory()
    rate(visit, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        rate(visit, 1)

    assert list(Rating.objects.values_list("level", flat=True)) == [5]


@pytest.mark.parametrize("level", [0, 6])
def test_a_level_outside_one_to_five_is_refused_by_the_database(level):
    with pytest.raises(IntegrityError), transaction.atomic():
        rate(VisitFactory(), level)

    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    ("level", "good"), [(5, True), (4, True), (3, True), (2, False), (1, False)]
)
def test_levels_three_to_five_are_good_reviews(level, good):
    rating = rate(VisitFactory(), level)

    assert rating.is_good is good
    assert list(Rating.objects.good()) == ([rating] if good else [])
    assert list(Rating.objects.bad()) == ([] if good else [rating])
