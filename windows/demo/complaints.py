"""The demo hall's complaints beside its bad reviews: a hotline call, a 12345 work order
and an on-site complaint, at different steps of their handling."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluations.models import Channel, Complaint
from evaluations.services.complaints import (
    complaint_assign,
    complaint_receive,
    complaint_reply,
    complaint_start,
    complaint_verify,
)
from windows.models import Hall, Staff, Window

DEMO_COMPLAINTS = (
    # channel, hours ago, window, badge, category, text, work order, steps done
    (Channel.WORK_ORDER_12345, 30, 13, "LH013", "efficiency",
     "市民反映医保异地就医备案办理时间过长，排队等候超过一小时。", "GD20261124-0087", 4),
    (Channel.HOTLINE, 5, 7, "LH007", "notification",
     "来电反映办理退休审批时未被一次性告知所需材料，往返两次。", "", 1),
    (Channel.ON_SITE, 2, None, "", "environment", "等候区座位不足，老年人站立等候。", "", 0),
)  # fmt: skip


def seed_complaints(*, hall: Hall) -> int:
    """Create the demo complaints once (none is created while any non-review case exists)."""
    if Complaint.objects.filter(hall=hall).exclude(channel=Channel.BAD_REVIEW).exists():
        return 0
    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        return 0
    now = timezone.now()
    for channel, hours, number, badge, category, text, work_order, steps in DEMO_COMPLAINTS:
        case = complaint_receive(
            hall=hall,
            channel=channel,
            received_at=now - timedelta(hours=hours),
            by=manager,
            work_order_no=work_order,
            complainant_name="张先生",
            callback_phone="13851234567",
            window=Window.objects.filter(hall=hall, number=number).first() if number else None,
            staff=Staff.objects.filter(hall=hall, badge_no=badge).first() if badge else None,
            category=category,
            comment=text,
        )
        for step in (complaint_verify, complaint_assign, complaint_start, complaint_reply)[:steps]:
            extra = {"handler": manager} if step is complaint_assign else {}
            if step is complaint_reply:
                extra = {"reply": "已联系市民说明情况并致歉，优化了备案办理流程。"}
            case = step(complaint=case, by=manager, **extra)
    return len(DEMO_COMPLAINTS)
