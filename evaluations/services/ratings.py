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
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.services.followups import followup_open
from evaluations.models import Rating, TabletDevice
from evaluations.rating_window import rating_deadline, superseded_at
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


def _replay(*, client_id: uuid.UUID | None, visit: Visit) -> Rating | None:
    """The rating stored earlier under the same client id, if this is a retry."""
    if client_id is None:
        return None
    existing = Rating.objects.filter(client_id=client_id).first()
    if existing is not None and existing.visit_id != visit.pk:
        raise ValidationError(
            _("This submission id was already used for another visit."),
            code="client_id_conflict",
        )
    return existing


def _rated_meanwhile(*, client_id: uuid.UUID | None, visit: Visit) -> Rating:
    """The visit was rated since this submission began: by the same submission (a retry
    racing it, so its rating is returned) or by another one ("already_rated")."""
    replay = _replay(client_id=client_id, visit=visit)
    if replay is None:
        raise ValidationError(_("This visit has already been rated."), code="already_rated")
    return replay


@transaction.atomic
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
    replay = _replay(client_id=client_id, visit=visit)
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
    if Rating.objects.filter(visit=visit).exists():
        return _rated_meanwhile(client_id=client_id, visit=visit), False
    rating = Rating(
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
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        # A concurrent submission won the race.
        return _rated_meanwhile(client_id=client_id, visit=visit), False
    followup_open(rating=rating)
    window_touch(visit.window_id)  # the tablet closes the prompt, may invite to a survey
    return rating, True


def rating_submit(**kwargs) -> Rating:
    """`rating_record` for callers that need only the rating (same arguments)."""
    return rating_record(**kwargs)[0]
