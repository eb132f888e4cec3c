"""The queue's writes: a ticket from issue (the kiosk) to the start of service (the console).

A ticket is a Visit from the moment it is issued: waiting (category, issued_at, no window),
then called to a window (window, staff, called_at), then in service (started_at) and ended
by windows.services.visits like a typed ticket. So both paths, the portal's queue and an
outside queue system, produce the same visits, and the figures read them alike.

Call order (`call_rank`): a ticket transferred here from another window, then
appointments due now, then priority tickets (绿色通道), then first come, first served.
Two windows calling at the same moment never get the same ticket: the candidate is taken
with a conditional UPDATE (still waiting), retried on a lost race; on PostgreSQL the
candidate is read with FOR UPDATE SKIP LOCKED, so the second window takes the next ticket
at once instead of waiting for the first one's commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from windows.hooks import visits_changed
from windows.live import window_touch
from windows.models import (
    Hall,
    QueueCall,
    QueueCategory,
    ServiceItem,
    TicketCounter,
    Visit,
    VisitItem,
    Window,
    WindowSession,
)
from windows.rules.hall_time import hall_localdate, hall_localtime
from windows.services.visits import _check_items, _check_session, visit_transfer, window_label

CALL_ATTEMPTS = 8


def queue_touch(hall_id: int) -> None:
    """Raise the hall's queue version: its big screens and kiosks refresh."""
    Hall.objects.filter(pk=hall_id).update(queue_version=F("queue_version") + 1)


def call_rank(now: datetime) -> Case:
    """The order in which a window calls waiting tickets (lower first), then by issue."""
    return Case(
        When(lane=Visit.Lane.TRANSFER, then=Value(0)),
        When(Q(lane=Visit.Lane.APPOINTMENT, due_at__lte=now), then=Value(1)),
        When(lane=Visit.Lane.PRIORITY, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def waiting_in_order(*, category_ids: Iterable[int], day, now: datetime) -> QuerySet:
    """The day's waiting tickets of the categories, in the order windows call them."""
    return (
        Visit.objects.waiting()
        .filter(category_id__in=list(category_ids), service_date=day)
        .annotate(call_rank=call_rank(now))
        .order_by("call_rank", "issued_at", "pk")
    )


# --- issuing --------------------------------------------------------------------------


def _check_can_issue(category: QueueCategory, now: datetime) -> None:
    if not category.is_active:
        raise ValidationError(_("%(category)s takes no tickets now.") % {"category": category.name})
    local = hall_localtime(category.hall, now).time()
    if not category.opens_at <= local < category.closes_at:
        raise ValidationError(
            _("Tickets for %(category)s are issued from %(opens)s to %(closes)s.")
            % {
                "category": category.name,
                "opens": category.opens_at.strftime("%H:%M"),
                "closes": category.closes_at.strftime("%H:%M"),
            }
        )


def _next_number(category: QueueCategory, day) -> int:
    """The category's next number of the day; the counter row is locked until commit."""
    TicketCounter.objects.get_or_create(category=category, day=day)
    TicketCounter.objects.filter(category=category, day=day).update(last=F("last") + 1)
    return TicketCounter.objects.filter(category=category, day=day).values_list("last", flat=True)[
        0
    ]


@transaction.atomic
def ticket_issue(
    *,
    category: QueueCategory,
    lane: str = Visit.Lane.NORMAL,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> Visit:
    """Issue the category's next ticket (一键取号): a visit waiting from now on."""
    now = now or timezone.now()
    hall = category.hall
    _check_can_issue(category, now)
    day = hall_localdate(hall, now)
    number = _next_number(category, day)
    if category.daily_capacity and number > category.daily_capacity:
        # Raising rolls the counter back: the number is not used up.
        raise ValidationError(
            _("Today's tickets for %(category)s are all given out.") % {"category": category.name}
        )
    visit = Visit.objects.create(
        hall=hall,
        ticket_no=f"{category.prefix}{number:03d}",
        issued_at=now,
        service_date=day,
        category=category,
        lane=lane,
        due_at=due_at,
        status=Visit.Status.WAITING,
        item_count=1,  # a placeholder: the items are chosen when service starts
    )
    queue_touch(hall.pk)
    return visit


# --- calling --------------------------------------------------------------------------


def _held_at(window: Window) -> Visit | None:
    return Visit.objects.at_window().filter(window=window).first()


def _record_call(visit: Visit, kind: str, now: datetime) -> None:
    QueueCall.objects.create(
        hall_id=visit.hall_id, visit=visit, window_id=visit.window_id, kind=kind, called_at=now
    )
    window_touch(visit.window_id)
    queue_touch(visit.hall_id)


def _take(candidate: int, *, session: WindowSession, now: datetime) -> bool:
    """Call the ticket to the session's window if it is still waiting."""
    try:
        with transaction.atomic():
            return bool(
                Visit.objects.filter(pk=candidate, status=Visit.Status.WAITING).update(
                    status=Visit.Status.CALLED,
                    window_id=session.window_id,
                    staff_id=session.staff_id,
                    called_at=now,
                )
            )
    except IntegrityError as exc:
        # Another browser of this window called a ticket a moment earlier.
        raise ValidationError(
            _("%(window)s has just called another ticket; reload the console.")
            % {"window": window_label(session.window)}
        ) from exc


@transaction.atomic
def ticket_call_next(*, session: WindowSession, now: datetime | None = None) -> Visit | None:
    """Call the next ticket of the categories the window serves (叫号); None if none waits."""
    now = now or timezone.now()
    _check_session(session)
    window = session.window
    held = _held_at(window)
    if held is not None:
        raise ValidationError(
            _("Ticket %(ticket)s is still at this window; finish it first.")
            % {"ticket": held.ticket_no}
        )
    category_ids = list(
        QueueCategory.objects.active().served_by(window).values_list("pk", flat=True)
    )
    if not category_ids:
        raise ValidationError(
            _("No business category is served at %(window)s; ask a manager to set one.")
            % {"window": window_label(window)}
        )
    day = hall_localdate(window.hall, now)
    queue = waiting_in_order(category_ids=category_ids, day=day, now=now)
    if connection.features.has_select_for_update_skip_locked:
        queue = queue.select_for_update(skip_locked=True, of=("self",))
    for _attempt in range(CALL_ATTEMPTS):
        candidate = queue.values_list("pk", flat=True).first()
        if candidate is None:
            return None
        if _take(candidate, session=session, now=now):
            visit = Visit.objects.select_related("window", "category").get(pk=candidate)
            _record_call(visit, QueueCall.Kind.CALL, now)
            return visit
    raise ValidationError(_("Many windows are calling at once; press 叫号 again."))


def _check_called_here(*, session: WindowSession, visit: Visit) -> None:
    _check_session(session)
    if visit.window_id != session.window_id or visit.status != Visit.Status.CALLED:
        raise ValidationError(
            _("Ticket %(ticket)s is no longer called to this window.") % {"ticket": visit.ticket_no}
        )


@transaction.atomic
def ticket_recall(*, session: WindowSession, visit: Visit, now: datetime | None = None) -> Visit:
    """Call the ticket again (重呼); its first call time stays its call time."""
    now = now or timezone.now()
    _check_called_here(session=session, visit=visit)
    Visit.objects.filter(pk=visit.pk).update(recalls=F("recalls") + 1)
    visit.refresh_from_db()
    _record_call(visit, QueueCall.Kind.RECALL, now)
    return visit


@transaction.atomic
def ticket_no_show(*, session: WindowSession, visit: Visit, now: datetime | None = None) -> Visit:
    """The citizen did not come (过号), once the hall's number of recalls was made."""
    now = now or timezone.now()
    _check_called_here(session=session, visit=visit)
    limit = session.window.hall.queue_recall_limit
    if visit.recalls < limit:
        raise ValidationError(
            _("Recall the ticket %(limit)s times before marking it a no-show (recalled %(done)s).")
            % {"limit": limit, "done": visit.recalls}
        )
    ended = Visit.objects.filter(pk=visit.pk, status=Visit.Status.CALLED).update(
        status=Visit.Status.NO_SHOW, started_at=max(now, visit.called_at)
    )
    if not ended:
        raise ValidationError(
            _("Ticket %(ticket)s is no longer called to this window.") % {"ticket": visit.ticket_no}
        )
    visits_changed.collect(hall_id=visit.hall_id, window_id=visit.window_id, day=visit.service_date)
    window_touch(visit.window_id)
    queue_touch(visit.hall_id)
    visit.refresh_from_db()
    return visit


@transaction.atomic
def ticket_start(
    *,
    session: WindowSession,
    visit: Visit,
    service_items: Iterable[ServiceItem],
    now: datetime | None = None,
) -> Visit:
    """The called citizen is at the window: service starts (开始办理) with the items."""
    now = now or timezone.now()
    _check_called_here(session=session, visit=visit)
    items = _check_items(window=session.window, service_items=service_items)
    started = Visit.objects.filter(pk=visit.pk, status=Visit.Status.CALLED).update(
        status=Visit.Status.IN_SERVICE,
        started_at=max(now, visit.called_at),
        staff_id=session.staff_id,
        item_count=len(items),
    )
    if not started:
        raise ValidationError(
            _("Ticket %(ticket)s is no longer called to this window.") % {"ticket": visit.ticket_no}
        )
    VisitItem.objects.bulk_create(VisitItem(visit=visit, service_item=item) for item in items)
    window_touch(visit.window_id)
    queue_touch(visit.hall_id)
    visit.refresh_from_db()
    return visit


@transaction.atomic
def ticket_return(*, session: WindowSession, visit: Visit, now: datetime | None = None) -> Visit:
    """Give a called ticket back to the front of its queue (the window has to close, or it
    was called by mistake). The citizen waits on: the next call sets its call time, so its
    waiting time runs to the call that brought it to a window."""
    _check_called_here(session=session, visit=visit)
    Visit.objects.filter(pk=visit.pk, status=Visit.Status.CALLED).update(
        status=Visit.Status.WAITING, window=None, staff=None, lane=Visit.Lane.TRANSFER
    )
    window_touch(visit.window_id)
    queue_touch(visit.hall_id)
    visit.refresh_from_db()
    return visit


@transaction.atomic
def ticket_transfer(
    *,
    session: WindowSession,
    visit: Visit,
    category: QueueCategory,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """Hand the ticket in service on to another category (转办): this window's visit ends
    as transferred, and the same ticket number waits at the front of that category's
    queue, from now on. Returns the new waiting visit."""
    now = now or timezone.now()
    if category.hall_id != visit.hall_id or not category.is_active:
        raise ValidationError(_("Choose a business category of this hall."))
    ended = visit_transfer(session=session, visit=visit, service_items=service_items, now=now)
    waiting = Visit.objects.create(
        hall_id=ended.hall_id,
        ticket_no=ended.ticket_no,
        issued_at=ended.finished_at,
        service_date=hall_localdate(session.window.hall, now),
        category=category,
        lane=Visit.Lane.TRANSFER,
        status=Visit.Status.WAITING,
        item_count=1,
    )
    queue_touch(ended.hall_id)
    return waiting
