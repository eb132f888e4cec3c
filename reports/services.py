"""Building and emailing the bulletins (日报 / 周报 / 月报).

A bulletin is one row per hall, kind and period: a rebuild overwrites its figures and its
workbook. Each recipient gets a bulletin once (a BulletinDelivery row marked sent); only a
manager's resend sends it again. A delivery is claimed ("sending", with the attempt's id and
the email's Message-ID) in a committed transaction before the SMTP call and marked sent after
it, so a retry after a killed worker skips it; see bulletin_send for the one window left. A
failed email is recorded on its delivery and re-raised, so the task retries it; a retry skips
the recipients already served.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import uuid
from decimal import Decimal
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.selectors import complaint_list, in_hall_days
from evaluations.selectors.results import bad_reviews
from evaluations.selectors.surveys import weekly_progress
from rectification.selectors import hall_rectification, inspection_results
from windows.mail import new_message_id
from windows.models import Hall, Visit
from windows.roles import is_hall_manager
from windows.rules.hall_time import hall_localtime, week_of

from .models import Bulletin, BulletinDelivery, BulletinRecipient
from .periods import period_of
from .selectors.periods import period_stats
from .selectors.queue import queue_figures
from .workbooks.bulletin import write_bulletin_workbook

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAT_FIELDS = (
    "key",
    "label",
    "visits",
    "items",
    "evaluation_rate_pct",
    "satisfaction_rate_pct",
    "bad_reviews",
    "avg_wait_seconds",
    "p90_wait_seconds",
    "avg_service_seconds",
    "p90_service_seconds",
    "no_show_rate_pct",
    "general_share_pct",
    "excluded_ratings",
)
RANKED = 10
BAD_REVIEWS_LISTED = 50


class BulletinNoData(Exception):
    """The hall had no visits in the period: there is nothing to report."""


def _plain(value: Any, hall: Hall | None = None) -> Any:
    """A value JSON can hold (dates as ISO strings, times in the hall's local time, as people
    read them in the bulletin; decimals as floats)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return hall_localtime(hall, value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _plain(v, hall) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, hall) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _stats_row(stats: Any) -> dict:
    row = dataclasses.asdict(stats) if dataclasses.is_dataclass(stats) else {}
    for name in STAT_FIELDS:
        if hasattr(stats, name):
            row[name] = getattr(stats, name)
    return {name: _plain(value) for name, value in row.items() if not name.startswith("_")}


def _ranking(rows: list[dict], field: str) -> list[dict]:
    ranked = sorted(
        (row for row in rows if row.get(field) is not None and row.get("visits")),
        key=lambda row: (-row[field], str(row.get("label", ""))),
    )
    return [
        {"rank": rank, "label": row.get("label", ""), field: row[field]}
        for rank, row in enumerate(ranked[:RANKED], start=1)
    ]


def _questionnaire_weeks(*, hall: Hall, start: dt.date, end: dt.date) -> list[dict]:
    rows = []
    week = week_of(start)[0]
    while week <= end:
        progress = weekly_progress(hall=hall, week_start=week, today=end + dt.timedelta(days=1))
        rows.append(
            {
                "week_start": week.isoformat(),
                "week_end": progress.week_end.isoformat(),
                "count": progress.count,
                "quota": progress.quota,
                "progress_pct": progress.progress_pct,
                "below_quota": progress.below_quota,
            }
        )
        week += dt.timedelta(days=7)
    return rows


def _monthly_sections(*, hall: Hall, start: dt.date, end: dt.date) -> dict:
    rectification = [
        {
            "checklist": str(row.checklist),
            "total": row.total,
            "done": row.done,
            "verified": row.verified,
            "in_progress": row.in_progress,
            "not_started": row.not_started,
            "overdue": len(row.overdue),
            "completion_rate_pct": row.completion_rate_pct,
        }
        for row in hall_rectification(hall=hall, today=end)
    ]
    inspections = [
        {
            "visited_on": row.inspection.visited_on.isoformat(),
            "group": row.inspection.group_name,
            "findings": row.inspection.findings,
            "best_windows": ", ".join(str(window) for window in row.best_windows),
            "worst_windows": ", ".join(str(window) for window in row.worst_windows),
        }
        for row in inspection_results(hall=hall, start=start, end=end)
    ]
    return {"rectification": rectification, "inspections": inspections}


def _bad_review_section(*, hall: Hall, start: dt.date, end: dt.date, hall_row: dict) -> dict:
    """The period's bad reviews, whatever the kind: the hall row's count (evaluations.rules,
    so the key figure, the hall row and the list agree), the ratings left out of good and bad
    as excluded, and the first BAD_REVIEWS_LISTED of the list, newest first, with how many
    more there are."""
    count = hall_row.get("bad_reviews", 0)
    rows = [
        _plain(dataclasses.asdict(review), hall)
        for review in bad_reviews(hall=hall, start=start, end=end, limit=BAD_REVIEWS_LISTED)
    ]
    return {
        "count": count,
        "excluded": hall_row.get("excluded_ratings", 0),
        "rows": rows,
        "more": max(count - len(rows), 0),
    }


def _cases(*, hall: Hall, start: dt.date, end: dt.date) -> dict:
    """Cases received and closed in the period, as the complaints dashboard counts them:
    received = the case list's received dates; closed = closed now, closed in the period."""
    cases = Complaint.objects.for_hall(hall)
    received = complaint_list(cases=cases, today=end, start=start, end=end, hall=hall)
    closed = cases.filter(
        in_hall_days("closed_at", hall=hall, start=start, end=end),
        status=Complaint.Status.CLOSED,
    )
    return {"received": received.count(), "closed": closed.count()}


def _queue_section(*, hall: Hall, start: dt.date, end: dt.date) -> dict | None:
    """The queue's figures of the period (reports.selectors.queue), as plain values: the
    hall's and each category's, window's and staff member's; None for a hall whose own
    queue issued no ticket and took no appointment in the period."""
    report = queue_figures(hall=hall, start=start, end=end)
    if not report.has_data:
        return None

    def rows(groups) -> list[dict]:
        return [{"key": row.key, "label": row.label, **row.as_json()} for row in groups]

    return {
        "hall": report.hall.as_json(),
        "categories": rows(report.categories),
        "windows": rows(report.windows),
        "staff": rows(report.staff),
    }


def bulletin_figures(*, hall: Hall, kind: str, start: dt.date, end: dt.date) -> dict:
    """The figures a bulletin shows, as plain JSON values."""
    hall_rows = [_stats_row(s) for s in period_stats(hall=hall, start=start, end=end, by="hall")]
    windows = [_stats_row(s) for s in period_stats(hall=hall, start=start, end=end, by="window")]
    staff = [_stats_row(s) for s in period_stats(hall=hall, start=start, end=end, by="staff")]
    hall_row = hall_rows[0] if hall_rows else {}
    figures = {
        "hall": hall_row,
        "windows": windows,
        "staff": staff,
        "rankings": {
            "windows_by_items": _ranking(windows, "items"),
            "windows_by_satisfaction": _ranking(windows, "satisfaction_rate_pct"),
            "staff_by_items": _ranking(staff, "items"),
            "staff_by_satisfaction": _ranking(staff, "satisfaction_rate_pct"),
        },
        "bad_reviews": _bad_review_section(hall=hall, start=start, end=end, hall_row=hall_row),
        "cases": _cases(hall=hall, start=start, end=end),
        "questionnaires": _questionnaire_weeks(hall=hall, start=start, end=end),
    }
    queue = _queue_section(hall=hall, start=start, end=end)
    if queue is not None:
        figures["queue"] = queue
    if kind == Bulletin.Kind.MONTHLY:
        figures |= _monthly_sections(hall=hall, start=start, end=end)
    return figures


def _more_row(section: dict) -> list[dict]:
    """The line under a capped list of bad reviews: how many more the period had."""
    if not section.get("more"):
        return []
    return [
        {
            _("Rated at"): _("and %(count)d more") % {"count": section["more"]},
            _("Window"): "",
            _("Staff member"): "",
            _("Level"): "",
            _("Reasons"): "",
            _("Comment"): "",
        }
    ]


def _extra_sections(figures: dict) -> dict[str, list[dict]]:
    """The figures that are not period statistics, as tables of the workbook."""
    cases = figures["cases"]
    extra = {
        _("Bad reviews"): [
            {
                _("Rated at"): row["rated_at"],
                _("Window"): row["window_name"],
                _("Staff member"): row["staff_name"],
                _("Level"): row["level_label"],
                _("Reasons"): "、".join(row["reasons"]),
                _("Comment"): row["comment"],
            }
            for row in figures["bad_reviews"]["rows"]
        ]
        + _more_row(figures["bad_reviews"]),
        _("Cases"): [
            {
                _("Bad reviews"): figures["bad_reviews"]["count"],
                _("Excluded ratings"): figures["bad_reviews"].get("excluded", 0),
                _("Cases received"): cases["received"],
                _("Cases closed"): cases["closed"],
            }
        ],
        _("Questionnaires"): [
            {
                _("Week from"): row["week_start"],
                _("Week to"): row["week_end"],
                _("Responses"): row["count"],
                _("Weekly quota"): row["quota"],
                _("Progress (%)"): row["progress_pct"],
            }
            for row in figures["questionnaires"]
        ],
    }
    if "rectification" in figures:
        extra[_("Rectification progress")] = [
            {
                _("Checklist"): row["checklist"],
                _("Measures"): row["total"],
                _("Done"): row["done"],
                _("Verified"): row["verified"],
                _("Overdue"): row["overdue"],
                _("Completion (%)"): row["completion_rate_pct"],
            }
            for row in figures["rectification"]
        ]
        extra[_("Inspection results")] = [
            {
                _("Visited on"): row["visited_on"],
                _("Supervision group"): row["group"],
                _("Best windows"): row["best_windows"],
                _("Worst windows"): row["worst_windows"],
                _("Findings"): row["findings"],
            }
            for row in figures["inspections"]
        ]
    return extra


def period_has_visits(*, hall: Hall, start: dt.date, end: dt.date) -> bool:
    """Whether the hall had counted visits from start to end: a bulletin has something."""
    return Visit.objects.for_hall(hall).counted().filter(service_date__range=(start, end)).exists()


@transaction.atomic
def bulletin_build(*, hall: Hall, kind: str, day: dt.date) -> Bulletin:
    """Build, or rebuild, the hall's bulletin of the period of the given kind containing day.

    Raises BulletinNoData when the hall had no visits in the period (nothing is stored).
    """
    period = period_of(kind=kind, day=day)
    if not period_has_visits(hall=hall, start=period.start, end=period.end):
        raise BulletinNoData(
            _("No visits at %(hall)s from %(start)s to %(end)s.")
            % {"hall": hall.code, "start": period.start, "end": period.end}
        )
    figures = bulletin_figures(hall=hall, kind=kind, start=period.start, end=period.end)
    bulletin, _created = Bulletin.objects.select_for_update().get_or_create(
        hall=hall,
        kind=kind,
        period_start=period.start,
        defaults={"period_end": period.end, "built_at": timezone.now()},
    )
    output = io.BytesIO()
    write_bulletin_workbook(
        hall=hall,
        kind=kind,
        start=period.start,
        end=period.end,
        output=output,
        extra=_extra_sections(figures),
    )
    bulletin.period_end = period.end
    bulletin_store(bulletin=bulletin, figures=figures, workbook=output.getvalue())
    return bulletin


def bulletin_store(*, bulletin, figures: dict, workbook: bytes) -> None:
    """Save a rebuilt bulletin (a hall's or a region's) with its figures and its new
    workbook file; the file it replaces is deleted once the transaction commits."""
    old_name = bulletin.workbook.name
    bulletin.built_at = timezone.now()
    bulletin.figures = figures
    bulletin.workbook.save(bulletin.workbook_filename, ContentFile(workbook), save=False)
    bulletin.save()
    if old_name and old_name != bulletin.workbook.name:
        storage = bulletin.workbook.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def _message(*, bulletin: Bulletin, recipient: BulletinRecipient) -> EmailMessage:
    context = {"bulletin": bulletin, "recipient": recipient, "figures": bulletin.figures}
    subject = " ".join(render_to_string("reports/email/bulletin_subject.txt", context).split())
    body = render_to_string("reports/email/bulletin_body.txt", context)
    message = EmailMessage(subject, body, to=[recipient.email])
    if bulletin.workbook:
        with bulletin.workbook.open("rb") as workbook:
            message.attach(bulletin.workbook_filename, workbook.read(), XLSX_TYPE)
    return message


@dataclasses.dataclass(frozen=True)
class _Claim:
    """A delivery claimed by this attempt: its row, attempt id and Message-ID."""

    pk: int
    attempt_id: uuid.UUID
    message_id: str
    stale: bool  # it was still "sending" for a dead attempt: the one remaining window
    # BulletinDelivery, or a delivery model with its fields (a regional bulletin's)
    model: type[models.Model] = BulletinDelivery


class DeliveryInProgress(Exception):
    """Another attempt holds a fresh claim on some deliveries; try again after `wait` s."""

    def __init__(self, count: int, wait: float):
        super().__init__(f"{count} delivery(ies) being sent by another attempt")
        self.count = count
        self.wait = wait


def _stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.BULLETIN_DELIVERY_STALE_AFTER)


def _claim(*, bulletin: Bulletin, email: str) -> _Claim | BulletinDelivery | None:
    """Claim the delivery for a new attempt, in its own transaction committed before any
    SMTP call.

    Returns the claim; None when the delivery is sent; the row itself when another attempt
    holds a fresh claim on it (younger than BULLETIN_DELIVERY_STALE_AFTER). A pending or
    failed delivery is claimed, and so is a stale claim (its attempt died): it is sent again
    with the Message-ID recorded the first time, so receivers can drop the copy.
    """
    now = timezone.now()
    model = bulletin.deliveries.model
    with transaction.atomic():
        delivery, _created = model.objects.select_for_update().get_or_create(
            bulletin=bulletin, email=email
        )
        if delivery.status == BulletinDelivery.Status.SENT:
            return None
        stale = False
        if delivery.status == BulletinDelivery.Status.SENDING:
            if delivery.claimed_at and delivery.claimed_at > now - _stale_after():
                return delivery
            stale = True
        delivery.status = BulletinDelivery.Status.SENDING
        delivery.attempt_id = uuid.uuid4()
        delivery.claimed_at = now
        delivery.message_id = delivery.message_id or new_message_id()
        delivery.attempts += 1
        delivery.save(
            update_fields=["status", "attempt_id", "claimed_at", "message_id", "attempts"]
        )
    return _Claim(delivery.pk, delivery.attempt_id, delivery.message_id, stale, model)


def _mark_sent(claim: _Claim) -> None:
    """The server accepted the email: mark the delivery sent, in its own transaction."""
    with transaction.atomic():
        marked = claim.model.objects.filter(pk=claim.pk, attempt_id=claim.attempt_id).update(
            status=BulletinDelivery.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    if not marked:  # another attempt took the claim over: it judged this one dead
        logger.warning("Delivery %s was claimed by another attempt while sending.", claim.pk)


def _deliver(
    *, bulletin: Bulletin, recipient: BulletinRecipient, message_for=None
) -> _Claim | BulletinDelivery | None:
    """Email one recipient unless already served or being served by another attempt.

    Returns the claim when an email went out, None when it was sent already, the delivery
    row when another attempt holds a fresh claim. A failure is recorded on the delivery
    (failed) and re-raised.
    """
    claim = _claim(bulletin=bulletin, email=recipient.email)
    if not isinstance(claim, _Claim):
        return claim
    if claim.stale:
        logger.warning(
            "Bulletin %s: the claim on %s was stale (its attempt died while sending); "
            "sending it again with the same Message-ID %s.",
            bulletin.pk,
            recipient.email,
            claim.message_id,
        )
    try:
        message = (message_for or _message)(bulletin=bulletin, recipient=recipient)
        message.extra_headers["Message-ID"] = claim.message_id
        message.send()
    except Exception as error:
        _record_failure(claim=claim, error=error)
        raise
    _mark_sent(claim)
    return claim


def bulletin_send(*, bulletin: Bulletin, resend: bool = False) -> int:
    """Email the bulletin with its workbook to every active recipient of its hall and kind.

    Returns how many emails went out. Each delivery is claimed (sending, attempt_id,
    claimed_at, Message-ID) in its own committed transaction before the SMTP call and
    marked sent in another once the server accepted it, so a killed attempt leaves a claim,
    never a rolled-back "pending" row that the retry would email again. Deliveries sent
    already are skipped, and so are those another attempt claimed less than
    BULLETIN_DELIVERY_STALE_AFTER ago: once the others are served, DeliveryInProgress says
    when to look again. A stale claim is sent again with its Message-ID (the one window:
    the server may have accepted it before its attempt died). A failure is recorded
    (failed, last_error) and re-raised after the other recipients are served, so the task
    retries it. With resend (a manager's button), every delivery goes back to pending first.
    """
    if resend:
        bulletin_mark_for_resend(bulletin=bulletin)
    recipients = BulletinRecipient.objects.filter(
        hall=bulletin.hall, kind=bulletin.kind, is_active=True
    ).order_by("email")
    return deliver_to_recipients(bulletin=bulletin, recipients=recipients)


def deliver_to_recipients(*, bulletin, recipients, message_for=None) -> int:
    """bulletin_send's claim-send-mark loop over the given recipients (rows with an email),
    for any bulletin whose `deliveries` have BulletinDelivery's fields (a hall's bulletin, a
    region's: reports.regional.services); `message_for(bulletin=, recipient=)` builds each
    email (the hall bulletin's by default). The same rules and outcomes as bulletin_send."""
    sent = stale = 0
    claimed_elsewhere: list[BulletinDelivery] = []
    first_error: Exception | None = None
    for recipient in recipients:
        try:
            outcome = _deliver(bulletin=bulletin, recipient=recipient, message_for=message_for)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: stop here, its retry serves the rest
        except Exception as error:
            first_error = first_error or error
            continue
        if isinstance(outcome, _Claim):
            sent += 1
            stale += outcome.stale
        elif outcome is not None:
            claimed_elsewhere.append(outcome)
    logger.info(
        "Bulletin %s: %s email(s) sent (%s of them stale claims sent again), "
        "%s being sent by another attempt.",
        bulletin.pk,
        sent,
        stale,
        len(claimed_elsewhere),
    )
    if first_error is not None:
        raise first_error
    if claimed_elsewhere:
        youngest = max(delivery.claimed_at for delivery in claimed_elsewhere)
        wait = (youngest + _stale_after() - timezone.now()).total_seconds()
        raise DeliveryInProgress(len(claimed_elsewhere), max(wait, 0) + 1)
    return sent


def _record_failure(*, claim: _Claim, error: Exception) -> None:
    """The SMTP call of this attempt failed: the delivery is failed, the next attempt
    claims it again (with the same Message-ID)."""
    with transaction.atomic():
        claim.model.objects.filter(pk=claim.pk, attempt_id=claim.attempt_id).update(
            status=BulletinDelivery.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:1000],
        )


@transaction.atomic
def bulletin_mark_for_resend(*, bulletin: Bulletin) -> int:
    """Put every delivery of the bulletin back to pending, so the next send serves all again.

    Each gets a new Message-ID on its next claim (a resend is a new email). A delivery being
    sent right now (a fresh claim) is left alone. `bulletin_resend` (the resend button) calls
    this and then queues an ordinary send, whose retries are then as idempotent as the
    scheduled job's."""
    fresh = models.Q(
        status=BulletinDelivery.Status.SENDING, claimed_at__gt=timezone.now() - _stale_after()
    )
    return (
        bulletin.deliveries.exclude(status=BulletinDelivery.Status.PENDING)
        .exclude(fresh)
        .update(status=BulletinDelivery.Status.PENDING, message_id="")
    )


@transaction.atomic
def bulletin_resend(*, bulletin: Bulletin, by) -> int:
    """A manager of the bulletin's hall sends it to every active recipient again.

    Every delivery goes back to pending and one ordinary send is queued once the
    transaction commits (so its retries are as idempotent as the scheduled job's).
    Returns how many deliveries went back to pending; anyone else is refused.
    """
    from .tasks import send_bulletin  # the tasks module imports this one

    if not is_hall_manager(by, bulletin.hall_id):
        raise PermissionDenied
    marked = bulletin_mark_for_resend(bulletin=bulletin)
    bulletin_id = bulletin.pk
    transaction.on_commit(lambda: send_bulletin.delay(bulletin_id))
    return marked
