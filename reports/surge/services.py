"""The surge warning: evaluate a hall now, raise each level's alert once, email it.

`surge_state` reads (it is also the dashboard feed's source); `surge_check` records the
alerts of the levels crossed (hall × day × level unique: a retried or parallel check adds
nothing) and queues their emails after the commit; `surge_alert_send` emails one alert to
the recipients recorded with it (complaints.services.alerts.duty_recipients: the duty
leaders of the day, else the hall's managers), claimed before the SMTP call like a case's
duty alert, so a redelivered task sends it once (the same Message-ID if it must resend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import median

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints.services.alerts import (
    AlertInProgress,
    claimed_alert_send,
    duty_recipients,
    led_hall_ids,
    may_acknowledge_hall_alert,
)
from windows.models import Hall, QueueCategory, Window
from windows.rules.hall_time import hall_localdate, hall_localtime
from windows.workdays import is_business_day

from . import predictor
from .models import SurgeAlert, SurgeSettings
from .predictor import SLOT_MINUTES, Projection, confirmed_levels, cumulative, project
from .selectors import (
    arrival_basis,
    arrival_counts,
    hall_totals,
    history_days,
    learnt_items_per_window_day,
    windows_today,
)

# A category surges when even its projection's lower bound passes its typical day (the
# median of its history days) by this factor.
CATEGORY_SURGE = 1.2


@dataclass(frozen=True)
class CategoryState:
    category_id: int | None
    name: str
    typical: int  # the median total of its history days
    projection: Projection | None

    @property
    def surging(self) -> bool:
        p = self.projection
        return bool(p and not p.early and self.typical and p.low >= self.typical * CATEGORY_SURGE)

    def as_json(self) -> dict:
        return {
            "id": self.category_id,
            "name": self.name,
            "typical": self.typical,
            "projection": self.projection.as_json() if self.projection else None,
            "surging": self.surging,
        }


@dataclass(frozen=True)
class SurgeState:
    """The hall now: today's curve, its projection, the capacity and what to do."""

    hall: Hall
    day: date
    slot: int  # the slots before it have ended: the projection stands at its start
    basis: str
    curve: list[int]  # cumulative items by the end of each slot of the day (to now)
    typical_curve: list[int]  # the history days' median cumulative curve, whole day
    history: int  # history days
    projection: Projection | None
    windows_open: int  # signed in today, or every active window before anyone has
    windows_signed_in: int  # 0: windows_open is the active windows (nobody signed in yet)
    items_per_window_day: float
    learnt: bool  # items per window-day learnt (not set by a manager)
    threshold: int | None
    capacity: float
    levels: list[int]
    categories: list[CategoryState] = field(default_factory=list)
    windows_to_open: list[int] = field(default_factory=list)  # window numbers
    windows_needed: int = 0  # more windows than open to bring capacity to the projection

    @property
    def surging_categories(self) -> list[CategoryState]:
        return [category for category in self.categories if category.surging]

    def suggestion(self) -> dict:
        return {
            "categories": [
                {
                    "name": c.name,
                    "projected": round(c.projection.mid),
                    "typical": c.typical,
                }
                for c in self.surging_categories
            ],
            "windows_to_open": self.windows_to_open,
            "windows_needed": self.windows_needed,
        }


def settings_of(hall: Hall) -> SurgeSettings:
    """The hall's settings row, or the defaults (unsaved) if its managers set none."""
    return SurgeSettings.objects.filter(hall=hall).first() or SurgeSettings(hall=hall)


def slot_of(hall: Hall, moment: datetime) -> int:
    local = hall_localtime(hall, moment)
    return (local.hour * 60 + local.minute) // SLOT_MINUTES


def _history_pairs(curves: dict, days: list[date], slot: int) -> list[tuple[int, int]]:
    """(arrived by the end of slot - 1, day total) of each history day with arrivals."""
    pairs = []
    for day in days:
        counts = curves.get(day)
        if counts:
            pairs.append((sum(counts[:slot]), sum(counts)))
    return pairs


def surge_state(*, hall: Hall, now: datetime | None = None) -> SurgeState:
    """Evaluate the hall at `now` (default: now): one query for the arrivals of today and
    its history days, one for the learnt items per window-day, two for the windows."""
    now = now or timezone.now()
    day = hall_localdate(hall, now)
    slot = slot_of(hall, now)
    config = settings_of(hall)
    basis = arrival_basis(hall)
    days = history_days(hall=hall, today=day)
    counts = arrival_counts(hall=hall, days=[*days, day], basis=basis)
    by_day = hall_totals(counts)
    today_counts = by_day.get(day, [0] * predictor.SLOTS_PER_DAY)
    arrived = sum(today_counts[:slot])
    pairs = _history_pairs(by_day, days, slot)
    projection = project(arrived=arrived, history=pairs)
    # The check 15 minutes before, from the same counts (confirmed_levels).
    previous = project(
        arrived=sum(today_counts[: slot - 1]), history=_history_pairs(by_day, days, slot - 1)
    )
    history_curves = [cumulative(by_day[d]) for d in days if by_day.get(d) and sum(by_day[d])]
    typical_curve = (
        [round(median(curve[i] for curve in history_curves)) for i in range(len(today_counts))]
        if history_curves
        else []
    )

    learnt = not config.items_per_window_day
    per_window = (
        float(config.items_per_window_day)
        if config.items_per_window_day
        else learnt_items_per_window_day(hall=hall, today=day)
    )
    windows = windows_today(hall=hall, day=day)
    active = dict(Window.objects.filter(hall=hall, is_active=True).values_list("pk", "number"))
    # Before anyone signed in (or in a hall without the console): its active windows.
    signed_in = len(windows.open_ids & set(active))
    open_count = signed_in or len(active)
    capacity = predictor.capacity(
        windows=open_count, items_per_window_day=per_window, threshold=config.threshold
    )

    names = dict(QueueCategory.objects.filter(hall=hall).values_list("pk", "name"))
    categories = []
    for category_id in sorted({key[1] for key in counts}, key=lambda c: (c is None, c or 0)):
        curves = {d: slots for (d, c), slots in counts.items() if c == category_id}
        totals = [sum(curves[d]) for d in days if d in curves]
        category_arrived = sum(curves.get(day, [0] * predictor.SLOTS_PER_DAY)[:slot])
        categories.append(
            CategoryState(
                category_id=category_id,
                name=names.get(category_id, "") if category_id else "",
                typical=round(median(totals)) if totals else 0,
                projection=project(
                    arrived=category_arrived, history=_history_pairs(curves, days, slot)
                ),
            )
        )
    state_levels = confirmed_levels(projection, previous, capacity)
    windows_needed = 0
    to_open: list[int] = []
    if projection and not projection.early and projection.mid > capacity:
        windows_needed = max(
            predictor.windows_needed(projected=projection.mid, items_per_window_day=per_window)
            - open_count,
            0,
        )
        surging = {c.category_id for c in categories if c.surging and c.category_id}
        closed = set(active) - windows.open_ids
        serving = set().union(*(windows.by_category.get(c, set()) for c in surging))
        candidates = (closed & serving) or closed
        to_open = sorted(active[pk] for pk in candidates)
    return SurgeState(
        hall=hall,
        day=day,
        slot=slot,
        basis=basis,
        curve=cumulative(today_counts)[:slot],
        typical_curve=typical_curve,
        history=len(pairs),
        projection=projection,
        windows_open=open_count,
        windows_signed_in=signed_in,
        items_per_window_day=per_window,
        learnt=learnt,
        threshold=config.threshold,
        capacity=capacity,
        levels=state_levels,
        categories=categories,
        windows_to_open=to_open,
        windows_needed=windows_needed,
    )


def surge_check(*, hall: Hall, now: datetime | None = None) -> list[SurgeAlert]:
    """Evaluate the hall and record an alert for each level crossed that has none today;
    returns the alerts raised now (their emails go out after the commit)."""
    if not settings_of(hall).is_active:
        return []
    state = surge_state(hall=hall, now=now)
    if not state.levels:
        return []
    raised = []
    done = set(SurgeAlert.objects.filter(hall=hall, day=state.day).values_list("level", flat=True))
    for level in state.levels:
        if level in done:
            continue
        alert = _record(state, level, now or timezone.now())
        if alert is not None:
            raised.append(alert)
    return raised


def _record(state: SurgeState, level: int, now: datetime) -> SurgeAlert | None:
    """The level's alert, created once: a parallel check's row wins (None here)."""
    p = state.projection
    try:
        with transaction.atomic():
            alert = SurgeAlert.objects.create(
                hall=state.hall,
                day=state.day,
                level=level,
                at=now,
                arrived=p.arrived,
                projected=round(p.mid),
                low=round(p.low),
                high=round(p.high),
                capacity=round(state.capacity),
                suggestion=state.suggestion(),
                recipients=duty_recipients(hall=state.hall, day=state.day),
            )
    except IntegrityError:
        return None
    from .tasks import send_surge_alert

    transaction.on_commit(lambda: send_surge_alert.delay(alert.pk))
    return alert


# A fresh claim of another attempt (the duty alert's exception: one claim rule).
SurgeAlertInProgress = AlertInProgress


def surge_alert_send(*, alert_id: int) -> bool:
    """Email the alert unless it went out already; True if sent now (the duty alert's
    claim-send-mark rule, complaints.services.alerts.claimed_alert_send)."""

    def compose(alert: SurgeAlert) -> tuple[str, str]:
        alert = SurgeAlert.objects.select_related("hall").get(pk=alert.pk)
        context = {"alert": alert, "suggestion": alert.suggestion, "hall": alert.hall}
        subject = render_to_string("reports/surge/email_subject.txt", context)
        body = render_to_string("reports/surge/email_body.txt", context)
        return " ".join(subject.split()), body

    return claimed_alert_send(
        SurgeAlert.objects.filter(pk=alert_id), compose=compose, label="Surge alert"
    )


def open_surge_alerts(*, user, day: date) -> list[SurgeAlert]:
    """Today's unacknowledged surge alerts of the halls the user leads today (the panel):
    the highest level first."""
    hall_ids = led_hall_ids(user=user, day=day)
    if not hall_ids:
        return []
    return list(
        SurgeAlert.objects.filter(
            hall_id__in=hall_ids, day=day, acknowledged_at__isnull=True
        ).order_by("-level", "pk")
    )


def may_acknowledge(*, user, alert: SurgeAlert) -> bool:
    """As a case's alert: the hall's duty leader of the day, or a manager of the hall."""
    return may_acknowledge_hall_alert(
        user=user, hall_id=alert.hall_id, day=hall_localdate(alert.hall)
    )


@transaction.atomic
def surge_alert_acknowledge(*, alert: SurgeAlert, user) -> SurgeAlert:
    """Mark the alert seen (the lower levels of the day with it: one acknowledgement)."""
    if not may_acknowledge(user=user, alert=alert):
        raise PermissionDenied
    now = timezone.now()
    SurgeAlert.objects.filter(
        hall_id=alert.hall_id,
        day=alert.day,
        level__lte=alert.level,
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now, acknowledged_by=user)
    alert.refresh_from_db()
    return alert


def in_opening_hours(*, hall: Hall, now: datetime) -> bool:
    """Between the earliest category's first ticket and the latest one's last (8:30 to
    17:00 for a hall without categories), on a business day of the hall."""
    hours = list(
        QueueCategory.objects.filter(hall=hall, is_active=True).values_list("opens_at", "closes_at")
    )
    local = hall_localtime(hall, now).time()
    opens = min((h[0] for h in hours), default=None)
    closes = max((h[1] for h in hours), default=None)
    opens, closes = opens or time(8, 30), closes or time(17, 0)
    if not opens <= local <= closes:
        return False
    return is_business_day(hall=hall, day=hall_localdate(hall, now))
