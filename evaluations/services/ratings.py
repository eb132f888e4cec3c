"""Submitting a rating: the one place a Rating is created (contracts.md section 5).

Errors are ValidationErrors whose `code` tells callers how to answer (the tablet API maps
them to HTTP statuses): "invalid" (bad input, nothing stored), "not_completed",
"already_rated", "wrong_window", "timed_out", "superseded" (the next visit at the window
had started before the tap: evaluations.rating_window), "client_id_conflict".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.services.followups import followup_open
from evaluations.models import Rating, TabletDevice
from evaluations.rating_window import rating_deadline, superseded_at
from evaluations.rollups import rollups_refresh
from windows.live import window_touch
from windows.models import Visit

PHONE_PATTERN = re.compile(r"^(?:\+86)?\d{7,15}$")
PHONE_SEPARATORS = re.compile(r"[\s-]")
COMMENT_MAX_LENGTH = 500


def phone_normalize(phone: str) -> str:
    """A callback phone without spaces and dashes; ValidationError unless it looks valid.

    Chinese mobile or landline numbers: 7 to 15 digits, optionally after +86.
    """
    normalized = PHONE_SEPARATORS.sub("", phone or "")
    if normalized and not PHONE_PATTERN.match(normalized):
        raise ValidationError(
            {"callback_phone": _("Enter a phone number of 7 to 15 digits (may start with +86).")},
            code="invalid",
        )
    return normalized


def _clean_reasons(*, level: int, reasons: Iterable[str], comment: str, source: str) -> list[str]:
    cleaned: list[str] = []
    for reason in reasons:
        if reason not in Rating.Reason.values:
            raise ValidationError({"reasons": _("Unknown reason: %s.") % reason}, code="invalid")
        if reason not in cleaned:
            cleaned.append(reason)
    good = level >= Rating.GOOD_FROM
    if good and cleaned:
        raise ValidationError(
            {"reasons": _("Reasons are given only with a bad review.")}, code="invalid"
        )
    if not good and not cleaned and source == Rating.Source.TABLET:
        raise ValidationError(
            {"reasons": _("Choose at least one reason for a bad review.")}, code="invalid"
        )
    if Rating.Reason.OTHER in cleaned and not comment:
        raise ValidationError(
            {"comment": _("Describe the other reason in a few words.")}, code="invalid"
        )
    return cleaned


def _clean_input(
    *, level: int, reasons: Iterable[str], comment: str, callback_phone: str, source: str
) -> tuple[list[str], str, str]:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise ValidationError({"level": _("A rating is a level from 1 to 5.")}, code="invalid")
    if source not in Rating.Source.values:
        raise ValidationError({"source": _("Unknown rating source.")}, code="invalid")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment under %d characters.") % COMMENT_MAX_LENGTH},
            code="invalid",
        )
    cleaned = _clean_reasons(level=level, reasons=reasons, comment=comment, source=source)
    phone = phone_normalize(callback_phone)
    if phone and level >= Rating.GOOD_FROM:
        raise ValidationError(
            {"callback_phone": _("A callback is offered only with a bad review.")},
            code="invalid",
        )
    return cleaned, comment, phone


def _check_visit(*, visit: Visit, device: TabletDevice | None, rated_at: datetime) -> None:
    if visit.status != Visit.Status.COMPLETED or visit.finished_at is None:
        raise ValidationError(_("Only a completed visit can be rated."), code="not_completed")
    if device is not None:
        if visit.window_id != device.window_id:
            raise ValidationError(
                _("This visit was not served at this tablet's window."), code="wrong_window"
            )
        if rated_at > rating_deadline(visit):
            raise ValidationError(
                _("The time for rating this visit is over; it stays unrated."),
                code="timed_out",
            )
        if superseded_at(visit, rated_at) is not None:
            raise ValidationError(
                _(
                    "The next citizen's service had already started at this window; "
                    "this visit stays unrated."
                ),
                code="superseded",
            )


def _earlier(*, client_id: uuid.UUID | None, visit: Visit) -> tuple[Rating | None, bool]:
    """In one query: the rating stored earlier under the same client id (this is a
    retry), and whether the visit is rated already (by anyone)."""
    match = Q(visit=visit) | Q(client_id=client_id) if client_id is not None else Q(visit=visit)
    found = list(Rating.objects.filter(match)[:2])
    replay = next((r for r in found if client_id is not None and r.client_id == client_id), None)
    if replay is not None and replay.visit_id != visit.pk:
        raise ValidationError(
            _("This submission id was already used for another visit."),
            code="client_id_conflict",
        )
    return replay, any(r.visit_id == visit.pk for r in found)


def _rated_meanwhile(*, client_id: uuid.UUID | None, visit: Visit) -> Rating | None:
    """The visit was rated since this submission began: by the same submission (a retry
    racing it, so its rating is returned) or by another one ("already_rated"). None if
    it is not rated at all (the caller's error was something else)."""
    replay, rated = _earlier(client_id=client_id, visit=visit)
    if replay is None and rated:
        raise ValidationError(_("This visit has already been rated."), code="already_rated")
    return replay


def rating_record(
    *,
    visit: Visit,
    level: int,
    source: str,
    rated_at: datetime | None = None,
    reasons: Iterable[str] = (),
    comment: str = "",
    callback_phone: str = "",
    device: TabletDevice | None = None,
    client_id: uuid.UUID | None = None,
    tapped_ago: timedelta | None = None,
) -> tuple[Rating, bool]:
    """Store the citizen's rating of a visit; a bad one opens a follow-up case.

    Returns the rating and whether this call stored it: a retry with the same client id
    (even one racing the first) returns the rating stored the first time, with False.
    One rating per visit. With a device, the visit must have been served at the device's
    window and be tapped within its rating window (evaluations.rating_window).

    `tapped_ago` (a tablet's rating kept while the network was down) says how long before
    now the citizen tapped: the rating time is the server's clock minus it, so the
    tablet's own clock never matters; a tap claimed before the visit finished counts as
    at its finish.
    """
    arguments = {"visit": visit, "level": level, "source": source, "rated_at": rated_at,
                 "reasons": reasons, "comment": comment, "callback_phone": callback_phone,
                 "device": device, "client_id": client_id, "tapped_ago": tapped_ago}  # fmt: skip
    try:
        with transaction.atomic():
            return _record(**arguments)
    except IntegrityError:
        # A concurrent submission stored its rating of the visit first. The insert is
        # this call's first write, so the rollback undid nothing else; no savepoint
        # around it is needed (it would be two more statements on every rating).
        replay = _rated_meanwhile(client_id=client_id, visit=visit)
        if replay is None:
            raise
        return replay, False


def _record(
    *,
    visit: Visit,
    level: int,
    source: str,
    rated_at: datetime | None,
    reasons: Iterable[str],
    comment: str,
    callback_phone: str,
    device: TabletDevice | None,
    client_id: uuid.UUID | None,
    tapped_ago: timedelta | None,
) -> tuple[Rating, bool]:
    replay, rated = _earlier(client_id=client_id, visit=visit)
    if replay is not None:
        return replay, False
    reasons, comment, phone = _clean_input(
        level=level, reasons=reasons, comment=comment, callback_phone=callback_phone, source=source
    )
    if tapped_ago is not None:
        rated_at = timezone.now() - tapped_ago
        if visit.finished_at and rated_at < visit.finished_at:
            rated_at = visit.finished_at
    rated_at = rated_at or timezone.now()
    _check_visit(visit=visit, device=device, rated_at=rated_at)
    if rated:
        raise ValidationError(_("This visit has already been rated."), code="already_rated")
    rating = Rating.objects.create(
        visit=visit,
        level=level,
        rated_at=rated_at,
        reasons=reasons,
        comment=comment,
        callback_phone=phone,
        source=source,
        device=device,
        client_id=client_id,
    )
    followup_open(rating=rating)
    rollups_refresh(
        hall_id=visit.hall_id,
        start=visit.service_date,
        end=visit.service_date,
        window_id=visit.window_id,
    )
    window_touch(visit.window_id)  # the tablet closes the prompt, may invite to a survey
    return rating, True


def rating_submit(**kwargs) -> Rating:
    """`rating_record` for callers that need only the rating (same arguments)."""
    return rating_record(**kwargs)[0]


def rating_exclusion_set(*, rating_id: int, excluded: str, note: str = "") -> None:
    """Judge a rating malicious or mistaken (`excluded` one of Rating.Exclusion), or count
    it again (`excluded` ""), and refresh the daily rollups of its visit's window-day: the
    one place that changes a rating's class after it was stored."""
    with transaction.atomic():
        Rating.objects.filter(pk=rating_id).update(excluded=excluded, exclusion_note=note)
        visit = (
            Visit.objects.filter(rating__pk=rating_id)
            .values("hall_id", "window_id", "service_date")
            .first()
        )
        if visit is not None:
            rollups_refresh(
                hall_id=visit["hall_id"],
                start=visit["service_date"],
                end=visit["service_date"],
                window_id=visit["window_id"],
            )
