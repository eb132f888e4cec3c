"""The daily rollups: a hall's figures per day x window x staff (x service item), kept
up to date by every writer in its own transaction (evaluations.rollups), so that yearly
and multi-year statistics read a few thousand rows instead of every visit stored.

The counts have exactly the names and meanings of
evaluations.selectors.figures.figure_aggregates() (ServiceFigures); the rules that decide
them are those of evaluations.rules, applied once, when a row is computed. The share of
the general (通办) windows and the item's category are joined at read time (a window can
change zone, an item category), not stored.
"""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from windows.models import Hall, ServiceItem, Staff, Window

# The keys are ForeignKeys for Django (joins, PROTECT) without a constraint in the
# database: every row is computed from visits, whose own keys are checked, in the same
# transaction, so the checks would only repeat them. They are deferred to COMMIT and cost
# 4 lookups per row there: 8-12 s of a 25 s hall-year refresh on PostgreSQL, measured.
KEY = {"on_delete": models.PROTECT, "db_index": False, "db_constraint": False, "related_name": "+"}

# One row per key, a row without a staff member included: NULLs are equal here, on
# SQLite too (which has no NULLS NOT DISTINCT: Django would create no index there at all),
# so the staff column is indexed as COALESCE(staff_id, 0). The index leads with
# (hall, day), which every reader's range of a hall's days uses.
KEY_FIELDS = ("hall", "day", "window", Coalesce("staff", 0))


class _DayKey(models.Model):
    """hall x day x window x staff: the key the two rollups share."""

    hall = models.ForeignKey(Hall, **KEY, verbose_name=_("hall"))
    day = models.DateField(_("day"), help_text=_("The visits' service date."))
    window = models.ForeignKey(Window, **KEY, verbose_name=_("window"))
    staff = models.ForeignKey(Staff, **KEY, null=True, blank=True, verbose_name=_("staff member"))
    items = models.PositiveIntegerField(_("items"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    good = models.PositiveIntegerField(_("good reviews"), default=0)
    bad = models.PositiveIntegerField(_("bad reviews"), default=0)
    excluded = models.PositiveIntegerField(_("excluded ratings"), default=0)

    class Meta:
        abstract = True


class DailyFigures(_DayKey):
    """One row per hall x day x window x staff member with counted visits."""

    visits = models.PositiveIntegerField(_("visits"), default=0)
    historical_bad = models.PositiveIntegerField(_("historical bad reviews"), default=0)
    transferred = models.PositiveIntegerField(_("transferred"), default=0)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0)
    # Sums over the completed visits (`visits` of them): the averages are sum / visits.
    wait_microseconds = models.BigIntegerField(_("waiting time, microseconds"), default=0)
    service_microseconds = models.BigIntegerField(_("service time, microseconds"), default=0)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        # Its index leads with (hall, day): every reader's range of a hall's (or halls')
        # days reads through it; a second (hall, day) index would only cost writes.
        constraints = [
            models.UniqueConstraint(*KEY_FIELDS, name="one_dailyfigures_row"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.window_id} · {self.staff_id}"


class DailyItemFigures(_DayKey):
    """One row per hall x day x window x staff member x service item of completed visits.

    items = the completed visits that handled the item (VisitItem rows); rated, good, bad
    and excluded are those visits' ratings.
    """

    service_item = models.ForeignKey(ServiceItem, **KEY, verbose_name=_("service item"))

    class Meta:
        verbose_name = _("daily item figures")
        verbose_name_plural = _("daily item figures")
        # (hall, day) first, as DailyFigures: no second index (a hall-year writes 170,000
        # rows here, one index entry less each).
        constraints = [
            models.UniqueConstraint(*KEY_FIELDS, "service_item", name="one_dailyitemfigures_row"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.window_id} · {self.staff_id} · {self.service_item_id}"
