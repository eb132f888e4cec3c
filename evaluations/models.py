"""What citizens say about a visit: the five-level rating (contracts.md section 5)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.models import Visit
from windows.scoping import HallScopedQuerySet


class RatingQuerySet(HallScopedQuerySet):
    hall_field = "visit__hall"

    def good(self) -> "RatingQuerySet":
        return self.filter(level__gte=Rating.GOOD_FROM)

    def bad(self) -> "RatingQuerySet":
        return self.filter(level__lt=Rating.GOOD_FROM)


class Rating(models.Model):
    """One rating per visit ("一次一评"), never invented when the citizen did not rate."""

    GOOD_FROM = 3

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("very satisfied")
        SATISFIED = 4, _("satisfied")
        BASICALLY_SATISFIED = 3, _("basically satisfied")
        DISSATISFIED = 2, _("dissatisfied")
        VERY_DISSATISFIED = 1, _("very dissatisfied")

    class Source(models.TextChoices):
        TABLET = "tablet", _("window tablet")
        IMPORT = "import", _("queue-system import")
        API = "api", _("API")

    visit = models.OneToOneField(
        Visit, on_delete=models.CASCADE, related_name="rating", verbose_name=_("visit")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    rated_at = models.DateTimeField(_("rated at"))
    reasons = models.JSONField(_("bad-review reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    callback_phone = models.CharField(_("callback phone"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="rating_level_one_to_five",
                violation_error_message=_("A rating is a level from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_level_display()}"

    @property
    def is_good(self) -> bool:
        return self.level >= self.GOOD_FROM
