"""Satisfaction against waiting and service time (issue 15 part 2): how the citizens'
ratings change with how long they waited for their call and how long they were served.

It lives in evaluations because it reads ratings against the waits the rollups define
(evaluations.rollups: WAIT = issue → call, or → start of service when the call time is
unknown; SERVICE = start → finish); the dashboard's feed (reports.waiting.api) and the
monthly bulletin's 等候与满意度 sheet (reports.workbooks.waiting_sheet) read this one
selector, so the three show the same figures.

The visits: the hall's completed visits with a rating, served on the period's days
(service_date), optionally of one business category, window and staff member. A rating
judged malicious or mistaken (excluded) is counted as rated but is neither good nor bad
(evaluations.rules); the rates are over the judged ratings (rated - excluded):

- satisfaction rate = good / judged (rules.satisfaction_rate_pct, the one rule);
- bad-review share = bad / judged (the complement of satisfaction, written separately so
  a chart can draw dissatisfaction rising).

Bands are half-open, lower ≤ time < upper, in whole minutes (WAIT_BANDS, SERVICE_BANDS;
the last is open-ended; a negative time, a clock error, falls in the first). A band with
fewer than MIN_BAND_RATINGS judged ratings is returned with its count only (`enough` is
False, no rate): 29 ratings swing a rate by 3.4 points each, too little to draw a line
through.

All three come from one grouped scan of the visits (grouped_counts): an inner query
computes each visit's waiting and service time once (rollups' WAIT and SERVICE) and its
rating's class (the rules' Q builders), the outer one gives each its two bands by CASE and
counts them GROUP BY window, waiting band, service band and class; the breakdowns sum its
few hundred groups. On SQLite the times are whole microseconds in SQL
(rollups.microseconds_between, as the queue's percentiles read them) rather than Django's
per-row Python duration function. Three grouped queries with a CASE each took 3x the scan
and evaluated the time once per WHEN.

The minute after which dissatisfaction rises (`Threshold`): the shortest-time band with
enough ratings is the baseline; the threshold is the lower bound of the first later band
whose bad-review share's Wilson 95% interval lies wholly above the baseline's interval
(the two do not overlap), provided every later band with enough ratings also has a share
above the baseline's upper bound: a rise that falls back is not a threshold. Wilson's
interval rather than the normal one because bad reviews are rare (1-5%) and the normal
interval of a small share runs below zero. None, with the reason, when the data does not
show it.

Which windows' scores are explained by their queues (`WindowVerdict`): indirect
standardisation. A window's expected satisfaction is what the hall's satisfaction rate in
each waiting band would give its own mix of waits (Σ ratings in band × hall's band rate ÷
its ratings). Only a window clearly below the hall gets a verdict: the upper bound of its
rate's Wilson 95% interval is under the hall's rate. A window a little below, within its
own noise, is "similar" (与全厅相当): 270 ratings leave a rate ±4 points uncertain, and a
verdict on a 1-point gap would be a verdict on chance. For a window clearly below, the
part of its gap the expected rate accounts for, (hall − expected) ÷ (hall − actual), is
the queue's share: above QUEUE_SHARE ("mostly disappears after standardising") the
verdict is "queue" (its citizens waited longer than the hall's), otherwise "service" (it
rates lower than the hall at the same waits). The share shown is capped to 0-100%: waits
that predict a rate even lower than the window's explain all of its gap, not more, and
waits shorter than the hall's explain none of it. The exact fractions decide; only the
figures shown are rounded (half up, 2 decimals, windows.rules.rounding). A window with
fewer than MIN_WINDOW_RATINGS judged ratings gives its count only ("too_few"), as a band.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Case, CharField, QuerySet, Value, When

from evaluations import rules
from evaluations.rollups import SERVICE, WAIT, microseconds_between
from windows.models import Hall, QueueCategory, Staff, Visit, Window
from windows.rules.rounding import percent, round_half_up

# Lower bounds in minutes; each band runs to the next bound, the last is open-ended.
WAIT_BANDS = (0, 5, 10, 15, 20, 30, 45, 60)
SERVICE_BANDS = (0, 5, 10, 15, 20, 30)
MIN_BAND_RATINGS = 30  # judged ratings a band needs to show its rates
MIN_WINDOW_RATINGS = 30  # judged ratings a window needs for a queue-or-service verdict
QUEUE_SHARE = Fraction(1, 2)  # more than half the gap explained by the waits: "queue"
Z_95 = 1.959963984540054  # two-sided 95%

RATING = "rating__"
KINDS = ("wait", "service")
# Threshold.reason when there is no minute.
NO_BANDS = "no_bands"  # no band has enough ratings
ONE_BAND = "one_band"  # only one band has enough: nothing to compare it with
NO_RISE = "no_rise"  # no later band is clearly above the shortest-time band
NOT_SUSTAINED = "not_sustained"  # a band is clearly above, but a later one falls back
FOUND = "found"
# WindowVerdict.verdict
QUEUE, SERVICE_VERDICT, NOT_BELOW, TOO_FEW = "queue", "service", "not_below", "too_few"
SIMILAR = "similar"  # below the hall, but within the window's own 95% interval


@dataclass(frozen=True)
class WaitingFilters:
    """What the figures cover: the hall's days start..end (both included), and at most one
    business category, window and staff member of that hall."""

    hall: Hall
    start: date
    end: date
    category: QueueCategory | None = None
    window: Window | None = None
    staff: Staff | None = None

    def visits(self) -> QuerySet[Visit]:
        """The completed, rated visits the figures count."""
        lookups = {
            "hall": self.hall,
            "service_date__range": (self.start, self.end),
            "status": Visit.Status.COMPLETED,
            "rating__isnull": False,
        }
        for name in ("category", "window", "staff"):
            if getattr(self, name) is not None:
                lookups[name] = getattr(self, name)
        return Visit.objects.filter(**lookups)

    def as_json(self) -> dict:
        return {
            "hall": self.hall.code,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "category": self.category.prefix if self.category else None,
            "window": self.window.number if self.window else None,
            "staff": self.staff.badge_no if self.staff else None,
        }


@dataclass(frozen=True)
class Counts:
    rated: int = 0
    good: int = 0
    bad: int = 0
    excluded: int = 0

    @property
    def judged(self) -> int:
        """The ratings the rates count: rated and not excluded."""
        return self.rated - self.excluded

    def __add__(self, other: Counts) -> Counts:
        # Field by field: dataclasses.astuple deep-copies, and a report adds thousands.
        return Counts(
            rated=self.rated + other.rated,
            good=self.good + other.good,
            bad=self.bad + other.bad,
            excluded=self.excluded + other.excluded,
        )


def bad_share_pct(counts: Counts) -> float | None:
    """差评占比: bad reviews over the judged ratings, in percent (None without any)."""
    return percent(counts.bad, counts.judged)


@dataclass(frozen=True)
class Band:
    lower: int  # minutes, included
    upper: int | None  # minutes, excluded; None for the open-ended last band
    counts: Counts

    @property
    def label(self) -> str:
        return f"≥{self.lower}" if self.upper is None else f"{self.lower}–{self.upper}"

    @property
    def ratings(self) -> int:
        return self.counts.judged

    @property
    def enough(self) -> bool:
        return self.counts.judged >= MIN_BAND_RATINGS

    @property
    def satisfaction_rate_pct(self) -> float | None:
        if not self.enough:
            return None
        c = self.counts
        return rules.satisfaction_rate_pct(good=c.good, rated=c.rated, excluded=c.excluded)

    @property
    def bad_share_pct(self) -> float | None:
        return bad_share_pct(self.counts) if self.enough else None

    def as_json(self) -> dict:
        """A band too few to show gives its count only: no good, bad or rate."""
        shown = self.enough
        return {
            "lower": self.lower,
            "upper": self.upper,
            "label": self.label,
            "ratings": self.ratings,
            "enough": shown,
            "good": self.counts.good if shown else None,
            "bad": self.counts.bad if shown else None,
            "satisfaction_rate_pct": self.satisfaction_rate_pct,
            "bad_share_pct": self.bad_share_pct,
        }


@dataclass(frozen=True)
class Threshold:
    minute: int | None  # dissatisfaction rises from this many minutes on; None: not shown
    reason: str  # FOUND, or why there is no minute
    baseline: str | None = None  # the shortest-time band with enough ratings
    baseline_bad_share_pct: float | None = None
    band: str | None = None  # the band the rise starts at
    band_bad_share_pct: float | None = None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Breakdown:
    kind: str  # "wait" or "service"
    bands: list[Band]
    threshold: Threshold

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "bands": [band.as_json() for band in self.bands],
            "threshold": self.threshold.as_json(),
        }


@dataclass(frozen=True)
class WindowVerdict:
    number: int
    name: str
    ratings: int  # judged
    satisfaction_rate_pct: float | None
    expected_rate_pct: float | None  # at the hall's rate in each of its waiting bands
    standardised_rate_pct: float | None  # hall + (actual - expected)
    gap_pp: float | None  # actual - hall, percentage points
    queue_share_pct: float | None  # of a clear gap below the hall: the part its waits explain
    verdict: str  # QUEUE, SERVICE_VERDICT, SIMILAR, NOT_BELOW or TOO_FEW

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WaitingReport:
    filters: WaitingFilters
    totals: Counts
    wait: Breakdown
    service: Breakdown
    windows: list[WindowVerdict] = field(default_factory=list)

    @property
    def satisfaction_rate_pct(self) -> float | None:
        c = self.totals
        return rules.satisfaction_rate_pct(good=c.good, rated=c.rated, excluded=c.excluded)

    @property
    def bad_share_pct(self) -> float | None:
        return bad_share_pct(self.totals)

    def as_json(self) -> dict:
        return {
            "filters": self.filters.as_json(),
            "min_band_ratings": MIN_BAND_RATINGS,
            "min_window_ratings": MIN_WINDOW_RATINGS,
            "ratings": self.totals.judged,
            "good": self.totals.good,
            "bad": self.totals.bad,
            "excluded": self.totals.excluded,
            "satisfaction_rate_pct": self.satisfaction_rate_pct,
            "bad_share_pct": self.bad_share_pct,
            "wait": self.wait.as_json(),
            "service": self.service.as_json(),
            "windows": [row.as_json() for row in self.windows],
        }


# --- the bands, in SQL --------------------------------------------------------------------

BOUNDS = {"wait": WAIT_BANDS, "service": SERVICE_BANDS}


def _ends(expression) -> tuple:
    """The two ends of rollups' WAIT or SERVICE (later − earlier): the same definition,
    compared as whole microseconds on SQLite."""
    combined = expression.expression
    return combined.lhs, combined.rhs


def _time(kind: str):
    expression = WAIT if kind == "wait" else SERVICE
    if connection.vendor == "sqlite":
        return microseconds_between(*_ends(expression))
    return expression


def _bound(minutes: int):
    """A band's bound as the SQL compares it: microseconds (SQLite) or an interval."""
    if connection.vendor == "sqlite":
        return minutes * 60_000_000
    return timedelta(minutes=minutes)


def _band_sql(column: str, kind: str) -> tuple[str, list]:
    """CASE giving the band index (0 = the shortest) of the time in `column`."""
    bounds = BOUNDS[kind]
    whens = " ".join(f"WHEN {column} < %s THEN {index}" for index in range(len(bounds) - 1))
    return f"CASE {whens} ELSE {len(bounds) - 1} END", [_bound(upper) for upper in bounds[1:]]


# A rating's class as the rules decide it (every visit here has a rating: excluded is
# what is neither good nor bad).
GOOD, BAD, EXCLUDED = "g", "b", "x"


def grouped_counts(visits: QuerySet) -> list[tuple[int, int, int, Counts]]:
    """(window id, waiting band, service band, counts) of the visits: one scan, grouped in
    the database. The inner query computes each visit's two times once (rollups' WAIT and
    SERVICE) and its rating's class (the rules' Q builders); the outer one bands and counts
    them, so a time is not computed again for every WHEN of its CASE."""
    inner = (
        visits.annotate(
            waited=_time("wait"),
            served=_time("service"),
            rating_class=Case(
                When(rules.good_q(RATING), then=Value(GOOD)),
                When(rules.bad_q(RATING), then=Value(BAD)),
                default=Value(EXCLUDED),
                output_field=CharField(),
            ),
        )
        .values("window_id", "waited", "served", "rating_class")
        .order_by()
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    wait_sql, wait_params = _band_sql(quote("waited"), "wait")
    service_sql, service_params = _band_sql(quote("served"), "service")
    sql = (
        f"SELECT {quote('window_id')}, {wait_sql}, {service_sql}, {quote('rating_class')},"
        f" COUNT(*) FROM ({inner_sql}) AS rated_visits GROUP BY 1, 2, 3, 4"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*wait_params, *service_params, *inner_params])
        rows = cursor.fetchall()
    counts: dict[tuple[int, int, int], dict[str, int]] = {}
    for window_id, wait_band, service_band, rating_class, count in rows:
        key = (window_id, int(wait_band), int(service_band))
        counts.setdefault(key, {})[rating_class] = count
    return [
        (
            *key,
            Counts(
                rated=sum(classes.values()),
                good=classes.get(GOOD, 0),
                bad=classes.get(BAD, 0),
                excluded=classes.get(EXCLUDED, 0),
            ),
        )
        for key, classes in counts.items()
    ]


def _bands(kind: str, counts: dict[int, Counts]) -> list[Band]:
    bounds = BOUNDS[kind]
    uppers = (*bounds[1:], None)
    return [
        Band(lower=lower, upper=upper, counts=counts.get(index, Counts()))
        for index, (lower, upper) in enumerate(zip(bounds, uppers, strict=True))
    ]


def _sum_by(rows: list[tuple[int, int, int, Counts]], key) -> dict:
    sums: dict = {}
    for row in rows:
        sums[key(row)] = sums.get(key(row), Counts()) + row[3]
    return sums


# --- the threshold ------------------------------------------------------------------------


def wilson(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson's score interval of a proportion (as fractions 0..1)."""
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return centre - half, centre + half


def threshold(bands: list[Band]) -> Threshold:
    """The minute after which the bad-review share rises (see the module's docstring)."""
    shown = [band for band in bands if band.enough]
    if not shown:
        return Threshold(minute=None, reason=NO_BANDS)
    base = shown[0]
    context = {"baseline": base.label, "baseline_bad_share_pct": base.bad_share_pct}
    if len(shown) == 1:
        return Threshold(minute=None, reason=ONE_BAND, **context)
    _low, base_high = wilson(base.counts.bad, base.ratings)
    clearly_above = False
    for index, band in enumerate(shown[1:], start=1):
        low, _high = wilson(band.counts.bad, band.ratings)
        if low <= base_high:
            continue
        clearly_above = True
        if all(later.counts.bad / later.ratings > base_high for later in shown[index + 1 :]):
            return Threshold(
                minute=band.lower,
                reason=FOUND,
                band=band.label,
                band_bad_share_pct=band.bad_share_pct,
                **context,
            )
    return Threshold(minute=None, reason=NOT_SUSTAINED if clearly_above else NO_RISE, **context)


def _breakdown(kind: str, counts: dict[int, Counts]) -> Breakdown:
    bands = _bands(kind, counts)
    return Breakdown(kind=kind, bands=bands, threshold=threshold(bands))


# --- the windows: queue or service ---------------------------------------------------------


def _pct(value: Fraction) -> float:
    return round_half_up(Decimal(value.numerator) * 100 / Decimal(value.denominator), 2)


def _band_rates(bands: list[Band]) -> dict[int, Fraction]:
    """The hall's satisfaction rate in each waiting band with judged ratings (all of them:
    a window's expected rate needs the rate of every band it has ratings in)."""
    return {
        index: Fraction(band.counts.good, band.ratings)
        for index, band in enumerate(bands)
        if band.ratings
    }


def window_verdict(
    *,
    number: int,
    name: str,
    by_band: dict[int, Counts],
    rates: dict[int, Fraction],
    hall: Fraction,
) -> WindowVerdict:
    """One window's actual and expected satisfaction and its verdict, from its judged
    ratings per waiting band, the hall's rate per band and the hall's overall rate."""
    judged = sum(counts.judged for counts in by_band.values())
    good = sum(counts.good for counts in by_band.values())
    if judged < MIN_WINDOW_RATINGS:  # its count only, as a band with too few
        return WindowVerdict(number, name, judged, None, None, None, None, None, TOO_FEW)
    actual = Fraction(good, judged)
    expected = (
        sum(
            (counts.judged * rates[band] for band, counts in by_band.items() if counts.judged),
            Fraction(0),
        )
        / judged
    )
    figures = {
        "number": number,
        "name": name,
        "ratings": judged,
        "satisfaction_rate_pct": _pct(actual),
        "expected_rate_pct": _pct(expected),
        "standardised_rate_pct": _pct(hall + actual - expected),
        "gap_pp": _pct(actual - hall),
    }
    if actual >= hall:
        return WindowVerdict(**figures, queue_share_pct=None, verdict=NOT_BELOW)
    if wilson(good, judged)[1] >= hall:  # not clearly below: no verdict on chance
        return WindowVerdict(**figures, queue_share_pct=None, verdict=SIMILAR)
    share = (hall - expected) / (hall - actual)
    return WindowVerdict(
        **figures,
        queue_share_pct=_pct(min(max(share, Fraction(0)), Fraction(1))),
        verdict=QUEUE if share > QUEUE_SHARE else SERVICE_VERDICT,
    )


def _windows(
    rows: list[tuple[int, int, int, Counts]], wait_bands: list[Band], totals: Counts
) -> list[WindowVerdict]:
    if not totals.judged:
        return []
    by_window: dict[int, dict[int, Counts]] = {}
    for (window_id, wait_band), counts in _sum_by(rows, lambda row: row[:2]).items():
        by_window.setdefault(window_id, {})[wait_band] = counts
    rates = _band_rates(wait_bands)
    hall = Fraction(totals.good, totals.judged)
    windows = Window.objects.filter(pk__in=by_window).order_by("number")
    return [
        window_verdict(
            number=window.number,
            name=window.name or str(window.number),
            by_band=by_window[window.pk],
            rates=rates,
            hall=hall,
        )
        for window in windows
    ]


def waiting_bands(filters: WaitingFilters) -> WaitingReport:
    """Satisfaction and bad-review share by waiting and service band, their thresholds and
    the windows' verdicts, for the filters' visits: one grouped scan (grouped_counts), its
    few hundred groups summed per breakdown."""
    rows = grouped_counts(filters.visits())
    wait = _breakdown("wait", _sum_by(rows, lambda row: row[1]))
    service = _breakdown("service", _sum_by(rows, lambda row: row[2]))
    totals = sum((band.counts for band in wait.bands), Counts())
    return WaitingReport(
        filters=filters,
        totals=totals,
        wait=wait,
        service=service,
        windows=_windows(rows, wait.bands, totals),
    )
