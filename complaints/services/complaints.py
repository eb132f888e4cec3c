"""The workflow of a complaint case, one service per step (domain.md, issue 4).

received → verified → assigned → in progress → replied → callback done → closed.
No step can be skipped. Each step gets its deadline from complaints.services.deadlines,
and each change is recorded by django-simple-history with who did it and a short reason
(the complainant's name and phone are never in the history).

Who may do what (`complaint_allowed_actions`): the managers of the case's hall may do
everything; the handler (the assigned user) may start, reply and ask for more time;
supervisors and everyone else only read. The services check it too, so a page that
forgets cannot let a step through.

Every refusal is a ComplaintError (a ValidationError with one message for the user);
nothing is stored when one is raised.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.history_notes import case_note
from complaints.models import Channel, Complaint, DeadlineExtension
from complaints.services import alerts
from complaints.services.deadlines import nth_business_day_after, step_due_date
from evaluations.models import Rating
from evaluations.services.ratings import phone_normalize, rating_exclusion_set
from windows.models import Hall, HallAccess, ServiceItem, Staff, Window
from windows.roles import is_hall_manager
from windows.rules.hall_time import hall_localdate

Status = Complaint.Status

VERIFY = "verify"
ASSIGN = "assign"
START = "start"
REPLY = "reply"
CALLBACK = "callback"
CLOSE = "close"
REQUEST_EXTENSION = "request_extension"
DECIDE_EXTENSION = "decide_extension"
ERASE = "erase"

# The step each action moves a case on from.
STEP_ACTIONS = {
    VERIFY: Status.RECEIVED,
    ASSIGN: Status.VERIFIED,
    START: Status.ASSIGNED,
    REPLY: Status.IN_PROGRESS,
    CALLBACK: Status.REPLIED,
    CLOSE: Status.CALLBACK_DONE,
}
HANDLER_ACTIONS = (START, REPLY, REQUEST_EXTENSION)
MAX_EXTENSION_DAYS = 30
TEXT_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 50
WORK_ORDER_NO_MAX_LENGTH = 40


class ComplaintError(ValidationError):
    """A refused case operation; its message is shown to the user as it is."""


def _past_participle(action: str) -> str:
    return {
        VERIFY: _("verified"),
        ASSIGN: _("assigned"),
        START: _("started"),
        REPLY: _("replied to"),
        CALLBACK: _("given a callback result"),
        CLOSE: _("closed"),
        REQUEST_EXTENSION: _("given more time"),
        ERASE: _("erased"),
    }[action]


def _refuse_status(complaint: Complaint, action: str) -> ComplaintError:
    return ComplaintError(
        _("This case is %(status)s; it cannot be %(action)s.")
        % {"status": complaint.get_status_display(), "action": _past_participle(action)},
        code="wrong_status",
    )


def _is_handler(complaint: Complaint, user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and complaint.handler_id is not None
        and complaint.handler_id == user.pk
    )


def _may(complaint: Complaint, user, action: str) -> bool:
    if is_hall_manager(user, complaint.hall_id):
        return True
    return action in HANDLER_ACTIONS and _is_handler(complaint, user)


def _check(complaint: Complaint, by, action: str) -> None:
    """The case is at the step the action moves on from, and the user may do it."""
    expected = STEP_ACTIONS.get(action)
    if expected is not None and complaint.status != expected:
        raise _refuse_status(complaint, action)
    if not _may(complaint, by, action):
        raise ComplaintError(_("You may not do this with this case."), code="forbidden")


def _locked(complaint: Complaint) -> Complaint:
    """The case as stored now (a page may hold a stale copy), locked until the commit.

    The caller's object itself is refreshed, so it shows the outcome too.
    """
    list(Complaint.objects.select_for_update().filter(pk=complaint.pk).values_list("pk"))
    complaint.refresh_from_db()
    return complaint


def _today(complaint: Complaint) -> date:
    """Today in the case's hall (its deadlines are the hall's working days)."""
    return hall_localdate(complaint.hall)


def _move(complaint: Complaint, *, by, status: str, reason: str) -> Complaint:
    complaint.status = status
    if status != Status.CLOSED:
        complaint.due_date = step_due_date(
            hall=complaint.hall, channel=complaint.channel, step=status, start=_today(complaint)
        )
    _save(complaint, by=by, reason=reason)
    return complaint


def _save(complaint: Complaint, *, by, reason: str) -> None:
    complaint._history_user = by
    complaint._change_reason = reason
    complaint.save()


def _text(value: str, *, required_message: str | None = None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise ComplaintError(required_message, code="required")
    if len(value) > TEXT_MAX_LENGTH:
        raise ComplaintError(_("Keep it under %d characters.") % TEXT_MAX_LENGTH, code="too_long")
    return value


@transaction.atomic
def complaint_receive(
    *,
    hall: Hall,
    channel: str,
    received_at: datetime,
    by,
    work_order_no: str = "",
    complainant_name: str = "",
    callback_phone: str = "",
    window: Window | None = None,
    staff: Staff | None = None,
    service_item: ServiceItem | None = None,
    category: str = "",
    comment: str = "",
    attachment: File | None = None,
) -> Complaint:
    """Register a complaint received on site, by the hotline, as a 12345 order or online.

    Bad reviews open their cases from the rating (complaints.services.followups).
    """
    if not is_hall_manager(by, hall.pk):
        raise ComplaintError(_("You may not register complaints of this hall."), code="forbidden")
    if channel == Channel.BAD_REVIEW:
        raise ComplaintError(
            _("Bad reviews open their cases from the rating itself."), code="invalid"
        )
    if channel not in Channel.values:
        raise ComplaintError(_("Choose how the complaint arrived."), code="invalid")
    work_order_no = (work_order_no or "").strip()
    if channel == Channel.WORK_ORDER_12345 and not work_order_no:
        raise ComplaintError(_("A 12345 work order needs its work-order number."), code="invalid")
    if len(work_order_no) > WORK_ORDER_NO_MAX_LENGTH:
        raise ComplaintError(
            _("Keep the work-order number under %d characters.") % WORK_ORDER_NO_MAX_LENGTH,
            code="invalid",
        )
    complainant_name = (complainant_name or "").strip()
    if len(complainant_name) > NAME_MAX_LENGTH:
        raise ComplaintError(
            _("Keep the complainant's name under %d characters.") % NAME_MAX_LENGTH,
            code="invalid",
        )
    if timezone.is_naive(received_at) or received_at > timezone.now():
        raise ComplaintError(_("The time received cannot be in the future."), code="invalid")
    if window is not None and window.hall_id != hall.pk:
        raise ComplaintError(_("The window is not one of this hall's."), code="invalid")
    if staff is not None and staff.hall_id != hall.pk:
        raise ComplaintError(_("The staff member does not work in this hall."), code="invalid")
    if category and category not in Complaint.Category.values:
        raise ComplaintError(_("Choose a category from the list."), code="invalid")
    try:
        phone = phone_normalize(callback_phone)
    except ValidationError as error:
        raise ComplaintError(error.messages[0], code="invalid") from error
    complaint = Complaint(
        hall=hall,
        channel=channel,
        work_order_no=work_order_no,
        received_at=received_at,
        complainant_name=complainant_name,
        callback_phone=phone,
        window=window,
        staff=staff,
        service_item=service_item,
        category=category,
        comment=_text(comment),
        status=Status.RECEIVED,
        due_date=step_due_date(
            hall=hall,
            channel=channel,
            step=Status.RECEIVED,
            start=hall_localdate(hall, received_at),
        ),
    )
    if attachment is not None:
        complaint.attachment = attachment
    _save(complaint, by=by, reason=case_note("received"))
    if channel == Channel.WORK_ORDER_12345:
        alerts.duty_alert_for(complaint=complaint)
    return complaint


@transaction.atomic
def complaint_verify(
    *, complaint: Complaint, by, note: str = "", exclude_rating: str = "", exclusion_note: str = ""
) -> Complaint:
    """Pre-check (预审) the case; a rating judged malicious or mistaken leaves the figures."""
    complaint = _locked(complaint)
    _check(complaint, by, VERIFY)
    note = _text(note)
    if exclude_rating:
        if complaint.rating_id is None:
            raise ComplaintError(
                _("Only a case opened from a rating can exclude it."), code="invalid"
            )
        if exclude_rating not in Rating.Exclusion.values:
            raise ComplaintError(_("Choose why the rating is excluded."), code="invalid")
        exclusion_note = _text(
            exclusion_note, required_message=_("Say why the rating is excluded.")
        )
        rating_exclusion_set(
            rating_id=complaint.rating_id, excluded=exclude_rating, note=exclusion_note
        )
    elif (exclusion_note or "").strip():
        raise ComplaintError(_("Choose why the rating is excluded."), code="invalid")
    complaint.verification_note = note
    reason = (
        case_note("verified_rating_excluded", why=exclude_rating)
        if exclude_rating
        else case_note("verified")
    )
    return _move(complaint, by=by, status=Status.VERIFIED, reason=reason)


def _may_handle(user, hall_id: int) -> bool:
    if not user.is_active:
        return False
    return (
        HallAccess.objects.filter(user=user, hall_id=hall_id).exists()
        or Staff.objects.filter(user=user, hall_id=hall_id, is_active=True).exists()
    )


@transaction.atomic
def complaint_assign(*, complaint: Complaint, by, handler) -> Complaint:
    """Give the case to whoever answers for it (a user of the hall)."""
    complaint = _locked(complaint)
    _check(complaint, by, ASSIGN)
    if handler is None or not isinstance(handler, get_user_model()):
        raise ComplaintError(_("Choose who handles the case."), code="required")
    if not _may_handle(handler, complaint.hall_id):
        raise ComplaintError(
            _("The handler must be a manager or a staff member of this hall."), code="invalid"
        )
    complaint.handler = handler
    return _move(
        complaint,
        by=by,
        status=Status.ASSIGNED,
        reason=case_note("assigned", handler=handler.pk),
    )


@transaction.atomic
def complaint_start(*, complaint: Complaint, by) -> Complaint:
    complaint = _locked(complaint)
    _check(complaint, by, START)
    return _move(complaint, by=by, status=Status.IN_PROGRESS, reason=case_note("started"))


@transaction.atomic
def complaint_reply(*, complaint: Complaint, by, reply: str) -> Complaint:
    """The answer given to the complainant (what was done, or why it was unfounded)."""
    complaint = _locked(complaint)
    _check(complaint, by, REPLY)
    complaint.reply = _text(reply, required_message=_("Write the reply to the complainant."))
    complaint.replied_at = timezone.now()
    return _move(complaint, by=by, status=Status.REPLIED, reason=case_note("replied"))


@transaction.atomic
def complaint_record_callback(
    *, complaint: Complaint, by, result: str, note: str = ""
) -> Complaint:
    """The callback (回访). Not satisfied reopens the case once, then escalates it."""
    complaint = _locked(complaint)
    _check(complaint, by, CALLBACK)
    if result not in Complaint.CallbackResult.values:
        raise ComplaintError(_("Choose the result of the callback."), code="required")
    if result == Complaint.CallbackResult.UNREACHABLE:
        note = _text(note, required_message=_("Say when and how the complainant was tried."))
    else:
        note = _text(note)
    complaint.callback_result = result
    complaint.callback_note = note
    complaint.callback_at = timezone.now()
    if result == Complaint.CallbackResult.NOT_SATISFIED and complaint.reopen_count == 0:
        complaint.reopen_count = 1
        return _move(
            complaint,
            by=by,
            status=Status.IN_PROGRESS,
            reason=case_note("callback_reopened"),
        )
    if result == Complaint.CallbackResult.NOT_SATISFIED:
        complaint.escalated = True
        reason = case_note("callback_escalated")
    else:
        reason = case_note("callback", result=result)
    return _move(complaint, by=by, status=Status.CALLBACK_DONE, reason=reason)


@transaction.atomic
def complaint_close(*, complaint: Complaint, by, verdict: str, note: str = "") -> Complaint:
    complaint = _locked(complaint)
    _check(complaint, by, CLOSE)
    if verdict not in Complaint.Verdict.values:
        raise ComplaintError(_("Choose whether the complaint was substantiated."), code="required")
    complaint.verdict = verdict
    complaint.closing_note = _text(note)
    complaint.closed_at = timezone.now()
    return _move(
        complaint,
        by=by,
        status=Status.CLOSED,
        reason=case_note("closed", verdict=verdict),
    )


def _pending_extension(complaint: Complaint) -> DeadlineExtension | None:
    return complaint.extensions.filter(status=DeadlineExtension.Status.PENDING).first()


def complaint_allowed_actions(*, complaint: Complaint, user) -> list[str]:
    """The actions this user may take on the case now, in workflow order."""
    if not user.is_authenticated or not user.is_active:
        return []
    manager = is_hall_manager(user, complaint.hall_id)
    handler = _is_handler(complaint, user)
    if not manager and not handler:
        return []
    allowed = [
        action
        for action, step in STEP_ACTIONS.items()
        if complaint.status == step and (manager or action in HANDLER_ACTIONS)
    ]
    if complaint.status != Status.CLOSED:
        pending = _pending_extension(complaint)
        if pending is None and _today(complaint) <= complaint.due_date:
            allowed.append(REQUEST_EXTENSION)
        if pending is not None and manager:
            allowed.append(DECIDE_EXTENSION)
    elif manager and complaint.personal_data_erased_at is None:
        allowed.append(ERASE)
    return allowed


@transaction.atomic
def extension_request(
    *, complaint: Complaint, by, working_days: int, reason: str
) -> DeadlineExtension:
    """Ask for more working days for the current step, before its deadline passes."""
    complaint = _locked(complaint)
    if complaint.status == Status.CLOSED:
        raise _refuse_status(complaint, REQUEST_EXTENSION)
    _check(complaint, by, REQUEST_EXTENSION)
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_EXTENSION_DAYS
    ):
        raise ComplaintError(
            _("Ask for 1 to %d working days.") % MAX_EXTENSION_DAYS, code="invalid"
        )
    reason = _text(reason, required_message=_("Say why more time is needed."))
    if _today(complaint) > complaint.due_date:
        raise ComplaintError(
            _("The deadline of this step has passed; more time must be asked before it."),
            code="too_late",
        )
    if _pending_extension(complaint) is not None:
        raise ComplaintError(
            _("An extension of this case is already waiting for a decision."), code="pending"
        )
    return DeadlineExtension.objects.create(
        complaint=complaint,
        step=complaint.status,
        working_days=working_days,
        reason=reason,
        requested_by=by,
        requested_at=timezone.now(),
    )


@transaction.atomic
def extension_decide(*, extension: DeadlineExtension, by, approve: bool) -> DeadlineExtension:
    """A manager approves (the deadline moves by the working days asked) or rejects."""
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    complaint = _locked(extension.complaint)
    if not is_hall_manager(by, complaint.hall_id):
        raise ComplaintError(_("You may not do this with this case."), code="forbidden")
    if extension.status != DeadlineExtension.Status.PENDING:
        raise ComplaintError(_("This extension has already been decided."), code="decided")
    if approve and complaint.status != extension.step:
        raise ComplaintError(
            _("The case has moved to another step since; this extension no longer applies."),
            code="stale",
        )
    extension.status = (
        DeadlineExtension.Status.APPROVED if approve else DeadlineExtension.Status.REJECTED
    )
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        complaint.due_date = nth_business_day_after(
            hall=complaint.hall, start=complaint.due_date, days=extension.working_days
        )
        _save(
            complaint,
            by=by,
            reason=case_note("deadline_extended", days=extension.working_days),
        )
    return extension


@transaction.atomic
def complaint_erase_personal_data(*, complaint: Complaint, by) -> Complaint:
    """Blank a closed case's complainant data (and its rating's phone); figures stay."""
    complaint = _locked(complaint)
    if complaint.status != Status.CLOSED:
        raise _refuse_status(complaint, ERASE)
    _check(complaint, by, ERASE)
    if complaint.personal_data_erased_at is not None:
        raise ComplaintError(
            _("The personal data of this case have already been erased."), code="erased"
        )
    complaint.complainant_name = ""
    complaint.callback_phone = ""
    if complaint.rating_id is not None:
        Rating.objects.filter(pk=complaint.rating_id).update(callback_phone="")
    if complaint.attachment:
        attachment = complaint.attachment
        transaction.on_commit(lambda: attachment.storage.delete(attachment.name))
        complaint.attachment = ""
        # The history keeps the file's name (the phone and name are never in it).
        complaint.history.update(attachment="")
    complaint.personal_data_erased_at = timezone.now()
    _save(complaint, by=by, reason=case_note("personal_data_erased"))
    return complaint
