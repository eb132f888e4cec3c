"""The year's story behind the annual review's figures (issue 15 item 4): what the seed's
authors wrote by hand in their analysis, found in the data.

- **Unusual months**: a month whose items per working day (a day with completed visits)
  changed on the month before by more than UNUSUAL_FACTOR x the median absolute
  month-on-month change of the year (and at least MIN_MONTH_CHANGE_PCT): the seed's
  November (+140%, medical-insurance enrolment). A month right after one, changing the
  same way by more than the median (and the floor), is its continuation (the seed's
  December, "+42% more"). A month without working days is not compared (the data does
  not cover it: the year not over yet). For each: the unit (a general zone, or a specialist
  window) whose items changed most that way and its share of the hall's change (it
  carried the change from MIN_DRIVER_SHARE_PCT up), and, for a rise, the month's peak day.
- **A zone's own months** (the seed's 医保通办 in November and December, when the hall as
  a whole moved less): a zone or specialist window with MIN_UNIT_SHARE_PCT of the year's
  items whose share of the hall's items changed by the same rule (floor
  MIN_ZONE_CHANGE_PCT) and whose own items per working day changed the same way by more
  than that floor, in a month whose hall change it did not already carry.
- **Step changes**: a served day where the mean of daily items shifts most between the
  STEP_WINDOW served days before it and the STEP_WINDOW from it, by at least
  MIN_STEP_PCT and STEP_SE standard errors (a simple two-window change-point): the seed's
  10 August, three policies at once, 1,404 items that day and as many to the end of the
  month. The step lasts until the first STEP_END_RUN served days in a row back past the
  midpoint of the two means; its unit is the one whose daily mean moved most.
- **Year on year by zone** (the three general zones, the specialist windows together),
  only when the year before has items.
- **The evaluation rate's climb**: from the first month with ratings to the last month
  with visits, and the largest rise from one month to the next; none under
  MIN_RATE_POINTS percentage points.

Two grouped queries over the daily rollups (evaluations.models.DailyFigures), as
reports.selectors.volume reads them: the year's items, completed visits and ratings by
day and window (a few thousand rows), and the year before's items by window; windows are
put into zones here from one list of the hall's windows. Figures are rounded half up
(windows.rules.rounding), the evaluation rate by evaluations.rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Sum
from django.utils.translation import gettext as _

from evaluations import rules
from evaluations.models import DailyFigures
from windows.models import Hall, Window, Zone
from windows.rules.rounding import percent, round_half_up

UNUSUAL_FACTOR = 2  # x the median absolute month-on-month change
MIN_MONTH_CHANGE_PCT = 10.0  # however calm the year, a smaller change is not unusual
STEP_WINDOW = 10  # served days on each side of a step (two working weeks)
MIN_STEP_PCT = 25.0  # the shift of the daily mean, % of the mean before
STEP_SE = 4.0  # the shift in standard errors of the difference of the two means
STEP_END_RUN = 3  # served days in a row back past the midpoint end a step
MAX_STEPS = 4
MIN_RATE_POINTS = 1.0
MIN_DRIVER_SHARE_PCT = 25.0  # a smaller part of a change carried it no more than others
MIN_UNIT_SHARE_PCT = 3.0  # a zone or window with less of the year's items has no story
MIN_ZONE_CHANGE_PCT = 25.0  # the floor of a zone's unusual change of its share


def mean(values) -> float:
    return sum(values) / len(values)


def pvariance(values) -> float:
    centre = mean(values)
    return sum((value - centre) ** 2 for value in values) / len(values)


@dataclass(frozen=True)
class Driver:
    """The unit (a general zone or a specialist window) behind a change."""

    name: str
    before: float  # items (a month) or daily mean (a step), before and after
    after: float
    change_pct: float | None  # the unit's own change; None when it had nothing before
    share_pct: float | None  # its part of the hall's change, 1 decimal
    carried: bool  # share_pct >= MIN_DRIVER_SHARE_PCT: it carried the change


@dataclass(frozen=True)
class UnusualMonth:
    month: int
    items: int
    days: int  # working days: days with completed visits
    average: float  # items per working day, 1 decimal
    previous_items: int  # the month before
    previous_average: float
    change_pct: float  # of the items per working day
    driver: Driver | None
    peak_day: tuple[date, int] | None  # of a rise: the month's day with the most items
    continues: bool  # the month before was an unusual change the same way


@dataclass(frozen=True)
class ZoneMonth:
    """A zone's (or specialist window's) own unusual month, in a month the hall's change
    did not single out (the seed's 医保通办 in November and December)."""

    month: int
    name: str
    items: int
    average: float  # items per working day of the hall, 1 decimal
    previous_average: float
    change_pct: float
    hall_share_pct: float | None  # of the hall's items that month, 1 decimal
    continues: bool


@dataclass(frozen=True)
class StepChange:
    day: date
    day_items: int
    before_average: float  # daily items over the STEP_WINDOW served days before
    after_average: float  # daily items from the day to `until`
    change_pct: float
    until: date
    days: int  # served days from `day` to `until`
    driver: Driver | None


@dataclass(frozen=True)
class ZoneYoY:
    name: str
    items: int
    previous_items: int
    change_pct: float | None  # None: nothing the year before


@dataclass(frozen=True)
class EvaluationClimb:
    first_month: int
    first_pct: float
    last_month: int
    last_pct: float
    points: float  # last - first, percentage points
    largest_rise_month: int | None
    largest_rise_points: float | None


@dataclass(frozen=True)
class AnnualStory:
    year: int
    threshold_pct: float | None  # the unusual month-on-month change; None: too few months
    unusual_months: tuple[UnusualMonth, ...]
    steps: tuple[StepChange, ...]
    has_previous_year: bool
    zones_yoy: tuple[ZoneYoY, ...]  # empty without the year before
    evaluation: EvaluationClimb | None
    zone_months: tuple[ZoneMonth, ...] = ()


# --- the hall's units ------------------------------------------------------------------


def _units(hall: Hall) -> tuple[dict[int, str], dict[int, tuple[int, str]]]:
    """Each window's unit (its general zone's name, or for a specialist window its own
    name) and its zone for the year-on-year (general zones by their order, the specialist
    windows together last)."""
    units, zones = {}, {}
    specialist = _("Specialist windows")
    for window in Window.objects.filter(hall=hall).select_related("zone"):
        if window.zone is not None and window.zone.kind == Zone.Kind.GENERAL:
            units[window.pk] = window.zone.name
            zones[window.pk] = (window.zone.sort_order, window.zone.name)
        else:
            units[window.pk] = window.name or str(window)
            zones[window.pk] = (32767, specialist)
    return units, zones


# --- the two queries -------------------------------------------------------------------


def _last_year(hall: Hall, year: int) -> list[dict]:
    """The year before's items by window (the zones' year on year)."""
    return list(
        DailyFigures.objects.filter(
            hall=hall, day__range=(date(year - 1, 1, 1), date(year - 1, 12, 31))
        )
        .values("window_id")
        .annotate(items=Sum("items"))
        .order_by()
    )


def _daily(hall: Hall, year: int) -> list[dict]:
    """The year's items, completed visits and ratings by day and window."""
    return list(
        DailyFigures.objects.filter(hall=hall, day__range=(date(year, 1, 1), date(year, 12, 31)))
        .values("day", "window_id")
        .annotate(items=Sum("items"), visits=Sum("visits"), rated=Sum("rated"))
        .order_by()
    )


# --- the story -------------------------------------------------------------------------


@dataclass
class _Year:
    """The year's sums by day, month and unit, from the daily rows."""

    day_items: dict = field(default_factory=lambda: defaultdict(int))
    day_units: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    month_units: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    month_visits: dict = field(default_factory=lambda: defaultdict(int))
    month_rated: dict = field(default_factory=lambda: defaultdict(int))
    zone_items: dict = field(default_factory=lambda: defaultdict(int))
    served: set = field(default_factory=set)


def annual_story(*, hall: Hall, year: int) -> AnnualStory:
    """The year's unusual months, steps, zones year on year and evaluation rate."""
    units, zones = _units(hall)
    specialist = _("Specialist windows")
    sums = _Year()
    for row in _daily(hall, year):
        day, window = row["day"], row["window_id"]
        unit = units.get(window, specialist)
        sums.day_items[day] += row["items"]
        sums.day_units[day][unit] += row["items"]
        sums.month_units[day.month][unit] += row["items"]
        sums.month_visits[day.month] += row["visits"]
        sums.month_rated[day.month] += row["rated"]
        sums.zone_items[zones.get(window, (32767, specialist))] += row["items"]
        if row["visits"]:
            sums.served.add(day)
    last_year: dict[tuple[int, str], int] = defaultdict(int)
    for row in _last_year(hall, year):
        last_year[zones.get(row["window_id"], (32767, specialist))] += row["items"]
    has_previous = any(last_year.values())
    days = sorted(sums.served)
    threshold, unusual = _unusual_months(sums, days)
    return AnnualStory(
        year=year,
        threshold_pct=threshold,
        unusual_months=unusual,
        steps=_steps(days, sums.day_items, sums.day_units),
        has_previous_year=has_previous,
        zones_yoy=_zones_yoy(sums.zone_items, last_year) if has_previous else (),
        evaluation=_evaluation(sums.month_visits, sums.month_rated),
        zone_months=_zone_months(sums, days, unusual),
    )


def _driver(before: dict[str, float], after: dict[str, float], total_change: float):
    """The unit whose items changed most in the direction of the hall's change."""
    if not total_change:
        return None
    sign = 1 if total_change > 0 else -1
    changes = {name: after.get(name, 0) - before.get(name, 0) for name in set(before) | set(after)}
    # Most in the hall's direction; of equal changes, the first name (a stable order).
    name = min(changes, key=lambda unit: (-sign * changes[unit], unit))
    if sign * changes[name] <= 0:
        return None
    unit_before, unit_after = before.get(name, 0), after.get(name, 0)
    share = percent(changes[name], total_change, places=1)
    return Driver(
        name=name,
        before=round_half_up(unit_before, 1),
        after=round_half_up(unit_after, 1),
        change_pct=percent(unit_after - unit_before, unit_before),
        share_pct=share,
        carried=share >= MIN_DRIVER_SHARE_PCT,
    )


def _per_day(units: dict[str, int], days: int) -> dict[str, float]:
    return {name: items / days for name, items in units.items()}


def _unusual_months(sums: _Year, days: list[date]):
    """Months compared by items per working day (a day with completed visits): a short
    month (February's Spring Festival) is not unusual for its holidays. A month without
    such days is one the data does not cover (the year not over yet, or not imported):
    it is compared with nothing."""
    month_days = defaultdict(list)
    for day in days:
        month_days[day.month].append(day)
    items = {
        month: sum(sums.day_items[day] for day in served) for month, served in month_days.items()
    }
    average = {month: items[month] / len(month_days[month]) for month in month_days}
    threshold, changes = _unusual_changes(average, MIN_MONTH_CHANGE_PCT)
    found = []
    for month, change, continues in changes:
        peak = None
        if change > 0:
            top = min(month_days[month], key=lambda day: (-sums.day_items[day], day))
            peak = (top, sums.day_items[top])
        found.append(
            UnusualMonth(
                month=month,
                items=items[month],
                days=len(month_days[month]),
                average=round_half_up(average[month], 1),
                previous_items=items[month - 1],
                previous_average=round_half_up(average[month - 1], 1),
                change_pct=change,
                driver=_driver(
                    _per_day(sums.month_units[month - 1], len(month_days[month - 1])),
                    _per_day(sums.month_units[month], len(month_days[month])),
                    average[month] - average[month - 1],
                ),
                peak_day=peak,
                continues=continues,
            )
        )
    return threshold, tuple(found)


def _unusual_changes(
    averages: dict[int, float], floor: float
) -> tuple[float | None, list[tuple[int, float, bool]]]:
    """The threshold, and (month, change %, continues) of the months whose average
    changed on the month before by more than it (UNUSUAL_FACTOR x the median absolute
    change, at least `floor`), or that continue such a change the same way by more than
    the median (and `floor`). No threshold for fewer than 3 changes."""
    changes = {
        month: percent(averages[month] - averages[month - 1], averages[month - 1])
        for month in range(2, 13)
        if month in averages and month - 1 in averages and averages[month - 1]
    }
    if len(changes) < 3:
        return None, []
    typical = median(abs(change) for change in changes.values())
    threshold = round_half_up(max(UNUSUAL_FACTOR * typical, floor), 2)
    found: list[tuple[int, float, bool]] = []
    for month, change in changes.items():
        before = found[-1] if found and found[-1][0] == month - 1 else None
        continues = (
            before is not None
            and (before[1] > 0) == (change > 0)
            and abs(change) > max(typical, floor)
        )
        if abs(change) > threshold or continues:
            found.append((month, change, continues))
    return threshold, found


def _zone_months(sums: _Year, days: list[date], hall_months) -> tuple[ZoneMonth, ...]:
    """Each zone's (or specialist window's, with MIN_UNIT_SHARE_PCT of the year's items)
    months that moved unlike the hall's: its share of the hall's items changed on the
    month before beyond the rule of the hall's months (floor MIN_ZONE_CHANGE_PCT), so a
    zone that only rose and fell with the hall (the Spring Festival, the August surge)
    has no month of its own, and its own items per working day changed the same way by
    more than that floor too (a share does not rise only because the rest of the hall
    fell). A month whose hall change this unit carried is told there already."""
    month_days: dict[int, int] = defaultdict(int)
    for day in days:
        month_days[day.month] += 1
    told = {
        (month.month, month.driver.name)
        for month in hall_months
        if month.driver is not None and month.driver.carried
    }
    year_items = sum(sums.day_items.values())
    totals: dict[str, int] = defaultdict(int)
    for units in sums.month_units.values():
        for name, items in units.items():
            totals[name] += items
    found = []
    for name in sorted(totals):
        if (percent(totals[name], year_items) or 0) < MIN_UNIT_SHARE_PCT:
            continue
        averages = {
            month: sums.month_units[month].get(name, 0) / served
            for month, served in month_days.items()
        }
        shares = {
            month: sums.month_units[month].get(name, 0) / hall_items
            for month in month_days
            if (hall_items := sum(sums.month_units[month].values()))
        }
        for month, share_change, continues in _unusual_changes(shares, MIN_ZONE_CHANGE_PCT)[1]:
            if (month, name) in told or not averages[month - 1]:
                continue
            change = percent(averages[month] - averages[month - 1], averages[month - 1])
            # Its own items moved that way too, beyond the floor: not a share that rose
            # only because the rest of the hall fell.
            if abs(change) <= MIN_ZONE_CHANGE_PCT or (change > 0) != (share_change > 0):
                continue
            items = sums.month_units[month].get(name, 0)
            hall_items = sum(sums.month_units[month].values())
            found.append(
                ZoneMonth(
                    month=month,
                    name=name,
                    items=items,
                    average=round_half_up(averages[month], 1),
                    previous_average=round_half_up(averages[month - 1], 1),
                    change_pct=change,
                    hall_share_pct=percent(items, hall_items, places=1),
                    continues=continues,
                )
            )
    return tuple(sorted(found, key=lambda zone: (zone.month, zone.name)))


def _steps(days: list[date], day_items, day_units) -> tuple[StepChange, ...]:
    """The served days where the daily mean shifts most (see the module's docstring)."""
    series = [day_items[day] for day in days]
    width = STEP_WINDOW
    candidates = []
    for t in range(width, len(series) - width + 1):
        before, after = series[t - width : t], series[t : t + width]
        mean_before, mean_after = mean(before), mean(after)
        if not mean_before:
            continue
        shift = mean_after - mean_before
        relative = shift * 100 / mean_before
        standard_error = ((pvariance(before) + pvariance(after)) / width) ** 0.5
        if abs(relative) >= MIN_STEP_PCT and abs(shift) >= STEP_SE * standard_error:
            candidates.append((-abs(relative), t))
    chosen: list[int] = []
    for _relative, t in sorted(candidates):
        if len(chosen) == MAX_STEPS:
            break
        if all(abs(t - other) >= width for other in chosen):
            chosen.append(t)
    return tuple(_step(days, series, day_units, t) for t in sorted(chosen))


def _step(days, series, day_units, t: int) -> StepChange:
    width = STEP_WINDOW
    before = series[t - width : t]
    mean_before = mean(before)
    rising = mean(series[t : t + width]) > mean_before
    midpoint = (mean_before + mean(series[t : t + width])) / 2
    end = len(series) - 1
    for j in range(t + 1, len(series)):
        run = series[j : j + STEP_END_RUN]
        if all((value < midpoint) if rising else (value > midpoint) for value in run):
            end = j - 1
            break
    span = days[t : end + 1]
    after_average = mean(series[t : end + 1])

    def unit_means(chosen_days):
        sums: dict[str, int] = defaultdict(int)
        for day in chosen_days:
            for name, items in day_units[day].items():
                sums[name] += items
        return {name: total / len(chosen_days) for name, total in sums.items()}

    return StepChange(
        day=days[t],
        day_items=series[t],
        before_average=round_half_up(mean_before, 1),
        after_average=round_half_up(after_average, 1),
        change_pct=percent(after_average - mean_before, mean_before),
        until=days[end],
        days=len(span),
        driver=_driver(
            unit_means(days[t - width : t]),
            unit_means(span),
            after_average - mean_before,
        ),
    )


def _zones_yoy(this_year, last_year) -> tuple[ZoneYoY, ...]:
    keys = sorted(set(this_year) | set(last_year))
    return tuple(
        ZoneYoY(
            name=name,
            items=this_year.get((order, name), 0),
            previous_items=last_year.get((order, name), 0),
            change_pct=percent(
                this_year.get((order, name), 0) - last_year.get((order, name), 0),
                last_year.get((order, name), 0),
            ),
        )
        for order, name in keys
        if this_year.get((order, name), 0) or last_year.get((order, name), 0)
    )


def _evaluation(month_visits, month_rated) -> EvaluationClimb | None:
    rates = {
        month: rules.evaluation_rate_pct(rated=month_rated[month], visits=month_visits[month])
        for month in range(1, 13)
        if month_visits.get(month)
    }
    rated_months = [month for month in rates if month_rated.get(month)]
    if not rated_months:
        return None
    first, last = rated_months[0], max(rates)
    if first == last:
        return None
    points = round_half_up(rates[last] - rates[first], 2)
    if abs(points) < MIN_RATE_POINTS:
        return None
    rises = [
        (round_half_up(rates[month] - rates[month - 1], 2), month)
        for month in range(first + 1, last + 1)
        if month in rates and month - 1 in rates
    ]
    best = max(rises, key=lambda rise: (rise[0], -rise[1]), default=None)
    if best is not None and best[0] <= 0:
        best = None
    return EvaluationClimb(
        first_month=first,
        first_pct=rates[first],
        last_month=last,
        last_pct=rates[last],
        points=points,
        largest_rise_month=best[1] if best else None,
        largest_rise_points=best[0] if best else None,
    )
